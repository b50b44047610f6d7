"""Celery tasks of the scoring app: thin, idempotent, ids in."""

from celery import shared_task
from django.db import OperationalError

from scoring import services
from scoring.exceptions import PermanentScoringError


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=2,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=8,
)
def score_attempt(self, job_id: int) -> None:
    """Score one job; transient database errors retry with backoff, permanent ones fail the job."""
    try:
        services.run_scoring_job(job_id)
    except PermanentScoringError as error:
        services.fail_scoring_job(job_id, str(error))


@shared_task(acks_late=True)
def sweep_scoring_jobs() -> int:
    """Beat: re-enqueue scoring jobs left pending too long."""
    return services.sweep_stale_jobs()
