"""Write every issued credential as DIR/<uuid>.json, byte for byte as signed."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from credentials.models import Credential


class Command(BaseCommand):
    help = "Export every issued credential as <uuid>.json into a directory (backups, other tools)."

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="directory to write into (created)")

    def handle(self, *args, **options):
        directory = Path(options["output"])
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise CommandError(f"Cannot create {directory}: {error.strerror}") from error
        count = 0
        rows = Credential.objects.order_by("pk").values_list("public_id", "document")
        for public_id, document in rows.iterator(chunk_size=500):
            target = directory / f"{public_id}.json"
            temporary = target.with_suffix(".json.tmp")
            temporary.write_text(document, encoding="utf-8")
            temporary.replace(target)
            count += 1
        self.stdout.write(f"Wrote {count} credential(s) to {directory}.")
