"""Write the audit export of an assessment (or one candidate) as CSV, JSON or PDF."""

import sys

from django.core.management.base import BaseCommand, CommandError

from compliance import selectors, services
from compliance.exceptions import ComplianceError
from compliance.reporting.audit_export import tree_head_text


class Command(BaseCommand):
    help = (
        "Export, for every attempt at an assessment (or one candidate's), the version hash, each "
        "criterion's points, level, method, confidence and evidence, model hashes, review "
        "decisions, timestamps and the audit chain head. Streams: any number of attempts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--assessment", required=True, help="The assessment's slug.")
        parser.add_argument("--format", choices=services.AUDIT_EXPORT_FORMATS, default="csv")
        parser.add_argument(
            "--output", required=True, help="File to write ('-' for standard output, CSV/JSON)."
        )
        scope = parser.add_mutually_exclusive_group()
        scope.add_argument("--candidate", help="Only this candidate's attempts (email).")
        scope.add_argument("--attempt", help="Only this attempt (its public id).")

    def handle(self, *args, **options):
        fmt, output = options["format"], options["output"]
        if output == "-" and fmt == "pdf":
            raise CommandError("Write a PDF to a file: --output report.pdf")
        try:
            assessment = selectors.assessment_by_slug(options["assessment"])
            export = services.start_audit_export(
                assessment,
                format=fmt,
                actor="system:cli",
                candidate_email=options["candidate"],
                attempt_id=options["attempt"],
            )
        except ComplianceError as error:
            raise CommandError(str(error)) from error
        if output == "-":
            for chunk in export.chunks():
                sys.stdout.write(chunk)
            return
        with open(output, "wb") as handle:
            export.write_to(handle)
        self.stderr.write(
            f"Wrote {output} (audit event id {export.event.pk}, covering the signed tree "
            f"head {tree_head_text(export.header['tree_head'])})."
        )
