"""Verify the audit log and its signed tree heads; exit 1 naming the first thing that fails."""

import sys

from django.core.management.base import BaseCommand

from audit.selectors import pending_events
from audit.verify import verify_audit_chain


class Command(BaseCommand):
    help = (
        "Verify every event of the audit log (sequence, link, hash, Merkle leaf) and every signed "
        "tree head in the anchor file (signature, root, consistency with the head before). Prints "
        "the count, head hash and last tree head and exits 0, or names the first thing that does "
        "not hold and exits 1."
    )

    def handle(self, *args, **options):
        verification = verify_audit_chain()
        pending = pending_events()
        self.stdout.write(f"count: {verification.count}")
        self.stdout.write(f"head: {verification.head_hash}")
        last = verification.last_head
        self.stdout.write(
            f"tree heads: {verification.heads_checked} of {len(verification.heads)} checked in "
            f"{verification.anchor_file}"
            + (
                f"; last: size {last.tree_size}, root {last.root_hash}, "
                f"{last.signed_at.isoformat()}"
                if last
                else "; none yet"
            )
        )
        self.stdout.write(
            f"pending: {pending.count}"
            + (f", oldest {pending.oldest_age_seconds} s" if pending.count else "")
        )
        if not verification.ok:
            where = (
                f" at sequence {verification.first_broken_seq}"
                if verification.first_broken_seq
                else ""
            )
            self.stderr.write(f"BROKEN{where}: {verification.problem}")
            sys.exit(1)
        self.stdout.write(self.style.SUCCESS("The audit log verifies."))
