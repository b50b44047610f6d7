"""Webhook deliveries, on their own queue: a slow receiver delays only other deliveries."""

from celery import shared_task
from django.conf import settings

from outbox.retry import TASK_OPTIONS, run_job
from webhooks import services
from webhooks.exceptions import ReceiverFailed, TargetRefused
from webhooks.models import Delivery

# The one retry policy, stretched for receivers: backoff from WEBHOOK_RETRY_BASE_SECONDS up to
# 50 minutes a wait (below the broker's one-hour visibility timeout); with full jitter a wait
# averages half its bound, so 60 retries take about 22 hours: a day of trying before the
# delivery fails, for the admin's redeliver action.
WEBHOOK_TASK_OPTIONS = TASK_OPTIONS | {
    "retry_backoff": settings.WEBHOOK_RETRY_BASE_SECONDS,
    "retry_backoff_max": 3000,
    "max_retries": 60,
}


@shared_task(**WEBHOOK_TASK_OPTIONS)
def deliver_webhook(self, delivery_id: int) -> None:
    run_job(
        self,
        Delivery,
        delivery_id,
        services.deliver,
        transient=(ReceiverFailed,),
        permanent=(TargetRefused,),
    )
