"""The audit log's one table."""

from django.db import models


class AuditEvent(models.Model):
    """One entry of the append-only audit chain.

    ``event_hash`` is the sha256 of the canonical JSON of (seq, time, actor, action, subject,
    payload, prev_hash), so changing, removing or reordering any row breaks every later link.
    """

    seq = models.PositiveBigIntegerField(unique=True)
    occurred_at = models.DateTimeField()
    actor = models.CharField(max_length=200, help_text="user:<id>, candidate:<attempt>, or system")
    action = models.CharField(max_length=80, db_index=True)
    subject = models.CharField(max_length=200, db_index=True)
    payload = models.TextField(help_text="Canonical JSON")
    prev_hash = models.CharField(max_length=64)
    event_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        # The table keeps the name it had when the log lived in compliance: no data moves.
        db_table = "compliance_auditevent"
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.subject}"
