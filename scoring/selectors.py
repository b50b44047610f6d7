"""Reads of scoring data that more than one caller needs."""

from __future__ import annotations

import json
from dataclasses import dataclass

import orjson
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet

from assessments.models import AssessmentVersion
from audit.roles import Role, has_role
from scoring.content import (
    exemplar_counts,
    find_criterion,
    scale_sha256,
    split_key,
    text_criteria,
)
from scoring.models import (
    ReviewDecision,
    ReviewItem,
    ScoreRun,
    ScoringJob,
    TextModel,
    TrainingExample,
)


def current_score_run(attempt) -> ScoreRun | None:
    """The newest run of an attempt: the one no other run supersedes."""
    return (
        ScoreRun.objects.filter(attempt=attempt, superseded_by__isnull=True)
        .order_by("-created_at", "-pk")
        .first()
    )


def current_score_run_id(attempt_id: int) -> int | None:
    """The id of an attempt's current run (without loading its breakdown)."""
    return (
        ScoreRun.objects.filter(attempt_id=attempt_id, superseded_by__isnull=True)
        .order_by("-created_at", "-pk")
        .values_list("pk", flat=True)
        .first()
    )


def scoring_status(attempt) -> str:
    """`scored`, `failed` or `pending` for the candidate's waiting page."""
    if ScoreRun.objects.filter(attempt=attempt).exists():
        return "scored"
    if ScoringJob.objects.filter(attempt=attempt, state=ScoringJob.State.FAILED).exists():
        return "failed"
    return "pending"


def runs_of_attempt(attempt_id: int) -> QuerySet[ScoreRun]:
    """Every run of an attempt, newest first, with what the history table shows."""
    return (
        ScoreRun.objects.filter(attempt_id=attempt_id)
        .select_related("job", "superseded_by")
        .defer("breakdown_json")
        .order_by("-created_at", "-pk")
    )


def active_model_hashes(version) -> dict[str, str]:
    """The active (hence accepted) models of a version: criterion key -> artifact sha256."""
    return dict(
        TextModel.objects.filter(version=version, active=True)
        .order_by("criterion_key")
        .values_list("criterion_key", "sha256")
    )


def current_overrides(attempt) -> dict[str, dict]:
    """The reviewers' decisions for an attempt, latest per criterion, as the engine's overrides
    (criterion key -> level, reviewer, reason)."""
    overrides: dict[str, dict] = {}
    for decision in ReviewDecision.objects.filter(attempt=attempt).order_by("decided_at", "pk"):
        overrides[decision.criterion_key] = {
            "level": decision.level,
            "reviewer": decision.reviewer_label,
            "reason": decision.reason,
        }
    return overrides


def open_review_items(assessment_slug: str | None = None) -> QuerySet[ReviewItem]:
    """The review queue, oldest first. Carries nothing that identifies the candidate."""
    items = (
        ReviewItem.objects.filter(state=ReviewItem.State.OPEN)
        .select_related("run__version__assessment")
        .defer("run__breakdown_json")
        .order_by("created_at", "pk")
    )
    if assessment_slug:
        items = items.filter(attempt__version__assessment__slug=assessment_slug)
    return items


QUEUE_ORDERS = {"oldest": "Oldest first", "useful": "Most useful first"}


def label_counts(version, criterion_key: str) -> list[int]:
    """Labelled answers per level the criterion's next model trains on: the document's
    exemplars and reviewers' examples on the same scale (erased ones left out)."""
    criterion = find_criterion(version.content, *split_key(criterion_key))
    counts = exemplar_counts(criterion)
    reviewed = (
        TrainingExample.objects.filter(
            assessment_id=version.assessment_id,
            criterion_key=criterion_key,
            scale_sha256=scale_sha256(criterion),
            erased_at__isnull=True,
        )
        .values_list("level")
        .annotate(n=Count("pk"))
    )
    for level, n in reviewed:
        if level < len(counts):
            counts[level] += n
    return counts


def usefulness(confidence: float, level: int, counts: list[int]) -> float:
    """How much a reviewer's label on this answer would teach the model, from 0 to 2.

    Uncertainty (1 - the machine's confidence in its level: near a level boundary the
    probability mass is split) plus rarity (how under-represented the machine's level is among
    the labels so far: 1 with none, 0 for the best-represented level).
    """
    most = max(counts, default=0)
    rarity = 1.0 - counts[level] / most if most and level < len(counts) else 0.0
    return (1.0 - confidence) + rarity


def most_useful_review_items(assessment_slug: str | None = None, limit: int = 100) -> list:
    """The first ``limit`` open items, most useful label first (see ``usefulness``), the
    oldest first among equals."""
    rows = list(
        open_review_items(assessment_slug).values_list(
            "pk", "criterion_key", "machine_level", "machine_confidence", "run__version_id"
        )
    )
    counts: dict[tuple[int, str], list[int]] = {}
    versions = {v.pk: v for v in AssessmentVersion.objects.filter(pk__in={r[4] for r in rows})}
    for _, key, _, _, version_id in rows:
        if (version_id, key) not in counts and version_id in versions:
            counts[version_id, key] = label_counts(versions[version_id], key)
    # Rows come oldest first and sorted() is stable: equals stay oldest first.
    ranked = sorted(
        rows,
        key=lambda row: -usefulness(row[3], row[2], counts.get((row[4], row[1]), [])),
    )
    chosen = [row[0] for row in ranked[:limit]]
    items = open_review_items().filter(pk__in=chosen).in_bulk()
    return [items[pk] for pk in chosen]


def access_review_item_by_id(user, item_id: int) -> ReviewItem:
    """One review item with the run it came from, for a reviewer; the one door to it.

    Raises PermissionDenied unless ``user`` holds the Reviewer role, ReviewItem.DoesNotExist
    when there is no such item.
    """
    if not has_role(user, Role.REVIEWER):
        raise PermissionDenied("Review items are for the Reviewer role.")
    return ReviewItem.objects.select_related("run__version", "run__inputs").get(pk=item_id)


# --- Automation per criterion (the coverage page) ----------------------------------------------

# Agreement measured on fewer quality-control reviews than this is shown but not judged: with a
# handful of pairs QWK swings from one review to the next.
MIN_QC_REVIEWS_FOR_FLAG = 10


@dataclass(frozen=True)
class CriterionAutomation:
    """How much of one free-text criterion the machine scores, and how well it agrees with
    people: on cross-validation (the active model's artifact) and live (quality control)."""

    key: str
    step_title: str
    criterion_id: str
    target_qwk: float
    model_sha256: str | None
    cv_qwk: float | None
    cv_coverage: float | None
    cv_qwk_auto: float | None
    scored: int
    automated: int
    qc_reviews: int
    live_qwk: float | None

    @property
    def live_coverage(self) -> float | None:
        """Share of the answers scored so far that no person had to look at."""
        return self.automated / self.scored if self.scored else None

    @property
    def below_target(self) -> bool:
        """Live agreement, on enough quality-control reviews, under the target."""
        return (
            self.live_qwk is not None
            and self.qc_reviews >= MIN_QC_REVIEWS_FOR_FLAG
            and self.live_qwk < self.target_qwk
        )

    def as_json(self) -> dict:
        return {
            "criterion": self.key,
            "step": self.step_title,
            "target_qwk": self.target_qwk,
            "model_sha256": self.model_sha256,
            "cross_validated": {
                "qwk": self.cv_qwk,
                "coverage": self.cv_coverage,
                "qwk_auto": self.cv_qwk_auto,
            },
            "live": {
                "answers_scored": self.scored,
                "answers_automated": self.automated,
                "coverage": self.live_coverage,
                "quality_control_reviews": self.qc_reviews,
                "qwk": self.live_qwk,
            },
            "below_target": self.below_target,
        }


def _artifact_metadata(model: TextModel | None) -> dict:
    if model is None:
        return {}
    try:
        return dict(json.loads(bytes(model.artifact)).get("metadata") or {})
    except (ValueError, TypeError, AttributeError):
        return {}


def _live_qwk(pairs: list[tuple[int, int]], n_levels: int) -> float | None:
    if len(pairs) < 2:
        return None
    # Imported here: scikit-learn loads for this page only, not with every selector.
    from scoring.engine.training import quadratic_kappa

    machine, human = zip(*pairs, strict=True)
    return round(quadratic_kappa(list(human), list(machine), n_levels), 4)


def automation_by_criterion(assessment, *, target_qwk: float) -> list[CriterionAutomation]:
    """Per free-text criterion of the assessment's latest version: the active model's
    cross-validated figures, and live ones from every version with that criterion (first
    runs only, so a review's re-score does not count twice)."""
    versions = list(AssessmentVersion.objects.filter(assessment=assessment).order_by("-number"))
    if not versions:
        return []
    latest = versions[0]
    rows = []
    for key, step, criterion in text_criteria(latest.content):
        with_key = [v.pk for v in versions if find_criterion(v.content, *split_key(key))]
        model = (
            TextModel.objects.filter(version=latest, criterion_key=key, active=True)
            .only("sha256", "artifact", "cv_qwk")
            .first()
        )
        metadata = _artifact_metadata(model)
        first_runs = ScoreRun.objects.filter(version_id__in=with_key, supersedes__isnull=True)
        reviewed = (
            ReviewItem.objects.filter(run__in=first_runs, criterion_key=key, quality_control=False)
            .values("attempt_id")
            .distinct()
            .count()
        )
        scored = first_runs.count()
        pairs = list(
            ReviewDecision.objects.filter(
                item__quality_control=True,
                item__criterion_key=key,
                item__run__version_id__in=with_key,
            ).values_list("item__machine_level", "level")
        )
        rows.append(
            CriterionAutomation(
                key=key,
                step_title=str(step.get("title") or step.get("id")),
                criterion_id=str(criterion.get("id")),
                target_qwk=target_qwk,
                model_sha256=model.sha256 if model else None,
                cv_qwk=round(model.cv_qwk, 4) if model else None,
                cv_coverage=metadata.get("cv_coverage"),
                cv_qwk_auto=metadata.get("cv_qwk_auto"),
                scored=scored,
                automated=max(0, scored - reviewed),
                qc_reviews=len(pairs),
                live_qwk=_live_qwk(pairs, len(criterion.get("levels") or [])),
            )
        )
    return rows


def skill_results(breakdown_json: str) -> list[dict]:
    """Per assessed skill of a run: its id, score (0..100) and band (the level's label).

    One reading of a breakdown for the results table, the integration API and webhooks.
    """
    return [
        {
            "skill": skill["skill"],
            "score": skill.get("score", 0),
            "band": (skill.get("level") or {}).get("label", ""),
        }
        # orjson: the results table parses every new run through here.
        for skill in orjson.loads(breakdown_json).get("skills") or []
        if skill.get("assessed", True)
    ]
