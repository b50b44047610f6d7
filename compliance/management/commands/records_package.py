"""Write the records package of a period (what the Records page prepares) to a zip file."""

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
        "Build the records package of a period for a regulator: published bias audits, notices "
        "and consents, accommodation and data requests, oversight pauses, model events and the "
        "signed audit-log head with a proof for every event cited. Recorded in the audit log."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="date_from", required=True, help="First day.")
        parser.add_argument("--to", dest="date_to", required=True, help="Last day (included).")
        parser.add_argument("--assessment", help="Only this assessment (its slug).")
        parser.add_argument("--output", required=True, help="The zip file to write.")

    def handle(self, *args, date_from, date_to, assessment, output, **options):
        try:
            scope = selectors.assessment_by_slug(assessment) if assessment else None
            package = services.request_records_package(
                date_from=_date(date_from),
                date_to=_date(date_to),
                assessment=scope,
                actor="system:cli",
                enqueue=False,
            )
        except ComplianceError as error:
            raise CommandError(str(error)) from error
        # None when a worker's sweep took the row first: then read what it stored.
        package = services.build_records_package(package.pk) or selectors.records_package_by_id(
            package.public_id
        )
        try:
            content = services.download_records_package(package, actor="system:cli")
        except ComplianceError as error:
            raise CommandError(f"{error} A worker is building it: see the Records page.") from error
        with open(output, "wb") as handle:
            handle.write(content)
        self.stdout.write(f"Wrote {output} ({len(content)} bytes, sha256 {package.sha256}).")
