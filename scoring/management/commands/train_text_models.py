"""Train the text models of free-text criteria (the same service as the Celery task)."""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Exists, Max, OuterRef

from assessments.models import AssessmentVersion, Attempt
from scoring import tasks
from scoring.services import training


def versions_to_train(slug: str | None, number: int | None):
    """The latest version of each assessment (or of one), plus every version with attempts."""
    versions = AssessmentVersion.objects.select_related("assessment").order_by(
        "assessment__slug", "number"
    )
    if slug:
        versions = versions.filter(assessment__slug=slug)
    if number:
        return versions.filter(number=number)
    latest = versions.values("assessment").annotate(latest=Max("number"))
    latest_numbers = {row["assessment"]: row["latest"] for row in latest}
    has_attempts = Attempt.objects.filter(version=OuterRef("pk"))
    return [
        version
        for version in versions.annotate(used=Exists(has_attempts))
        if version.used or version.number == latest_numbers.get(version.assessment_id)
    ]


class Command(BaseCommand):
    help = (
        "Train a text model for each free-text criterion with enough labelled exemplars "
        "(TEXT_MODEL_MIN_EXEMPLARS: the document's and reviewers' labels), store it with its "
        "hashes, cross-validated figures and its comparison with the active model, and activate "
        "it when it meets TEXT_AUTO_TARGET_QWK on some answers and does no worse than the active "
        "one (never replacing a pinned model). --criterion retrains one criterion of an "
        "assessment's latest version on everything labelled so far."
    )

    def add_arguments(self, parser):
        parser.add_argument("--assessment", help="One assessment's slug (default: all).")
        parser.add_argument(
            "--version-number", type=int, help="One version number (with --assessment)."
        )
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--no-activate", action="store_true", help="Store the models without activating."
        )
        parser.add_argument(
            "--queue", action="store_true", help="Send the work to the Celery workers instead."
        )
        parser.add_argument(
            "--criterion",
            metavar="STEP/CRITERION",
            help="Retrain one criterion now (with --assessment), as the retraining task does.",
        )

    def handle(self, *args, **options):
        if options["version_number"] and not options["assessment"]:
            raise CommandError("--version-number needs --assessment.")
        if options["criterion"]:
            self.retrain_criterion(options)
            return
        versions = list(versions_to_train(options["assessment"], options["version_number"]))
        if not versions:
            raise CommandError("No published version matches.")
        actor = "system:train_text_models"
        for version in versions:
            if options["queue"]:
                tasks.train_text_models.delay(
                    version.pk, actor=actor, activate=not options["no_activate"]
                )
                self.stdout.write(f"{version}: training queued")
                continue
            outcomes = training.train_text_models(
                version, actor=actor, activate=not options["no_activate"], seed=options["seed"]
            )
            if not outcomes:
                self.stdout.write(f"{version}: no free-text criteria")
            for outcome in outcomes:
                self.write_outcome(version, outcome)
        self.stdout.write(
            "Attempts already scored keep their runs; re-score them to use new models "
            "(manage.py rescore --assessment SLUG --outdated)."
        )

    def write_outcome(self, version, outcome) -> None:
        active = " [active]" if outcome.model is not None and outcome.model.active else ""
        self.stdout.write(
            f"{version} {outcome.criterion_key}: {outcome.status}{active} — {outcome.note}"
        )

    def retrain_criterion(self, options) -> None:
        if not options["assessment"] or options["version_number"]:
            raise CommandError("--criterion needs --assessment (it trains the latest version).")
        assessment_id = (
            AssessmentVersion.objects.filter(assessment__slug=options["assessment"])
            .values_list("assessment_id", flat=True)
            .first()
        )
        if assessment_id is None:
            raise CommandError("No published version matches.")
        key = options["criterion"]
        version = training.version_to_retrain(assessment_id, key)
        if version is None:
            raise CommandError(f"No version of {options['assessment']} has a criterion {key!r}.")
        actor = "system:train_text_models"
        if options["queue"]:
            tasks.retrain_text_model.delay(assessment_id, key, actor=actor, force=True)
            self.stdout.write(f"{key}: retraining queued")
            return
        outcome = training.retrain_criterion(assessment_id, key, actor=actor, force=True)
        self.write_outcome(version, outcome)
