"""Write an assessment as a YAML file: its latest published version, or its newest draft."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments.authoring.models import AssessmentDraft
from assessments.authoring.services import export_text
from assessments.models import AssessmentVersion


class Command(BaseCommand):
    help = (
        "Write an assessment as YAML (the assessment document format). By default the latest "
        "published version; with --number a given one; with --draft the newest draft."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The assessment's slug.")
        parser.add_argument("--number", type=int, help="Version number (default: the latest).")
        parser.add_argument(
            "--draft", action="store_true", help="Export the newest draft with this slug instead."
        )
        parser.add_argument("-o", "--output", help="File to write (default: standard output).")

    def handle(self, *args, slug: str, number: int | None, draft: bool, output, **options):
        if draft:
            source = AssessmentDraft.objects.filter(slug=slug).order_by("-updated_at").first()
            if source is None:
                raise CommandError(f"No draft with slug '{slug}'.")
        else:
            versions = AssessmentVersion.objects.filter(assessment__slug=slug)
            if number is not None:
                versions = versions.filter(number=number)
            source = versions.order_by("-number").first()
            if source is None:
                which = f"version {number} of " if number is not None else "published version of "
                raise CommandError(f"No {which}'{slug}'.")
        text = export_text(source)
        if output:
            Path(output).write_bytes(text.encode("utf-8"))
            self.stderr.write(f"Wrote {output}")
        else:
            self.stdout.write(text, ending="")
