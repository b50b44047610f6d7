"""Erase the personal data of candidates whose retention period has ended (the beat task's job),
or list them (--dry-run)."""

from django.core.management.base import BaseCommand

from compliance import selectors, services


class Command(BaseCommand):
    help = (
        "Erase the personal data of candidates past their retention period: the longest of "
        "DATA_RETENTION_DAYS and the retention policies that apply to their assessment. "
        "--dry-run lists who would be erased, and erases nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=10_000)
        parser.add_argument(
            "--dry-run", action="store_true", help="List what a run would erase now; erase nothing."
        )

    def handle(self, *args, limit, dry_run, **options):
        if not selectors.retention_enabled():
            self.stdout.write("DATA_RETENTION_DAYS is 0: automatic erasure is off.")
            return
        if dry_run:
            due = selectors.invitations_due_for_erasure()[:limit]
            for invitation in due:
                self.stdout.write(
                    f"{invitation.public_id}  last activity {invitation.last_activity:%Y-%m-%d}"
                    f"  kept {invitation.keep_days} days  due {invitation.erase_after:%Y-%m-%d}"
                )
            self.stdout.write(f"Dry run: {len(due)} candidates would be erased; nothing was.")
            return
        erased = services.erase_expired_personal_data(limit=limit)
        self.stdout.write(f"Erased the personal data of {erased} candidates past retention.")
