"""The outbox's writes: send a row's message after commit, sweep stale rows of every kind,
count a transient failure, fail a row, put a failed row back; and queue an email.

Each kind of job keeps its own domain work (and marks its row done in that work's
transaction); what every kind shares lives here once.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta

from celery import current_app
from django.apps import apps
from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.utils import timezone

from outbox.models import Email, OutboxJob

logger = logging.getLogger(__name__)

MAX_ERROR_CHARS = 4000


def outbox_models() -> list[type[OutboxJob]]:
    """Every installed kind of outbox job (each app's concrete subclasses)."""
    return [model for model in apps.get_models() if issubclass(model, OutboxJob)]


def enqueue(model: type[OutboxJob], job_id: int) -> None:
    """Send the message that runs one row (routed by task name to its workload's queue)."""
    current_app.send_task(model.task_name, args=[job_id])


def enqueue_on_commit(job: OutboxJob) -> None:
    """Send the row's message once the caller's transaction commits (at once outside one)."""
    model, job_id = type(job), job.pk
    transaction.on_commit(lambda: enqueue(model, job_id))


def enqueue_again_on_commit(job: OutboxJob) -> None:
    """Send a pending row's next message after commit, for work done a step per task: the
    row counts it and is due again from now (so the sweeper waits for this message first)."""
    job.enqueued_at = timezone.now()
    job.enqueue_count += 1
    job.save(update_fields=["enqueued_at", "enqueue_count"])
    enqueue_on_commit(job)


def pending_fields() -> dict:
    """The fields of a row whose first message leaves on commit: pass to ``create``."""
    return {"state": OutboxJob.State.PENDING, "enqueued_at": timezone.now(), "enqueue_count": 1}


def stale_after() -> timedelta:
    """OUTBOX_STALE_SECONDS: how long a pending row waits before the sweeper sends it again."""
    return timedelta(seconds=settings.OUTBOX_STALE_SECONDS)


def sweep_model(model: type[OutboxJob], stale: timedelta | None = None, limit: int = 1000) -> int:
    """Send again the messages of one kind's rows left pending too long; returns how many."""
    cutoff = timezone.now() - (stale_after() if stale is None else stale)
    job_ids = list(
        model.objects.filter(state=OutboxJob.State.PENDING, enqueued_at__lte=cutoff)
        .order_by("enqueued_at")
        .values_list("pk", flat=True)[:limit]
    )
    swept = 0
    for job_id in job_ids:
        with transaction.atomic():
            # Guarded by the state and the due time, so a row done (or retried) meanwhile stays.
            updated = model.objects.filter(
                pk=job_id, state=OutboxJob.State.PENDING, enqueued_at__lte=cutoff
            ).update(enqueued_at=timezone.now(), enqueue_count=F("enqueue_count") + 1)
            if updated:
                swept += 1
                transaction.on_commit(lambda job_id=job_id: enqueue(model, job_id))
    if swept:
        logger.info("Re-enqueued %d stale %s rows", swept, model._meta.label)
    return swept


def sweep(stale: timedelta | None = None, limit: int = 1000) -> dict[str, int]:
    """The one sweeper: every kind's stale rows sent again; returns counts by model label."""
    return {model._meta.label: sweep_model(model, stale, limit) for model in outbox_models()}


def fail(model: type[OutboxJob], job_id: int, error: str) -> OutboxJob | None:
    """Mark a pending row failed with its error (for the admin's retry); the row when it
    changed, None when it was no longer pending. Runs in the caller's transaction, if any."""
    with transaction.atomic():
        job = model.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.state != OutboxJob.State.PENDING:
            return None
        job.state = OutboxJob.State.FAILED
        job.last_error = error[:MAX_ERROR_CHARS]
        job.finished_at = timezone.now()
        job.save(update_fields=["state", "last_error", "finished_at"])
    logger.error("%s %s failed: %s", model._meta.label, job_id, error[:500])
    return job


def mark_done(job: OutboxJob) -> None:
    """Mark a row done, in the transaction of the work it stood for."""
    job.state = OutboxJob.State.DONE
    job.finished_at = timezone.now()
    job.save(update_fields=["state", "finished_at"])


def note_retry(model: type[OutboxJob], job_id: int, error: BaseException, countdown: float) -> int:
    """Count a transient failure on the row and move its due time past the retry, so the
    sweeper does not send a second message while the retry waits; returns the row's count
    (best effort: the database may be what failed, then -1)."""
    message = f"transient error (retrying): {type(error).__name__}: {error}"[:MAX_ERROR_CHARS]
    try:
        connection.close_if_unusable_or_obsolete()
        if connection.in_atomic_block:
            return -1
        due = timezone.now() + timedelta(seconds=countdown)
        model.objects.filter(pk=job_id, state=OutboxJob.State.PENDING).update(
            retries=F("retries") + 1, last_error=message, enqueued_at=due
        )
        return model.objects.filter(pk=job_id).values_list("retries", flat=True).first() or 0
    except DatabaseError:
        logger.warning("Could not record a transient error on %s %s", model._meta.label, job_id)
        return -1


def retry_failed(job: OutboxJob, *, requested_by: str = "system") -> OutboxJob:
    """Put a failed row back in the outbox (an admin's "retry" action); its retries start
    again and its last error stays readable in the note."""
    model = type(job)
    with transaction.atomic():
        job = model.objects.select_for_update().get(pk=job.pk)
        if job.state == OutboxJob.State.FAILED:
            job.state = OutboxJob.State.PENDING
            job.last_error = f"retried by {requested_by} after: {job.last_error}"[:MAX_ERROR_CHARS]
            job.finished_at = None
            job.retries = 0
            job.enqueued_at = timezone.now()
            job.enqueue_count += 1
            job.save(
                update_fields=[
                    "state",
                    "last_error",
                    "finished_at",
                    "retries",
                    "enqueued_at",
                    "enqueue_count",
                ]
            )
            enqueue_on_commit(job)
    return job


# --- Email -------------------------------------------------------------------------------------


def queue_email(message: EmailMessage, *, reference: str = "") -> Email:
    """Write an email to the outbox in the caller's transaction; it is sent after commit by
    ``outbox.tasks.send_email``, with retries, on the email queue."""
    html = next(
        (
            content
            for content, mimetype in getattr(message, "alternatives", [])
            if mimetype == "text/html"
        ),
        "",
    )
    email = Email.objects.create(
        reference=reference[:200],
        from_email=message.from_email or settings.DEFAULT_FROM_EMAIL,
        to=list(message.to),
        subject=message.subject,
        body_text=message.body,
        body_html=html,
        **pending_fields(),
    )
    enqueue_on_commit(email)
    return email


def send_email(email_id: int) -> bool:
    """Send one queued email exactly when it is still pending; True when it went out.

    The row stays locked while the SMTP server answers, so a duplicate message waits and then
    finds it done. A crash between the server's answer and the commit sends it twice: email
    is at least once.
    """
    with transaction.atomic():
        email = (
            Email.objects.select_for_update(skip_locked=True)
            .filter(pk=email_id, state=OutboxJob.State.PENDING)
            .first()
        )
        if email is None:
            return False
        message = EmailMultiAlternatives(
            email.subject, email.body_text, email.from_email, list(email.to)
        )
        if email.body_html:
            message.attach_alternative(email.body_html, "text/html")
        message.send()
        email.body_text = email.body_html = ""
        email.save(update_fields=["body_text", "body_html"])
        mark_done(email)
    return True


def erase_emails_to(address: str, *, pending_too: bool) -> int:
    """Delete the emails to an address (for a candidate's erasure); returns how many.

    Sent and failed ones always go; pending ones only with ``pending_too``, as another
    invitation to the same address may still be waiting for its email.
    """
    # The JSON text of the list holds the address as a quoted string: a whole-address match.
    emails = Email.objects.filter(to__icontains=json.dumps(address))
    if not pending_too:
        emails = emails.exclude(state=OutboxJob.State.PENDING)
    return emails.delete()[0]
