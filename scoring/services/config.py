"""The settings scoring reads, with their defaults."""

from __future__ import annotations

from django.conf import settings


def setting(name: str, default):
    return getattr(settings, name, default)


def qwk_bar() -> float:
    """TEXT_MODEL_QWK_BAR: the cross-validated QWK a model needs before it may score."""
    return float(setting("TEXT_MODEL_QWK_BAR", 0.7))


def min_exemplars() -> int:
    """TEXT_MODEL_MIN_EXEMPLARS: labelled exemplars (after holding some back) a model needs."""
    return int(setting("TEXT_MODEL_MIN_EXEMPLARS", 30))


def hold_back_every() -> int:
    """TEXT_MODEL_HOLD_BACK_EVERY: one exemplar in this many per level is held back."""
    return max(2, int(setting("TEXT_MODEL_HOLD_BACK_EVERY", 5)))
