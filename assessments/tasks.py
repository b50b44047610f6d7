"""Celery tasks of the assessments app."""

from celery import shared_task

from assessments import services
from assessments.models import InvitationImport
from outbox.retry import TASK_OPTIONS, run_job


@shared_task(acks_late=True, reject_on_worker_lost=True)
def submit_expired_attempts() -> int:
    """Beat: submit attempts whose server-side deadline has passed."""
    return services.submit_expired_attempts()


@shared_task(**TASK_OPTIONS)
def import_invitations(self, import_id: int) -> None:
    """Invite the rows of a CSV import (batch by batch, resumable) under the outbox's policy."""
    run_job(self, InvitationImport, import_id, services.import_invitations)
