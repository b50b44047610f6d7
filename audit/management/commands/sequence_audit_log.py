"""Sequence the pending audit events now and publish the signed tree heads."""

from django.core.management.base import BaseCommand, CommandError

from audit.anchors import anchor_file_path
from audit.exceptions import AuditError
from audit.selectors import latest_tree_head
from audit.services import sequence_pending_events


class Command(BaseCommand):
    help = (
        "Append every committed pending audit event to the log (what the beat task does every "
        "second), sign the new tree head and append it to the anchor file."
    )

    def handle(self, *args, **options):
        try:
            count = sequence_pending_events(wait=True)
        except (AuditError, OSError) as error:
            raise CommandError(str(error)) from error
        head = latest_tree_head()
        if head is None:
            self.stdout.write("The audit log is empty.")
            return
        self.stdout.write(
            f"Sequenced {count} event(s). Tree head: size {head.tree_size}, root "
            f"{head.root_hash}, signed by {head.key_id}, in {anchor_file_path()}."
        )
