"""A criterion's fixed facts and the constructor of its score, shared by every scorer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from scoring.engine.breakdown import CriterionScore, Level, rounded

TEXT_ITEM_TYPES = frozenset({"short_text", "long_text"})
DEFAULT_CONFIDENCE_THRESHOLD = 0.6
_POINTS_SLACK = 1e-9


class LevelPredictor(Protocol):
    """What the engine needs from a criterion's text model: a level predicted for an answer,
    and the hashes that name the model in the breakdown (scoring.engine.textmodel's
    TextClassifier is one)."""

    n_levels: int
    sha256: str
    training_set_sha256: str

    def predict(self, text: str) -> Any: ...


@dataclass(frozen=True, slots=True)
class HumanOverride:
    """A reviewer's decision for one criterion: the level index chosen, who, and why."""

    level: int
    reviewer: str
    reason: str


@dataclass(frozen=True, slots=True)
class Rubric:
    """A criterion's fixed facts, read once (build with rubric_of())."""

    step_id: str
    criterion_id: str
    skill: str
    weight: float
    levels: list
    points: list[float]
    threshold: float
    key: str
    max_points: float
    # As the breakdown shows them: rounded numbers, and each level's Level.
    shown_weight: float
    shown_max_points: float
    shown_levels: tuple[Level, ...]

    def level(self, index: int) -> Level:
        return self.shown_levels[index] if self.levels else Level(index, "")

    def level_for_points(self, points: float) -> int:
        reached = 0
        for index, level_points in enumerate(self.points):
            if level_points <= points + _POINTS_SLACK:
                reached = index
        return reached


def number(value: Any, default: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        return default
    return float(value)


def rubric_of(step_id: str, criterion: dict) -> Rubric:
    levels = [level for level in criterion.get("levels") or [] if isinstance(level, dict)]
    weight = number(criterion.get("weight"), 1.0)
    weight = weight if weight > 0 else 1.0
    points = [max(0.0, number(level.get("points"), 0.0)) for level in levels]
    criterion_id = str(criterion.get("id", ""))
    labels = [level.get("label", "") for level in levels]
    return Rubric(
        step_id=step_id,
        criterion_id=criterion_id,
        skill=str(criterion.get("skill", "")),
        weight=weight,
        levels=levels,
        points=points,
        threshold=number(criterion.get("confidence_threshold"), DEFAULT_CONFIDENCE_THRESHOLD),
        key=f"{step_id}/{criterion_id}",
        max_points=max(points, default=0.0),
        shown_weight=rounded(weight),
        shown_max_points=rounded(max(points, default=0.0)),
        shown_levels=tuple(
            Level(index, label if isinstance(label, str) else str(label))
            for index, label in enumerate(labels)
        ),
    )


def criterion_score(rubric: Rubric, level: int, **fields: Any) -> CriterionScore:
    points = rubric.points[level] if rubric.points else 0.0
    return make_score(rubric, points, level, **fields)


def make_score(
    rubric: Rubric,
    points: float,
    level: int,
    *,
    method: str,
    confidence: float,
    evidence: dict,
    needs_review: bool = False,
    review_reasons: tuple[str, ...] = (),
) -> CriterionScore:
    return CriterionScore(
        step_id=rubric.step_id,
        criterion_id=rubric.criterion_id,
        skill=rubric.skill,
        weight=rubric.shown_weight,
        points=rounded(points),
        max_points=rubric.shown_max_points,
        level=rubric.level(level),
        method=method,
        confidence=rounded(confidence),
        needs_review=needs_review,
        review_reasons=review_reasons,
        evidence=evidence,
    )


def text_method(rubric: Rubric, models: Mapping[str, LevelPredictor]) -> str:
    """``model`` when an accepted model with the criterion's number of levels is given."""
    model = models.get(rubric.key)
    return "model" if model is not None and model.n_levels == len(rubric.levels) else "concept"
