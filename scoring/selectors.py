"""Reads of scoring data that more than one caller needs."""

from scoring.models import ScoreRun, ScoringJob


def current_score_run(attempt) -> ScoreRun | None:
    """The newest run of an attempt: the one no other run supersedes."""
    return (
        ScoreRun.objects.filter(attempt=attempt, superseded_by__isnull=True)
        .order_by("-created_at", "-pk")
        .first()
    )


def scoring_status(attempt) -> str:
    """`scored`, `failed` or `pending` for the candidate's waiting page."""
    if ScoreRun.objects.filter(attempt=attempt).exists():
        return "scored"
    if ScoringJob.objects.filter(attempt=attempt, state=ScoringJob.State.FAILED).exists():
        return "failed"
    return "pending"
