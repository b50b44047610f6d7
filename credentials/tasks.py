"""Celery tasks of the credentials app: thin, idempotent, ids in.

How a pass reaches `issue_credentials` without scoring importing credentials:
- a Celery `task_success` receiver below sends `request_issuance_for_run(run_id)` as soon as
  `scoring.tasks.score_attempt` returns a run, so the candidate does not wait for beat. It
  only sends a message (it carries no domain logic), and it needs no import of scoring;
- `request_issuance_for_passes` on beat catches a pass whose message was lost.
The job's own message, when lost, is the outbox sweeper's (`outbox.tasks.sweep_outboxes`).
"""

from celery import shared_task
from celery.signals import task_success

from credentials import services
from credentials.exceptions import IssuerKeyError, PermanentIssuanceError
from credentials.models import IssuanceJob
from outbox.retry import TASK_OPTIONS, run_job

SCORING_TASK = "scoring.tasks.score_attempt"


@shared_task(**TASK_OPTIONS)
def issue_credentials(self, job_id: int) -> None:
    """Issue the job's credential under the outbox's retry policy: a missing issuer key is
    transient (someone is provisioning it), a document that cannot sign fails the job."""
    run_job(
        self,
        IssuanceJob,
        job_id,
        services.issue_credential,
        transient=(IssuerKeyError,),
        permanent=(PermanentIssuanceError,),
    )


@shared_task(acks_late=True, ignore_result=True)
def request_issuance_for_run(run_id: int) -> int:
    """After a scoring: the job of this run, when it is a pass that has none yet."""
    return services.request_issuance_for_passes(run_id=run_id)


@shared_task(acks_late=True, ignore_result=True)
def request_issuance_for_passes() -> int:
    """Beat: the jobs of passes whose after-scoring message was lost."""
    return services.request_issuance_for_passes()


@task_success.connect
def _request_issuance_after_scoring(sender=None, result=None, **kwargs) -> None:
    if getattr(sender, "name", None) == SCORING_TASK and result is not None:
        request_issuance_for_run.delay(result)
