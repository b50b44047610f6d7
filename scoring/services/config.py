"""The settings scoring reads, with their defaults."""

from __future__ import annotations

from django.conf import settings


def setting(name: str, default):
    return getattr(settings, name, default)


def min_exemplars() -> int:
    """TEXT_MODEL_MIN_EXEMPLARS: labelled exemplars (after holding some back) a model needs."""
    return int(setting("TEXT_MODEL_MIN_EXEMPLARS", 30))


def hold_back_every() -> int:
    """TEXT_MODEL_HOLD_BACK_EVERY: one exemplar in this many per level is held back."""
    return max(2, int(setting("TEXT_MODEL_HOLD_BACK_EVERY", 5)))


def retrain_after_labels() -> int:
    """TEXT_RETRAIN_AFTER_LABELS: new reviewers' labels on a criterion that start retraining."""
    return max(1, int(setting("TEXT_RETRAIN_AFTER_LABELS", 20)))


def qc_sample_rate() -> float:
    """TEXT_QC_SAMPLE_RATE: the share of confident model scores a person checks anyway."""
    return min(1.0, max(0.0, float(setting("TEXT_QC_SAMPLE_RATE", 0.05))))


def auto_target_qwk() -> float:
    """TEXT_AUTO_TARGET_QWK: the agreement with people a model must keep on the answers it
    scores alone (close to two people's agreement)."""
    return float(setting("TEXT_AUTO_TARGET_QWK", 0.85))
