"""Ask for new score runs (one attempt, or in bulk after a rubric, model or engine change)."""

from django.core.management.base import BaseCommand, CommandError

from assessments.models import AssessmentVersion, Attempt
from scoring.selectors import current_score_run
from scoring.services.rescoring import rescore_attempts, run_outdated


class Command(BaseCommand):
    help = (
        "Re-score attempts: each gets a new ScoringJob (reason rescore) whose run supersedes "
        "the current one. Nothing is updated in place."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--attempt", action="append", default=[], help="An attempt's public id (repeatable)."
        )
        parser.add_argument("--assessment", help="Every submitted attempt of one assessment.")
        parser.add_argument(
            "--outdated",
            action="store_true",
            help="Only attempts whose current run used another engine, content or set of "
            "active models than a run now would; alone, across every assessment (run it after "
            "upgrading the engine).",
        )
        parser.add_argument(
            "--against-version",
            type=int,
            help="Score against this version of the same assessment (a rubric fix).",
        )
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, **options):
        attempts = Attempt.objects.filter(submitted_at__isnull=False).select_related(
            "version__assessment"
        )
        if options["attempt"]:
            attempts = attempts.filter(public_id__in=options["attempt"])
        elif options["assessment"]:
            attempts = attempts.filter(version__assessment__slug=options["assessment"])
        elif not options["outdated"]:
            raise CommandError("Give --attempt PUBLIC_ID, --assessment SLUG or --outdated.")
        against = None
        if options["against_version"]:
            if not options["assessment"]:
                raise CommandError("--against-version needs --assessment.")
            against = AssessmentVersion.objects.filter(
                assessment__slug=options["assessment"], number=options["against_version"]
            ).first()
            if against is None:
                raise CommandError("No such version.")
        selected = []
        for attempt in attempts.order_by("pk").iterator(chunk_size=500):
            if options["outdated"]:
                run = current_score_run(attempt)
                if run is not None and not run_outdated(run, against):
                    continue
            selected.append(attempt)
        if options["dry_run"]:
            self.stdout.write(f"{len(selected)} attempt(s) would be re-scored.")
            return
        jobs, refused = rescore_attempts(selected, version=against, requested_by="system:rescore")
        for reason in refused:
            self.stderr.write(f"not re-scored: {reason}")
        self.stdout.write(
            self.style.SUCCESS(f"{len(jobs)} re-score job(s) queued; {len(refused)} refused.")
        )
