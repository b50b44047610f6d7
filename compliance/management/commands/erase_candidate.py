"""Erase a candidate's personal data (e.g. after a request by email); scores stay."""

import uuid

from django.core.management.base import BaseCommand, CommandError

from assessments.models import Invitation
from compliance import services
from compliance.exceptions import ErasureRefused
from compliance.models import ErasureRecord
from compliance.selectors import find_invitations


class Command(BaseCommand):
    help = "Erase the personal data of a candidate (every invitation to an email, or one)."

    def add_arguments(self, parser):
        scope = parser.add_mutually_exclusive_group(required=True)
        scope.add_argument("--email")
        scope.add_argument("--invitation", help="The invitation's public id.")

    def handle(self, *args, **options):
        if options["email"]:
            invitations = list(find_invitations(options["email"]))
        else:
            try:
                public_id = uuid.UUID(options["invitation"])
            except ValueError as error:
                raise CommandError("That is not an invitation id.") from error
            invitations = list(Invitation.objects.filter(public_id=public_id))
        if not invitations:
            raise CommandError("No invitation matches.")
        refused = 0
        for invitation in invitations:
            try:
                record = services.erase_candidate(
                    invitation, reason=ErasureRecord.Reason.STAFF, actor="system:cli"
                )
            except ErasureRefused as refusal:
                self.stderr.write(f"Invitation {invitation.public_id} not erased: {refusal}")
                refused += 1
                continue
            self.stdout.write(
                f"Erased invitation {invitation.public_id} "
                f"(audit event id {record.audit_event_id})."
            )
        if refused:
            raise CommandError(f"{refused} invitation(s) not erased: an attempt is in progress.")
