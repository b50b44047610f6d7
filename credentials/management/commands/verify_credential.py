"""Verify a credential file (or stdin with `-`) and print the report as JSON.

Exits 0 only when every check passes (or does not apply), 1 otherwise (including a valid
signature by an issuer this deployment does not trust: outcome "untrusted"), 2 when the file
cannot be read. The same checks as the public verification page and API; a CLR has up to
`MAX_EMBEDDED` credentials inside it checked, as for signed-in staff.
"""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from credentials.proofs import VERIFY_LIMITS
from credentials.verification import unreadable, verify_credential


class Command(BaseCommand):
    help = "Verify a credential (FILE, or - for stdin) and print every check as JSON."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the credential's JSON file, or - to read stdin")

    def handle(self, *args, **options):
        path = options["file"]
        limit = VERIFY_LIMITS.max_bytes
        try:
            if path == "-":
                data = sys.stdin.buffer.read(limit + 1)
            else:
                with open(path, "rb") as handle:
                    data = handle.read(limit + 1)
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}", returncode=2) from error
        if len(data) > limit:
            report = unreadable(f"The file is larger than {limit} bytes.")
        else:
            report = verify_credential(data)
        self.stdout.write(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
        if not report.verified:
            sys.exit(1)
