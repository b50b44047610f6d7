"""Compute the LL144 bias audit of an assessment and write it as JSON, CSV, PDF or HTML."""

import sys
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from compliance import selectors, services
from compliance.exceptions import ComplianceError


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

    def handle(self, *args, **options):
        date_from = _date(options["date_from"]) if options["date_from"] else None
        date_to = _date(options["date_to"]) if options["date_to"] else None
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
