"""Sign the audit chain's head and append it to the anchor file outside the database."""

from django.core.management.base import BaseCommand, CommandError

from audit.anchors import AnchorError, anchor_file_path, append_anchor, read_anchors


class Command(BaseCommand):
    help = "Sign the current head of the audit chain and append it to the anchor file."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Append even when the head is already anchored."
        )

    def handle(self, *args, force=False, **options):
        try:
            anchor = append_anchor(force=force)
        except (AnchorError, OSError) as error:
            raise CommandError(str(error)) from error
        if anchor is None:
            last = read_anchors().last
            where = f"sequence {last.seq}" if last else "nothing (the chain is empty)"
            self.stdout.write(f"Nothing new to anchor: the head is {where}.")
            return
        self.stdout.write(
            f"Anchored sequence {anchor.seq} ({anchor.event_hash}) in {anchor_file_path()}, "
            f"signed by {anchor.key_id}."
        )
