"""The scoring outbox: a ``ScoringJob`` row written with the state change, sent after commit.

The row, the sweeper and the retry policy are the shared ``outbox`` app's; what is scoring's
own is which attempt a job scores and that a failure is an audited event.
"""

from __future__ import annotations

from django.db import transaction

from audit.services import Action, record_event
from outbox import services as outbox
from scoring.models import ScoringJob


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
        **outbox.pending_fields(),
    )
    outbox.enqueue_on_commit(job)
    return job


@transaction.atomic
def fail_scoring_job(job_id: int, error: str) -> None:
    """Mark a job failed with its error, for the admin's retry action; audited."""
    job = outbox.fail(ScoringJob, job_id, error)
    if job is None:
        return
    record_event(
        Action.SCORING_FAILED,
        actor="system",
        subject=f"attempt:{job.attempt.public_id}",
        payload={"job": job.pk, "reason": job.reason, "error": error[:500]},
    )
