"""Celery tasks of the compliance app: thin, idempotent."""

from celery import shared_task

from compliance import services
from compliance.models import RecordsPackage
from outbox.retry import TASK_OPTIONS, run_job


@shared_task(acks_late=True)
def erase_expired_personal_data() -> int:
    """Beat: erase the personal data of candidates past their retention period."""
    return services.erase_expired_personal_data()


@shared_task(**TASK_OPTIONS)
def build_records_package(self, package_id: int) -> None:
    """Build a requested records package under the outbox's retry policy (reports queue)."""
    run_job(self, RecordsPackage, package_id, services.build_records_package)
