"""Compute the LL144 bias audit of an assessment and write it as JSON, CSV, PDF or HTML, or
publish it as a dated public summary (--publish)."""

import sys
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from compliance import selectors, services
from compliance.exceptions import ComplianceError
from compliance.models import PublishedBiasAudit


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"{text!r} is not a date (YYYY-MM-DD).") from error


class Command(BaseCommand):
    help = (
        "Bias audit (NYC Local Law 144 method): selection rates (passed, and advanced by a "
        "recruiter) and scoring rates, impact ratios, four-fifths flags and significance tests "
        "by sex, race/ethnicity and both."
    )

    def add_arguments(self, parser):
        parser.add_argument("--assessment", required=True, help="The assessment's slug.")
        parser.add_argument("--from", dest="date_from", help="First submission date (YYYY-MM-DD).")
        parser.add_argument("--to", dest="date_to", help="Last submission date (YYYY-MM-DD).")
        parser.add_argument(
            "--exclude-small-categories",
            action="store_true",
            help="Leave categories under 2%% of the data out of the impact ratios (the LL144 "
            "option); the report names them.",
        )
        parser.add_argument("--format", choices=services.BIAS_AUDIT_FORMATS, default="json")
        parser.add_argument("--output", default="-", help="File to write (default: stdout).")
        publishing = parser.add_argument_group("publishing a summary (--publish)")
        publishing.add_argument(
            "--publish",
            action="store_true",
            help="Publish the audit as a dated, immutable summary at /bias-audit/SLUG/.",
        )
        publishing.add_argument("--audit-date", help="The day it was conducted (default today).")
        publishing.add_argument("--auditor", default="", help="The independent auditor's name.")
        publishing.add_argument(
            "--first-used", help="The day the tool was first used (default: the first attempt)."
        )
        publishing.add_argument(
            "--test-data",
            metavar="EXPLANATION",
            help="The data is test data: why historical data was not used, how it was made.",
        )
        publishing.add_argument(
            "--exclusion-reason",
            default="",
            help="Why small categories are left out (required with --exclude-small-categories).",
        )

    def handle(self, *args, **options):
        date_from = _date(options["date_from"]) if options["date_from"] else None
        date_to = _date(options["date_to"]) if options["date_to"] else None
        if options["publish"]:
            self._publish(options, date_from=date_from, date_to=date_to)
            return
        if options["format"] == "pdf" and options["output"] == "-":
            raise CommandError("Write a PDF to a file: --output bias-audit.pdf")
        try:
            assessment = selectors.assessment_by_slug(options["assessment"])
            result = services.export_bias_audit(
                assessment,
                format=options["format"],
                actor="system:cli",
                date_from=date_from,
                date_to=date_to,
                exclude_small_categories=options["exclude_small_categories"],
            )
        except ComplianceError as error:
            raise CommandError(str(error)) from error
        if options["output"] == "-":
            sys.stdout.buffer.write(result.content)
            sys.stdout.flush()
            return
        with open(options["output"], "wb") as handle:
            handle.write(result.content)
        self.stderr.write(f"Wrote {options['output']} ({result.report.n} records).")

    def _publish(self, options, *, date_from, date_to) -> None:
        test_data = options["test_data"]
        try:
            assessment = selectors.assessment_by_slug(options["assessment"])
            audit = services.publish_bias_audit(
                assessment,
                actor="system:cli",
                audit_date=_date(options["audit_date"]) if options["audit_date"] else None,
                date_from=date_from,
                date_to=date_to,
                auditor=options["auditor"],
                first_used_on=_date(options["first_used"]) if options["first_used"] else None,
                data_source=PublishedBiasAudit.DataSource.TEST
                if test_data
                else PublishedBiasAudit.DataSource.HISTORICAL,
                data_source_note=test_data or "",
                exclude_small_categories=options["exclude_small_categories"],
                exclusion_reason=options["exclusion_reason"],
            )
        except ComplianceError as error:
            raise CommandError(str(error)) from error
        path = reverse("compliance:public-bias-audit-number", args=[assessment.slug, audit.number])
        self.stdout.write(
            f"Published bias audit {audit.number} of {assessment.slug} ({audit.document['n']} "
            f"records, sha256 {audit.document_sha256}) at {path}"
        )
