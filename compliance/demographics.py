"""The only door to demographic answers: save a candidate's own answers, report aggregates.

Nothing outside `compliance` imports this module (tests/compliance/test_demographics_wall.py
reads every import). Per-person answers never leave it: callers get either nothing back (the
candidate's form) or `AuditRecord`s that the bias audit turns into category counts.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from datetime import date

from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery

from assessments.models import Attempt
from compliance.bias import AuditRecord
from compliance.models import Demographics
from results.selectors import advanced_attempt_ids
from scoring.models import ScoreRun

Sex = Demographics.Sex
RaceEthnicity = Demographics.RaceEthnicity
DECLINE = "decline"


@transaction.atomic
def save_self_identification(
    attempt_public_id: uuid.UUID, *, sex: str, race_ethnicity: str, declined: bool = False
) -> None:
    """Store (or replace) a candidate's voluntary answers; ``decline`` or blank = no answer."""
    if declined:
        sex, race_ethnicity = "", ""
    sex = "" if sex in ("", DECLINE) else Sex(sex).value
    race_ethnicity = "" if race_ethnicity in ("", DECLINE) else RaceEthnicity(race_ethnicity).value
    Demographics.objects.update_or_create(
        attempt_public_id=attempt_public_id,
        defaults={
            "sex": sex,
            "race_ethnicity": race_ethnicity,
            "declined": declined or (not sex and not race_ethnicity),
        },
    )


def has_answered(attempt_public_id: uuid.UUID) -> bool:
    """Whether the candidate has already sent the form (the answers themselves stay here)."""
    return Demographics.objects.filter(attempt_public_id=attempt_public_id).exists()


def delete_for_attempts(attempt_public_ids: Iterable[uuid.UUID]) -> int:
    """Erase the answers of these attempts; returns how many rows went."""
    deleted, _ = Demographics.objects.filter(
        attempt_public_id__in=list(attempt_public_ids)
    ).delete()
    return deleted


def bias_audit_records(
    assessment, *, date_from: date | None = None, date_to: date | None = None
) -> Iterator[AuditRecord]:
    """One record per candidate (invitation) scored on ``assessment``, oldest first.

    The candidate's latest submitted attempt that has a score counts; selected means its
    current score run passed, the score is that run's overall score, and advanced means a
    recruiter's decision in force on that attempt is "advance". Attempts not scored yet are
    left out. Dates are UTC calendar days of submission, both ends included.
    """
    current_runs = ScoreRun.objects.filter(
        attempt=OuterRef("pk"), superseded_by__isnull=True
    ).order_by("-created_at", "-pk")
    later_attempts = Attempt.objects.filter(
        invitation=OuterRef("invitation"),
        submitted_at__gt=OuterRef("submitted_at"),
        score_runs__isnull=False,
    )
    answers = Demographics.objects.filter(attempt_public_id=OuterRef("public_id"))
    attempts = (
        Attempt.objects.filter(version__assessment=assessment, submitted_at__isnull=False)
        .filter(Exists(current_runs))
        .exclude(Exists(later_attempts))
        .annotate(
            run_passed=Subquery(current_runs.values("passed")[:1]),
            run_score=Subquery(current_runs.values("overall_score")[:1]),
            answered_sex=Subquery(answers.values("sex")[:1]),
            answered_race=Subquery(answers.values("race_ethnicity")[:1]),
        )
        .order_by("submitted_at", "pk")
    )
    if date_from is not None:
        attempts = attempts.filter(submitted_at__date__gte=date_from)
    if date_to is not None:
        attempts = attempts.filter(submitted_at__date__lte=date_to)
    # The decisions are the results app's; it answers with attempt ids, read once.
    advanced = advanced_attempt_ids(assessment.versions.values_list("pk", flat=True))
    rows = attempts.values_list(
        "pk", "submitted_at", "run_passed", "run_score", "answered_sex", "answered_race"
    )
    for attempt_id, submitted_at, passed, score, sex, race in rows.iterator(chunk_size=2000):
        yield AuditRecord(
            sex=sex or None,
            race_ethnicity=race or None,
            selected=bool(passed),
            score=score,
            submitted_on=submitted_at.date(),
            advanced=attempt_id in advanced,
        )
