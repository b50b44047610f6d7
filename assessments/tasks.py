"""Celery tasks of the assessments app."""

from celery import shared_task

from assessments import services


@shared_task(acks_late=True, reject_on_worker_lost=True)
def submit_expired_attempts() -> int:
    """Beat: submit attempts whose server-side deadline has passed."""
    return services.submit_expired_attempts()
