"""Create a draft from an assessment YAML file; a bad file changes nothing."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments.authoring.files import DocumentFileError
from assessments.authoring.services import import_draft


class Command(BaseCommand):
    help = (
        "Create an assessment draft from a YAML file. Problems are listed with the document "
        "path and the line they concern, and nothing is created."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The YAML file to import ('-' reads standard input).")

    def handle(self, *args, file: str, **options):
        if file == "-":
            text = sys.stdin.read()
        else:
            try:
                text = Path(file).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                raise CommandError(f"Cannot read {file}: {error}") from error
        try:
            draft = import_draft(text)
        except DocumentFileError as error:
            for message in error.errors:
                self.stderr.write(f"{file}: {message}")
            raise CommandError(
                f"{file}: {len(error.errors)} problem(s); nothing was imported."
            ) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Created draft {draft.pk} of '{draft.slug}' ({draft.steps.count()} steps)."
            )
        )
