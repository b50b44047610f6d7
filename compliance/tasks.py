"""Celery tasks of the compliance app: thin, idempotent."""

from celery import shared_task

from compliance import services


@shared_task(acks_late=True)
def erase_expired_personal_data() -> int:
    """Beat: erase the personal data of candidates past DATA_RETENTION_DAYS."""
    return services.erase_expired_personal_data()
