"""The one retry policy of every outbox task, and the one way a task runs its row.

Celery's own exponential backoff (``retry_backoff``, ``retry_backoff_max``, ``retry_jitter``):
waits of up to 2, 4, 8 … 256 s, then up to 300 s each (full jitter, so retries of a burst do
not arrive together). Every wait stays far below the broker's visibility timeout (an hour),
which redelivers an unacknowledged message. ``MAX_RETRIES`` = 24 spans about 45 minutes on
average (95 at most): a database failover, an SMTP outage or an issuer key being provisioned
outlasts a handful of retries but not this; after it the row is failed, visibly, for the
admin's retry action, and nothing is lost.

The retries are counted on the row, not only in the message: a message the sweeper sends
again (the first one lost) continues the backoff where the row left it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from celery.utils.time import get_exponential_backoff_interval
from django.db import InterfaceError, OperationalError

from outbox import services
from outbox.models import OutboxJob

logger = logging.getLogger(__name__)

MAX_RETRIES = 24

# Spread into every outbox task's @shared_task(...): late acks, redelivery of a message whose
# worker died, and the backoff parameters ``retry_later`` reads from the task.
TASK_OPTIONS: dict[str, Any] = {
    "bind": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "retry_backoff": 2,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": MAX_RETRIES,
}

# A lost connection, a lock timeout, a failover: worth trying again for every kind of job.
TRANSIENT_DATABASE_ERRORS: tuple[type[BaseException], ...] = (OperationalError, InterfaceError)


def backoff_seconds(task, retries: int) -> int:
    """The wait before retry number ``retries + 1``, by the task's Celery backoff options."""
    return get_exponential_backoff_interval(
        factor=task.retry_backoff,
        retries=retries,
        maximum=task.retry_backoff_max,
        full_jitter=task.retry_jitter,
    )


def retry_later(
    task, model: type[OutboxJob], job_id: int, error: BaseException, fail: Callable
) -> None:
    """Count a transient failure on the row and retry the task after the backoff, or
    ``fail(job_id, error)`` the row once it has had ``max_retries``."""
    done_so_far = max(task.request.retries, _row_retries(model, job_id))
    if done_so_far >= task.max_retries:
        fail(job_id, f"gave up after {done_so_far} retries; last: {type(error).__name__}: {error}")
        return
    countdown = backoff_seconds(task, done_so_far)
    services.note_retry(model, job_id, error, countdown)
    raise task.retry(exc=error, countdown=countdown) from error


def _row_retries(model: type[OutboxJob], job_id: int) -> int:
    try:
        return model.objects.filter(pk=job_id).values_list("retries", flat=True).first() or 0
    except TRANSIENT_DATABASE_ERRORS:
        return 0


def run_job(
    task,
    model: type[OutboxJob],
    job_id: int,
    work: Callable[[int], Any],
    *,
    transient: tuple[type[BaseException], ...] = (),
    permanent: tuple[type[BaseException], ...] = (),
    fail: Callable[[int, str], Any] | None = None,
) -> Any:
    """Run ``work(job_id)`` (which marks its row done) under the policy: a ``permanent`` error
    fails the row; a transient one (``transient`` and the database's) retries with backoff;
    anything else is a bug and fails the row too, with its type, rather than vanish in a log.

    ``fail(job_id, error)`` is the kind's own failing service (e.g. one that audits it);
    ``outbox.services.fail`` by default.
    """
    fail = fail or (lambda failed_id, error: services.fail(model, failed_id, error))
    try:
        return work(job_id)
    except permanent as error:
        fail(job_id, str(error))
    except TRANSIENT_DATABASE_ERRORS + transient as error:
        retry_later(task, model, job_id, error, fail)
    except Exception as error:
        logger.exception("%s %s failed", model._meta.label, job_id)
        fail(job_id, f"{type(error).__name__}: {error}")
    return None
