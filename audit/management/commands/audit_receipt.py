"""Print the receipt of a subject's audit events: their bytes, inclusion proofs and signed head."""

import json

from django.core.management.base import BaseCommand, CommandError

from audit.exceptions import AuditError
from audit.selectors import audit_receipt
from audit.services import sequence_pending_events


class Command(BaseCommand):
    help = (
        "Print one JSON object proving that every audit event of SUBJECT (e.g. "
        "attempt:<public id>) is in the log the operator signed: checkable with the public key "
        "alone, without the database."
    )

    def add_arguments(self, parser):
        parser.add_argument("subject", help="e.g. attempt:<public id> or invitation:<public id>")

    def handle(self, *args, subject, **options):
        try:
            # Events committed a moment ago are included, not left pending.
            sequence_pending_events(wait=True)
            receipt = audit_receipt(subject)
        except (AuditError, OSError) as error:
            raise CommandError(str(error)) from error
        if not receipt["entries"]:
            raise CommandError(f"The audit log holds no event about {subject!r}.")
        self.stdout.write(json.dumps(receipt, indent=2))
