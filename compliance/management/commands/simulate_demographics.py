"""Synthetic self-identification answers for demos and tests: on an assessment's scored
attempts, or on new synthetic candidates whose answers reflect the disparity."""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import OuterRef, Subquery

from assessments.models import Attempt
from assessments.selectors import latest_version
from compliance import selectors, simulation
from compliance.exceptions import ComplianceError
from compliance.models import Demographics
from scoring.models import ScoreRun


class Command(BaseCommand):
    help = (
        "Assign realistic synthetic demographics (some declining) to an assessment's scored "
        "attempts. --disparity X draws one group more often among low scorers, so the bias "
        "audit has something to find. With --candidates N, N new synthetic candidates take "
        "the latest version instead, the group's answers made weaker by X. Never use on real "
        "candidates."
    )

    def add_arguments(self, parser):
        parser.add_argument("--assessment", required=True)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--disparity", type=float, default=0.0)
        parser.add_argument(
            "--group",
            default="=".join(simulation.DEFAULT_TARGET),
            help="The disadvantaged group, e.g. sex=female or race_ethnicity=asian.",
        )
        parser.add_argument(
            "--replace", action="store_true", help="Also overwrite attempts that have answers."
        )
        parser.add_argument(
            "--candidates",
            type=int,
            default=0,
            help="Simulate this many new candidates (scoring's simulator) instead.",
        )
        parser.add_argument(
            "--score-now",
            action="store_true",
            help="With --candidates: score each submission in this process (no worker needed).",
        )

    def handle(self, *args, **options):
        try:
            assessment = selectors.assessment_by_slug(options["assessment"])
            target = simulation.parse_target(options["group"])
        except (ComplianceError, ValueError) as error:
            raise CommandError(str(error)) from error
        if options["candidates"]:
            self._simulate_candidates(assessment, target, options)
            return
        current = ScoreRun.objects.filter(
            attempt=OuterRef("pk"), superseded_by__isnull=True
        ).order_by("-created_at", "-pk")
        attempts = Attempt.objects.filter(
            version__assessment=assessment, submitted_at__isnull=False
        ).annotate(score=Subquery(current.values("overall_score")[:1]))
        if not options["replace"]:
            answered = Demographics.objects.values("attempt_public_id")
            attempts = attempts.exclude(public_id__in=answered)
        scored = attempts.filter(score__isnull=False).order_by("pk")
        scores = dict(scored.values_list("public_id", "score"))
        try:
            profiles = simulation.assign_demographics(
                list(scores),
                seed=options["seed"],
                disparity=options["disparity"],
                target=target,
                scores=scores,
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        declined = sum(profile.declined for profile in profiles.values())
        self.stdout.write(
            f"Assigned synthetic demographics to {len(profiles)} attempts "
            f"({declined} declined every question)."
        )

    def _simulate_candidates(self, assessment, target: tuple[str, str], options) -> None:
        if options["candidates"] < 1:
            raise CommandError("--candidates must be at least 1.")
        version = latest_version(assessment.slug)
        if version is None:
            raise CommandError(f"{assessment.slug!r} has no published version.")
        try:
            simulated = simulation.simulate_candidates_with_demographics(
                version,
                count=options["candidates"],
                seed=options["seed"],
                disparity=options["disparity"],
                target=target,
                score_inline=options["score_now"],
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        scored = "submitted and scored" if options["score_now"] else "submitted"
        self.stdout.write(
            f"{len(simulated)} simulated candidates with synthetic demographics for {version} "
            f"(seed {options['seed']}): {scored}."
        )
