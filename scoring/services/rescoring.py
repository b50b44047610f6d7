"""Ask for new runs of submitted attempts after a rubric, model or engine change."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from scoring import engine
from scoring.exceptions import RescoreRefused
from scoring.models import ScoreInput, ScoreRun, ScoringJob
from scoring.selectors import active_model_hashes
from scoring.services.outbox import request_scoring


def _check_rescorable(attempt, version) -> None:
    if attempt.submitted_at is None:
        raise RescoreRefused(f"attempt {attempt.public_id} has not been submitted")
    if version is not None and version.assessment_id != attempt.version.assessment_id:
        raise RescoreRefused("a re-score may only use a version of the attempt's own assessment")
    if ScoreInput.objects.filter(attempt=attempt, erased_at__isnull=False).exists():
        raise RescoreRefused(f"the answers of attempt {attempt.public_id} were erased")


@transaction.atomic
def rescore_attempt(attempt, *, version=None, requested_by: str = "system") -> ScoringJob:
    """Ask for a new run of one attempt (after a rubric, model or engine change).

    ``version`` scores against another version of the same assessment (a rubric fix); by
    default the attempt's own. A re-score already waiting for the same content is reused.
    """
    attempt = type(attempt).objects.select_related("version").get(pk=attempt.pk)  # fresh state
    _check_rescorable(attempt, version)
    waiting = ScoringJob.objects.filter(
        attempt=attempt,
        reason=ScoringJob.Reason.RESCORE,
        state=ScoringJob.State.PENDING,
        version=version,
    ).first()
    if waiting is not None:
        return waiting
    return request_scoring(
        attempt, ScoringJob.Reason.RESCORE, version=version, requested_by=requested_by
    )


def rescore_attempts(
    attempts: Iterable, *, version=None, requested_by: str = "system"
) -> tuple[list[ScoringJob], list[str]]:
    """Re-score many attempts, each in its own transaction; returns (jobs, refusals)."""
    jobs, refused = [], []
    for attempt in attempts:
        try:
            jobs.append(rescore_attempt(attempt, version=version, requested_by=requested_by))
        except RescoreRefused as error:
            refused.append(str(error))
    return jobs, refused


def run_outdated(run: ScoreRun, version=None) -> bool:
    """Whether a new run would use other inputs: engine, content or active models changed."""
    version = version or run.version
    return (
        run.engine_version != engine.ENGINE_VERSION
        or run.content_sha256 != version.content_sha256
        or run.model_hashes != active_model_hashes(version)
    )
