"""The settings scoring reads (defaults and their reasons are in hiring/settings.py)."""

from __future__ import annotations

from django.conf import settings


def min_exemplars() -> int:
    """TEXT_MODEL_MIN_EXEMPLARS: labelled answers a criterion needs before a model is trained."""
    return int(settings.TEXT_MODEL_MIN_EXEMPLARS)


def hold_back_every() -> int:
    """TEXT_MODEL_HOLD_BACK_EVERY: one exemplar in this many per level answers for simulated
    candidates, with text the model has not seen."""
    return max(2, int(settings.TEXT_MODEL_HOLD_BACK_EVERY))


def retrain_after_labels() -> int:
    """TEXT_RETRAIN_AFTER_LABELS: new reviewers' labels on a criterion that start retraining."""
    return max(1, int(settings.TEXT_RETRAIN_AFTER_LABELS))


def qc_sample_rate() -> float:
    """TEXT_QC_SAMPLE_RATE: the share of confident model scores a person checks anyway."""
    return min(1.0, max(0.0, float(settings.TEXT_QC_SAMPLE_RATE)))


def auto_target_qwk() -> float:
    """TEXT_AUTO_TARGET_QWK: the agreement with people a model must keep on the answers it
    scores alone (close to two people's agreement)."""
    return float(settings.TEXT_AUTO_TARGET_QWK)
