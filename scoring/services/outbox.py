"""The scoring outbox: a job row written with the state change, sent after commit."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.utils import timezone

from audit.services import Action, record_event
from scoring.models import ScoringJob
from scoring.services.config import setting

logger = logging.getLogger(__name__)


def enqueue_job(job_id: int) -> None:
    """Send the job's message to the broker (called after commit, and by the sweeper)."""
    from scoring.tasks import score_attempt

    score_attempt.delay(job_id)


def request_scoring(
    attempt,
    reason: str = ScoringJob.Reason.SUBMITTED,
    *,
    version=None,
    requested_by: str = "system",
) -> ScoringJob:
    """Write the outbox row in the caller's transaction; the message leaves after commit."""
    job = ScoringJob.objects.create(
        attempt=attempt,
        reason=reason,
        version=version,
        requested_by=requested_by,
        enqueued_at=timezone.now(),
        enqueue_count=1,
    )
    transaction.on_commit(lambda: enqueue_job(job.pk))
    return job


def sweep_stale_jobs(stale_after: timedelta | None = None, limit: int = 1000) -> int:
    """Re-enqueue pending jobs whose message may have been lost; returns how many."""
    if stale_after is None:
        stale_after = timedelta(seconds=setting("OUTBOX_STALE_SECONDS", 60))
    cutoff = timezone.now() - stale_after
    job_ids = list(
        ScoringJob.objects.filter(state=ScoringJob.State.PENDING, enqueued_at__lte=cutoff)
        .order_by("enqueued_at")
        .values_list("pk", flat=True)[:limit]
    )
    swept = 0
    for job_id in job_ids:
        with transaction.atomic():
            updated = ScoringJob.objects.filter(pk=job_id, state=ScoringJob.State.PENDING).update(
                enqueued_at=timezone.now(), enqueue_count=F("enqueue_count") + 1
            )
            if updated:
                swept += 1
                transaction.on_commit(lambda job_id=job_id: enqueue_job(job_id))
    if swept:
        logger.info("Re-enqueued %d stale scoring jobs", swept)
    return swept


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
        subject=f"attempt:{job.attempt.public_id}",
        payload={"job": job.pk, "reason": job.reason, "error": error[:500]},
    )


def note_transient_error(job_id: int, error: BaseException) -> bool:
    """Count a transient failure on the job (best effort: the database may be the problem).

    Returns True when the job has had too many and was marked failed instead.
    """
    limit = int(setting("SCORING_MAX_TRANSIENT_ERRORS", 50))
    message = f"transient error (retried): {type(error).__name__}: {error}"[:4000]
    try:
        connection.close_if_unusable_or_obsolete()
        if connection.in_atomic_block:
            return False
        updated = ScoringJob.objects.filter(pk=job_id, state=ScoringJob.State.PENDING).update(
            retries=F("retries") + 1, last_error=message
        )
        if updated and ScoringJob.objects.filter(pk=job_id, retries__gte=limit).exists():
            fail_scoring_job(job_id, f"gave up after {limit} transient errors; last: {message}")
            return True
    except DatabaseError:
        logger.warning("Could not record a transient error on scoring job %s", job_id)
    return False


@transaction.atomic
def retry_failed_job(job: ScoringJob, *, requested_by: str = "system") -> ScoringJob:
    """Put a failed job back in the outbox (admin "retry" action); the error stays visible
    in the audit chain (``scoring.failed``)."""
    job = ScoringJob.objects.select_for_update().get(pk=job.pk)
    if job.state == ScoringJob.State.FAILED:
        job.state = ScoringJob.State.PENDING
        job.last_error = f"retried by {requested_by} after: {job.last_error}"[:4000]
        job.finished_at = None
        job.retries = 0
        job.enqueued_at = timezone.now()
        job.enqueue_count += 1
        job.save(
            update_fields=[
                "state",
                "last_error",
                "finished_at",
                "retries",
                "enqueued_at",
                "enqueue_count",
            ]
        )
        transaction.on_commit(lambda: enqueue_job(job.pk))
    return job
