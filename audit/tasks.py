"""Celery tasks of the audit log: thin, idempotent."""

from celery import shared_task

from audit import anchors


@shared_task(acks_late=True)
def anchor_audit_chain() -> int | None:
    """Beat: sign the chain head and append it to the anchor file (no-op when unchanged)."""
    anchor = anchors.append_anchor()
    return anchor.seq if anchor else None
