"""Celery tasks of the compliance app: thin, idempotent."""

from celery import shared_task

from compliance import anchors, services


@shared_task(acks_late=True)
def anchor_audit_chain() -> int | None:
    """Beat: sign the chain head and append it to the anchor file (no-op when unchanged)."""
    anchor = anchors.append_anchor()
    return anchor.seq if anchor else None


@shared_task(acks_late=True)
def erase_expired_personal_data() -> int:
    """Beat: erase the personal data of candidates past DATA_RETENTION_DAYS."""
    return services.erase_expired_personal_data()
