"""A criterion's fixed facts and the constructor of its score, shared by every scorer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from scoring.engine.breakdown import CriterionScore, Level, rounded

TEXT_ITEM_TYPES = frozenset({"short_text", "long_text"})
DEFAULT_CONFIDENCE_THRESHOLD = 0.6
_POINTS_SLACK = 1e-9


class TextModel(Protocol):
    """What the engine needs from a text model artifact (see scoring.engine.textmodel)."""

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
    """A criterion's fixed facts, read once."""

    step_id: str
    criterion_id: str
    skill: str
    weight: float
    levels: list
    points: list[float]
    threshold: float

    @property
    def key(self) -> str:
        return f"{self.step_id}/{self.criterion_id}"

    @property
    def max_points(self) -> float:
        return max(self.points, default=0.0)

    def level(self, index: int) -> Level:
        label = self.levels[index].get("label", "") if self.levels else ""
        return Level(index, label if isinstance(label, str) else str(label))

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
    return Rubric(
        step_id=step_id,
        criterion_id=str(criterion.get("id", "")),
        skill=str(criterion.get("skill", "")),
        weight=weight if weight > 0 else 1.0,
        levels=levels,
        points=[max(0.0, number(level.get("points"), 0.0)) for level in levels],
        threshold=number(criterion.get("confidence_threshold"), DEFAULT_CONFIDENCE_THRESHOLD),
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
        weight=rounded(rubric.weight),
        points=rounded(points),
        max_points=rounded(rubric.max_points),
        level=rubric.level(level),
        method=method,
        confidence=rounded(confidence),
        needs_review=needs_review,
        review_reasons=review_reasons,
        evidence=evidence,
    )


def text_method(rubric: Rubric, models: Mapping[str, TextModel]) -> str:
    """``model`` when an accepted model with the criterion's number of levels is given."""
    model = models.get(rubric.key)
    return "model" if model is not None and model.n_levels == len(rubric.levels) else "concept"
