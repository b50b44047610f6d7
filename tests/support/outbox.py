"""Emails in tests: the outbox rows a test wrote, sent in this process by the same service the
email task runs (Django's test backend then holds them in ``mail.outbox``)."""

from outbox import services
from outbox.models import Email, OutboxJob


def send_queued_emails(about: str = "") -> int:
    """Send every pending email whose reference starts with ``about``, oldest first; returns
    how many went out."""
    pending = Email.objects.filter(state=OutboxJob.State.PENDING, reference__startswith=about)
    return sum(
        services.send_email(pk) for pk in pending.order_by("pk").values_list("pk", flat=True)
    )
