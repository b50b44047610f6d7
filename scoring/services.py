"""Every write of the scoring domain: request scoring, run a job, sweep the outbox."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from compliance.audit import Action, record_event
from compliance.canonical import json_sha256
from scoring import engine
from scoring.exceptions import PermanentScoringError
from scoring.models import ScoreRun, ScoringJob
from scoring.selectors import current_score_run

logger = logging.getLogger(__name__)


def enqueue_job(job_id: int) -> None:
    """Send the job's message to the broker (called after commit, and by the sweeper)."""
    from scoring.tasks import score_attempt

    score_attempt.delay(job_id)


def request_scoring(attempt, reason: str = ScoringJob.Reason.SUBMITTED) -> ScoringJob:
    """Write the outbox row in the caller's transaction; the message leaves after commit."""
    job = ScoringJob.objects.create(
        attempt=attempt, reason=reason, enqueued_at=timezone.now(), enqueue_count=1
    )
    transaction.on_commit(lambda: enqueue_job(job.pk))
    return job


def attempt_responses(attempt) -> dict[str, dict]:
    """The answers the engine scores: step id → answer, for steps on the attempt's path."""
    path = set(attempt.path)
    return {r.step_id: r.answer for r in attempt.responses.all() if r.step_id in path}


def compute_breakdown(attempt, models: dict | None = None):
    """Call the pure engine on the attempt's frozen content and stored answers."""
    try:
        return engine.score(attempt.version.content, attempt_responses(attempt), models or {})
    except (KeyError, TypeError, ValueError) as error:
        raise PermanentScoringError(
            f"The engine could not score attempt {attempt.pk}: {error!r}"
        ) from error


@transaction.atomic
def run_scoring_job(job_id: int) -> ScoreRun | None:
    """Score the job's attempt exactly once; a no-op when the job is done or being run."""
    job = (
        # of=("self",): lock only the job row. Without it the join would lock the attempt and the
        # version too, blocking every insert that references the version and making a second
        # worker skip unrelated jobs of the same version.
        ScoringJob.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("attempt__version")
        .filter(pk=job_id, state=ScoringJob.State.PENDING)
        .first()
    )
    if job is None:
        return None
    attempt = job.attempt
    breakdown = compute_breakdown(attempt)
    previous = current_score_run(attempt)
    run = ScoreRun.objects.create(
        job=job,
        attempt=attempt,
        supersedes=previous,
        engine_version=engine.ENGINE_VERSION,
        content_sha256=attempt.version.content_sha256,
        responses_sha256=json_sha256(attempt_responses(attempt)),
        model_hashes={},
        breakdown_json=breakdown.canonical_json().decode("utf-8"),
        breakdown_sha256=breakdown.sha256,
        overall_score=breakdown.overall_score,
        passed=breakdown.passed,
        needs_review=breakdown.needs_review,
    )
    job.state = ScoringJob.State.DONE
    job.finished_at = timezone.now()
    job.save(update_fields=["state", "finished_at"])
    record_event(
        Action.SCORE_RUN_STORED,
        actor="system",
        subject=f"attempt:{attempt.public_id}",
        payload={"run": run.pk, "breakdown_sha256": run.breakdown_sha256, "passed": run.passed},
    )
    if previous is not None:
        record_event(
            Action.SCORE_RUN_SUPERSEDED,
            actor="system",
            subject=f"attempt:{attempt.public_id}",
            payload={"run": previous.pk, "superseded_by": run.pk},
        )
    return run


@transaction.atomic
def fail_scoring_job(job_id: int, error: str) -> None:
    """Mark a job failed with its error, for the admin's retry action."""
    job = ScoringJob.objects.select_for_update().get(pk=job_id)
    if job.state != ScoringJob.State.PENDING:
        return
    job.state = ScoringJob.State.FAILED
    job.last_error = error[:4000]
    job.finished_at = timezone.now()
    job.save(update_fields=["state", "last_error", "finished_at"])
    record_event(
        Action.SCORING_FAILED,
        actor="system",
        subject=f"job:{job.pk}",
        payload={"error": error[:500]},
    )


def sweep_stale_jobs(stale_after: timedelta | None = None, limit: int = 1000) -> int:
    """Re-enqueue pending jobs whose message may have been lost; returns how many."""
    stale_after = (
        stale_after if stale_after is not None else timedelta(seconds=settings.OUTBOX_STALE_SECONDS)
    )
    cutoff = timezone.now() - stale_after
    job_ids = list(
        ScoringJob.objects.filter(state=ScoringJob.State.PENDING, enqueued_at__lte=cutoff)
        .order_by("enqueued_at")
        .values_list("pk", flat=True)[:limit]
    )
    for job_id in job_ids:
        with transaction.atomic():
            updated = ScoringJob.objects.filter(pk=job_id, state=ScoringJob.State.PENDING).update(
                enqueued_at=timezone.now()
            )
            if updated:
                transaction.on_commit(lambda job_id=job_id: enqueue_job(job_id))
    if job_ids:
        logger.info("Re-enqueued %d stale scoring jobs", len(job_ids))
    return len(job_ids)


@transaction.atomic
def retry_failed_job(job: ScoringJob) -> ScoringJob:
    """Put a failed job back in the outbox (admin "retry" action)."""
    job = ScoringJob.objects.select_for_update().get(pk=job.pk)
    if job.state == ScoringJob.State.FAILED:
        job.state = ScoringJob.State.PENDING
        job.last_error = ""
        job.enqueued_at = timezone.now()
        job.save(update_fields=["state", "last_error", "enqueued_at"])
        transaction.on_commit(lambda: enqueue_job(job.pk))
    return job
