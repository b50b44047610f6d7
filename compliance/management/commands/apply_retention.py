"""Erase the personal data of candidates past DATA_RETENTION_DAYS now (the beat task's job)."""

from django.core.management.base import BaseCommand

from compliance import services


class Command(BaseCommand):
    help = "Erase personal data older than DATA_RETENTION_DAYS (what the daily beat task does)."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=10_000)

    def handle(self, *args, limit, **options):
        days = services.retention_days()
        if days <= 0:
            self.stdout.write("DATA_RETENTION_DAYS is 0: automatic erasure is off.")
            return
        erased = services.erase_expired_personal_data(limit=limit)
        self.stdout.write(
            f"Erased the personal data of {erased} candidates (older than {days} days)."
        )
