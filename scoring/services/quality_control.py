"""Quality control: a small share of confident model scores goes to a person anyway, so
agreement with people is measured on real answers, not only on cross-validation.

The choice is a pure function of the attempt and the criterion (a hash against
TEXT_QC_SAMPLE_RATE), made when the attempt is first scored. It never touches the breakdown:
the run's bytes are what the engine computed, so replay stays byte for byte; only the review
item carries the flag. The reviewer's level is applied like any review decision (a person is
the reference) and kept as a training example marked quality control.
"""

from __future__ import annotations

import hashlib

from scoring.models import ReviewItem, ScoreRun
from scoring.services.config import qc_sample_rate

QUALITY_CONTROL_REASON = "quality_control"
_HASH_RANGE = 2**64


def chosen_for_quality_control(attempt_public_id, criterion_key: str, rate: float) -> bool:
    """Whether this attempt's answer to this criterion is checked: the same answer for the
    same rate every time (no random state), about ``rate`` of all answers."""
    seed = f"quality-control/{attempt_public_id}/{criterion_key}".encode()
    draw = int.from_bytes(hashlib.sha256(seed).digest()[:8], "big")
    return draw < rate * _HASH_RANGE


def quality_control_items(run: ScoreRun, breakdown) -> list[ReviewItem]:
    """Unsaved review items for the criteria of a first run that a model settled with
    confidence and the sample chose."""
    rate = qc_sample_rate()
    if rate <= 0:
        return []
    public_id = run.attempt.public_id
    return [
        ReviewItem(
            attempt_id=run.attempt_id,
            run=run,
            criterion_key=criterion.key,
            step_id=criterion.step_id,
            criterion_id=criterion.criterion_id,
            reasons=[QUALITY_CONTROL_REASON],
            machine_method=criterion.method,
            machine_level=criterion.level.index,
            machine_confidence=criterion.confidence,
            quality_control=True,
        )
        for criterion in breakdown.criteria()
        if criterion.method == "model"
        and not criterion.needs_review
        and chosen_for_quality_control(public_id, criterion.key, rate)
    ]
