"""Verify the audit chain link by link and against the signed anchors; exit 1 when broken."""

import sys

from django.core.management.base import BaseCommand

from audit.anchors import verify_audit_chain


class Command(BaseCommand):
    help = (
        "Verify every link of the audit chain and check it against the signed anchors. Prints "
        "the count and head hash and exits 0, or names the first broken sequence number and "
        "exits 1."
    )

    def handle(self, *args, **options):
        verification = verify_audit_chain()
        report = verification.chain
        anchors = verification.anchors
        if report.ok:
            self.stdout.write(f"count: {report.count}")
            self.stdout.write(f"head: {report.head_hash}")
        else:
            self.stderr.write(
                f"BROKEN at sequence {report.first_broken_seq}: {report.reason} "
                f"({report.count} events before it verify)"
            )
        last = verification.last_anchor
        self.stdout.write(
            f"anchors: {report.checkpoints_checked} of {len(anchors.anchors)} checked in "
            f"{anchors.path}"
            + (f"; last at sequence {last.seq}, {last.anchored_at}" if last else "; none yet")
        )
        for problem in verification.problems:
            self.stderr.write(f"anchor problem: {problem}")
        if not verification.ok:
            sys.exit(1)
        self.stdout.write(self.style.SUCCESS("The audit chain verifies."))
