"""Celery tasks of the outbox: send one email, and the one sweeper of every kind of job."""

from smtplib import SMTPRecipientsRefused, SMTPSenderRefused

from celery import shared_task

from outbox import services
from outbox.models import Email
from outbox.retry import TASK_OPTIONS, run_job


@shared_task(**TASK_OPTIONS)
def send_email(self, email_id: int) -> bool | None:
    """Send a queued email; SMTP and network errors retry (an address the server refuses
    does not: it fails, visibly, in the admin)."""
    return run_job(
        self,
        Email,
        email_id,
        services.send_email,
        permanent=(SMTPRecipientsRefused, SMTPSenderRefused),
        transient=(OSError,),
    )


@shared_task(acks_late=True, ignore_result=True)
def sweep_outboxes() -> dict[str, int]:
    """Beat: send again every kind's jobs left pending too long (their message was lost)."""
    return services.sweep()
