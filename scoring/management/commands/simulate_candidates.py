"""Create synthetic candidates whose answers span every level, and submit them."""

from django.core.management.base import BaseCommand, CommandError

from assessments.models import AssessmentVersion
from scoring.management.simulation import simulate_candidates


class Command(BaseCommand):
    help = (
        "Invite, take and submit N synthetic candidates through the real services, walking the "
        "version's branching; free text comes from held-back exemplars (never trained on). "
        "Deterministic for a seed. Never use on a production database with real candidates. "
        "With self-identification answers: compliance's simulate_demographics --candidates N."
    )

    def add_arguments(self, parser):
        parser.add_argument("--assessment", required=True, help="The assessment's slug.")
        parser.add_argument("--count", type=int, default=20)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--version-number", type=int, help="Version number (default: the latest published)."
        )
        parser.add_argument(
            "--score-now",
            action="store_true",
            help="Score each submission in this process too (no worker needed).",
        )
        parser.add_argument(
            "--no-submit", action="store_true", help="Leave the attempts answered, not submitted."
        )

    def handle(self, *args, **options):
        versions = AssessmentVersion.objects.filter(assessment__slug=options["assessment"])
        if options["version_number"]:
            versions = versions.filter(number=options["version_number"])
        version = versions.order_by("-number").first()
        if version is None:
            raise CommandError(f"No published version of {options['assessment']!r} found.")
        if options["count"] < 1:
            raise CommandError("--count must be at least 1.")
        try:
            simulated = simulate_candidates(
                version,
                count=options["count"],
                seed=options["seed"],
                submit=not options["no_submit"],
                score_inline=options["score_now"],
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        if options["no_submit"]:
            what = "answered, not submitted"
        elif options["score_now"]:
            what = "submitted and scored"
        else:
            what = "submitted; their scoring jobs are queued for the workers"
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(simulated)} simulated candidates for {version} (seed {options['seed']}): "
                f"{what}."
            )
        )
