"""Celery tasks of the credentials app: thin, idempotent, ids in.

How a pass reaches `issue_credentials` without scoring importing credentials:
- `sweep_issuance` runs on beat every few seconds (CELERY_BEAT_SCHEDULE) and writes the
  outbox rows for passed runs, then enqueues `issue_credentials(job_id)` after commit;
- and, so the candidate does not wait for the next beat, a Celery `task_success` receiver
  below enqueues the same sweep as soon as `scoring.tasks.score_attempt` finishes in a worker.
  It only sends a message (it carries no domain logic), and it needs no import of scoring.
"""

from celery import shared_task
from celery.signals import task_success
from django.db import OperationalError

from credentials import services
from credentials.exceptions import IssuerKeyError, PermanentIssuanceError

SCORING_TASK = "scoring.tasks.score_attempt"


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
def issue_credentials(self, job_id: int) -> None:
    """Issue the job's credential; a missing key retries, a document that cannot sign fails."""
    try:
        services.issue_credential(job_id)
    except PermanentIssuanceError as error:
        services.fail_issuance_job(job_id, str(error))
    except IssuerKeyError as error:
        if self.request.retries >= 5:
            services.fail_issuance_job(job_id, str(error))
            return
        raise self.retry(exc=error, countdown=30 * (self.request.retries + 1)) from error


@shared_task(acks_late=True, ignore_result=True)
def sweep_issuance() -> int:
    """Beat (and after every scoring): jobs for new passes, stale jobs again, unsent emails."""
    return services.sweep_issuance()


@task_success.connect
def _sweep_after_scoring(sender=None, **kwargs) -> None:
    if getattr(sender, "name", None) == SCORING_TASK:
        sweep_issuance.delay()
