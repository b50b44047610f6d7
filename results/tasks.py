"""Celery tasks of the results app: thin, ids in."""

from celery import shared_task

from results import services


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def send_results_digests() -> int:
    """Beat, daily: each subscriber's "new results" email (a no-op for those already sent)."""
    return services.send_due_digests()
