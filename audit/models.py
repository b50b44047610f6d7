"""The audit log's tables: events (appended by writers, sequenced later) and signed tree heads."""

from django.db import models


class AuditEvent(models.Model):
    """One entry of the append-only audit log.

    A writer inserts the event with no sequence number, in its own transaction, taking no lock.
    The sequencer later gives it the next ``seq``, the hash of the event before it
    (``prev_hash``), ``event_hash`` = sha256 and ``leaf_hash`` = the RFC 9162 leaf hash of its
    canonical bytes (seq, time, actor, action, subject, payload, prev_hash); the database
    refuses any other change and every delete.
    """

    seq = models.PositiveBigIntegerField(
        unique=True, null=True, blank=True, help_text="Empty while the event is pending."
    )
    occurred_at = models.DateTimeField()
    actor = models.CharField(max_length=200, help_text="user:<id>, candidate:<attempt>, or system")
    action = models.CharField(max_length=80, db_index=True)
    subject = models.CharField(max_length=200, db_index=True)
    payload = models.TextField(help_text="Canonical JSON")
    prev_hash = models.CharField(max_length=64, blank=True)
    event_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    leaf_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        # The table keeps the name it had when the log lived in compliance: no data moves.
        db_table = "compliance_auditevent"
        # Sequenced events in log order, then pending ones in the order they were recorded.
        ordering = ["seq", "id"]
        constraints = [
            # Sequenced means every link is set; pending means none is.
            models.CheckConstraint(
                condition=(
                    models.Q(seq__isnull=True, event_hash__isnull=True, prev_hash="", leaf_hash="")
                    | (
                        models.Q(seq__isnull=False, event_hash__isnull=False)
                        & ~models.Q(prev_hash="")
                        & ~models.Q(leaf_hash="")
                    )
                ),
                name="audit_event_sequenced_whole",
            ),
        ]
        indexes = [
            # The sequencer's and the health check's question: which events are pending?
            models.Index(
                fields=["id"], condition=models.Q(seq__isnull=True), name="audit_event_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.seq or 'pending'} {self.action} {self.subject}"


class TreeHead(models.Model):
    """A signed tree head (RFC 9162 §4.10): the log's first ``tree_size`` events had this root.

    The signature covers the canonical JSON of ``{"root_hash", "timestamp", "tree_size"}``; the
    line appended to the anchor file outside the database is what verification trusts. The
    frontier (roots of the tree's perfect subtrees) lets the next batch extend the tree without
    reading old events.
    """

    tree_size = models.PositiveBigIntegerField(unique=True)
    root_hash = models.CharField(max_length=64)
    timestamp = models.PositiveBigIntegerField(help_text="Milliseconds since the Unix epoch.")
    signature = models.CharField(max_length=100, help_text="Ed25519, base64")
    key_id = models.CharField(max_length=40)
    frontier = models.JSONField(help_text="Hex roots of the perfect subtrees, largest first.")

    class Meta:
        ordering = ["tree_size"]

    def __str__(self) -> str:
        return f"Tree head {self.tree_size} {self.root_hash[:16]}"
