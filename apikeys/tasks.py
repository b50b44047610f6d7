from celery import shared_task

from apikeys.idempotency import forget_old_responses


@shared_task(acks_late=True)
def forget_old_idempotent_responses() -> int:
    """Beat: the table keeps a day of POST responses, also for keys that never POST again."""
    return forget_old_responses()
