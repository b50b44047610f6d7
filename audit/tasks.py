"""Celery tasks of the audit log: thin, idempotent."""

from celery import shared_task

from audit import services


@shared_task(acks_late=True, ignore_result=True)
def sequence_audit_log() -> int:
    """Beat, every second: append the pending events; a no-op while another sequencer runs."""
    return services.sequence_pending_events()
