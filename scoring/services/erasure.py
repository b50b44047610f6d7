"""Data rights: remove a candidate's words from what scoring keeps."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from audit.canonical import canonical_json
from scoring.models import ReviewItem, ScoreInput, ScoreRun, TrainingExample

ERASED_TEXT = "(erased)"
# Breakdown keys whose values are the candidate's own words: the phrase a concept matched
# (engines before concept evidence named only the pattern) and the n-grams a text model found
# in the answer. Whatever the engine version, nothing else in a breakdown quotes the answer.
_ANSWER_TEXT_KEYS = frozenset({"phrase", "ngram"})


def _without_text(answers: dict) -> dict:
    return {
        step_id: {**answer, "text": ""}
        if isinstance(answer, dict) and answer.get("text")
        else answer
        for step_id, answer in answers.items()
    }


def _without_answer_words(value: Any) -> Any:
    """A parsed breakdown with every value that quotes the answer replaced by ERASED_TEXT."""
    if isinstance(value, dict):
        return {
            key: ERASED_TEXT if key in _ANSWER_TEXT_KEYS and item else _without_answer_words(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_without_answer_words(item) for item in value]
    return value


@transaction.atomic
def erase_score_inputs(attempt_public_ids: Iterable) -> dict[str, int]:
    """Remove the candidate's words from what scoring keeps of these attempts (on erasure).

    The answer snapshots lose their free text; runs whose breakdown quotes the answer are
    redacted (the one update the append-only trigger allows; ``breakdown_sha256`` stays the
    hash as scored, ``redacted_sha256`` is the new bytes'); open review items are withdrawn,
    as there is no answer left to judge; reviewers' training examples lose the text. Scores,
    levels and hashes stay. The runs can no
    longer be replayed, nor the attempts re-scored. Idempotent; returns what changed.
    """
    attempt_public_ids = list(attempt_public_ids)
    now = timezone.now()
    snapshots = 0
    for snapshot in ScoreInput.objects.select_for_update().filter(
        attempt__public_id__in=attempt_public_ids, erased_at__isnull=True
    ):
        snapshot.responses_json = canonical_json(
            _without_text(json.loads(snapshot.responses_json))
        ).decode("utf-8")
        snapshot.erased_at = now
        snapshot.save(update_fields=["responses_json", "erased_at"])
        snapshots += 1
    withdrawn = ReviewItem.objects.filter(
        attempt__public_id__in=attempt_public_ids, state=ReviewItem.State.OPEN
    ).update(state=ReviewItem.State.WITHDRAWN, closed_at=now)
    # Reviewers' labels keep their level and provenance (no personal data); the words go, and
    # no later training reads them.
    examples = TrainingExample.objects.filter(
        attempt__public_id__in=attempt_public_ids, erased_at__isnull=True
    ).update(text="", erased_at=now)
    return {
        "snapshots": snapshots,
        "runs_redacted": _redact_runs(attempt_public_ids, now),
        "reviews_withdrawn": withdrawn,
        "training_examples_erased": examples,
    }


def _redact_runs(attempt_public_ids: list, now) -> int:
    redacted = 0
    runs = ScoreRun.objects.select_for_update().filter(
        attempt__public_id__in=attempt_public_ids, redacted_at__isnull=True
    )
    for pk, stored in runs.values_list("pk", "breakdown_json"):
        breakdown = json.loads(stored)
        cleaned = _without_answer_words(breakdown)
        if cleaned == breakdown:
            continue  # nothing of the answer in it: the run stays exactly as scored
        text = canonical_json(cleaned).decode("utf-8")
        ScoreRun.objects.filter(pk=pk).update(
            breakdown_json=text,
            redacted_at=now,
            redacted_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        )
        redacted += 1
    return redacted
