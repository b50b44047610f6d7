"""The outbox: background work as database rows, so a lost message never loses the work.

A row is written in the same transaction as the state change that needs it; the message that
runs it leaves on commit (``outbox.services.enqueue_on_commit``); ``outbox.services.sweep``
sends it again when it stayed pending too long (Redis may lose its queue, the database does
not). Every kind of job subclasses ``OutboxJob`` and names the task that runs one row.
"""

from typing import ClassVar

from django.db import models


class OutboxJob(models.Model):
    """One unit of background work: pending until its task marks it done or failed."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    # The dotted name of the shared_task that runs one row, given its id (routing by name).
    task_name: ClassVar[str] = ""

    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the last message was sent, or when a retry's message is due: the sweeper sends
    # again only what is still pending OUTBOX_STALE_SECONDS after this.
    enqueued_at = models.DateTimeField(null=True, blank=True)
    enqueue_count = models.PositiveIntegerField(default=0)
    # Transient failures (lost connection, SMTP down) retried so far: the retry policy's count
    # lives on the row, so a message re-sent by the sweeper does not start the backoff again.
    retries = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "enqueued_at"], name="%(class)s_outbox_due")]


class Email(OutboxJob):
    """An email to send, rendered by the app that wants it sent (see ``queue_email``).

    The bodies are blanked once sent: they may carry a one-time link, which is a secret.
    """

    task_name = "outbox.tasks.send_email"

    # What the email is about, e.g. "invitation:<uuid>": for the admin and for erasure.
    reference = models.CharField(max_length=200, blank=True, db_index=True)
    from_email = models.CharField(max_length=300)
    to = models.JSONField(help_text="The recipients' addresses.")
    subject = models.CharField(max_length=998)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)

    class Meta(OutboxJob.Meta):
        verbose_name = "email"

    def __str__(self) -> str:
        return f"Email {self.pk} to {', '.join(self.to)} ({self.state})"
