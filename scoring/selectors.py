"""Reads of scoring data that more than one caller needs."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from audit.roles import Role, has_role
from scoring.models import ReviewDecision, ReviewItem, ScoreRun, ScoringJob, TextModel


def current_score_run(attempt) -> ScoreRun | None:
    """The newest run of an attempt: the one no other run supersedes."""
    return (
        ScoreRun.objects.filter(attempt=attempt, superseded_by__isnull=True)
        .order_by("-created_at", "-pk")
        .first()
    )


def current_score_run_id(attempt_id: int) -> int | None:
    """The id of an attempt's current run (without loading its breakdown)."""
    return (
        ScoreRun.objects.filter(attempt_id=attempt_id, superseded_by__isnull=True)
        .order_by("-created_at", "-pk")
        .values_list("pk", flat=True)
        .first()
    )


def scoring_status(attempt) -> str:
    """`scored`, `failed` or `pending` for the candidate's waiting page."""
    if ScoreRun.objects.filter(attempt=attempt).exists():
        return "scored"
    if ScoringJob.objects.filter(attempt=attempt, state=ScoringJob.State.FAILED).exists():
        return "failed"
    return "pending"


def runs_of_attempt(attempt_id: int) -> QuerySet[ScoreRun]:
    """Every run of an attempt, newest first, with what the history table shows."""
    return (
        ScoreRun.objects.filter(attempt_id=attempt_id)
        .select_related("job", "superseded_by")
        .defer("breakdown_json")
        .order_by("-created_at", "-pk")
    )


def active_model_hashes(version) -> dict[str, str]:
    """The active (hence accepted) models of a version: criterion key -> artifact sha256."""
    return dict(
        TextModel.objects.filter(version=version, active=True)
        .order_by("criterion_key")
        .values_list("criterion_key", "sha256")
    )


def current_overrides(attempt) -> dict[str, dict]:
    """The reviewers' decisions for an attempt, latest per criterion, as the engine's overrides
    (criterion key -> level, reviewer, reason)."""
    overrides: dict[str, dict] = {}
    for decision in ReviewDecision.objects.filter(attempt=attempt).order_by("decided_at", "pk"):
        overrides[decision.criterion_key] = {
            "level": decision.level,
            "reviewer": decision.reviewer_label,
            "reason": decision.reason,
        }
    return overrides


def open_review_items(assessment_slug: str | None = None) -> QuerySet[ReviewItem]:
    """The review queue, oldest first. Carries nothing that identifies the candidate."""
    items = (
        ReviewItem.objects.filter(state=ReviewItem.State.OPEN)
        .select_related("run__version__assessment")
        .defer("run__breakdown_json")
        .order_by("created_at", "pk")
    )
    if assessment_slug:
        items = items.filter(attempt__version__assessment__slug=assessment_slug)
    return items


def access_review_item_by_id(user, item_id: int) -> ReviewItem:
    """One review item with the run it came from, for a reviewer; the one door to it.

    Raises PermissionDenied unless ``user`` holds the Reviewer role, ReviewItem.DoesNotExist
    when there is no such item.
    """
    if not has_role(user, Role.REVIEWER):
        raise PermissionDenied("Review items are for the Reviewer role.")
    return ReviewItem.objects.select_related("run__version", "run__inputs").get(pk=item_id)
