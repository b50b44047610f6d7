"""The engine's output: dataclasses for a scored attempt and their canonical JSON.

Every float is rounded to ``FLOAT_DECIMALS`` decimals when the dataclasses are built, and again
when serialised, so the same inputs give the same bytes on any IEEE-754 machine.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

BREAKDOWN_FORMAT = "skillproof/breakdown@1"
FLOAT_DECIMALS = 6

# Skill level bands on the 0..100 skill score, defined once: (lowest score, label).
SKILL_BANDS: tuple[tuple[float, str], ...] = (
    (0.0, "Emerging"),
    (40.0, "Developing"),
    (60.0, "Proficient"),
    (80.0, "Advanced"),
)

METHODS = ("keyed", "sjt", "ranking", "numeric", "model", "concept", "human")


def rounded(value: float) -> float:
    """The one rounding rule of the breakdown: ``value`` rounded to FLOAT_DECIMALS decimals;
    -0.0, infinities and NaN become 0.0. Every float the breakdown shows goes through it."""
    result = round(float(value), FLOAT_DECIMALS)
    return result if result != 0 and math.isfinite(result) else 0.0


class Canonical(dict):
    """A dict already in canonical form, which canonical() returns as it is.

    The scorers build their largest evidence (free text) from rounded floats and clean strings
    only, and mark it so the serialiser does not walk it again; a property test checks that
    canonical() would not change any of it.
    """


def canonical(value: Any) -> Any:
    """A JSON-ready copy of ``value``: floats rounded, ints and bools kept, strings made
    encodable, tuples as lists, anything else as its text."""
    if isinstance(value, Canonical) or value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return rounded(value)
    if isinstance(value, str):
        # Lone surrogates (from garbage answers) cannot be encoded as UTF-8: replace them.
        return str(value).encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, dict):
        return {key: canonical(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [canonical(item) for item in value]
    return canonical(str(value))


def skill_band(score: float) -> tuple[int, str]:
    """The (index, label) of the band a 0..100 skill score falls in."""
    index = 0
    for position, (lowest, _label) in enumerate(SKILL_BANDS):
        if score >= lowest:
            index = position
    return index, SKILL_BANDS[index][1]


@dataclass(frozen=True, slots=True)
class Level:
    """A rubric level reached: its index among the criterion's levels and its label."""

    index: int
    label: str

    def to_dict(self) -> dict:
        return {"index": self.index, "label": self.label}


@dataclass(frozen=True, slots=True)
class CriterionScore:
    """One rubric criterion of one step, scored."""

    step_id: str
    criterion_id: str
    skill: str
    weight: float
    points: float
    max_points: float
    level: Level
    method: str
    confidence: float
    needs_review: bool
    review_reasons: tuple[str, ...] = ()
    evidence: dict = field(default_factory=dict)

    @property
    def key(self) -> str:
        """``"<step_id>/<criterion_id>"``, as overrides, models and the review queue name it."""
        return f"{self.step_id}/{self.criterion_id}"

    def to_dict(self) -> dict:
        return {
            "step_id": self.step_id,
            "criterion_id": self.criterion_id,
            "skill": self.skill,
            "weight": self.weight,
            "points": self.points,
            "max_points": self.max_points,
            "level": self.level.to_dict(),
            "method": self.method,
            "confidence": self.confidence,
            "needs_review": self.needs_review,
            "review_reasons": list(self.review_reasons),
            "evidence": canonical(self.evidence),
        }


@dataclass(frozen=True, slots=True)
class StepScore:
    """One step: whether it was on the candidate's path, answered, and its criteria."""

    step_id: str
    item_type: str
    status: str  # answered | unanswered | invalid | off_path | unscored
    on_path: bool
    points: float
    max_points: float
    criteria: tuple[CriterionScore, ...] = ()
    # The step's JSON bytes as orjson writes them (None where it cannot), written when the step
    # is built: a remembered keyed step (plan.ScoringMemo) is spliced into many breakdowns.
    # Derived from the fields above, so a copy made with dataclasses.replace() writes its own.
    encoded: orjson.Fragment | None = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "encoded", _orjson_fragment(self.to_dict()))

    def to_dict(self) -> dict:
        """The step as breakdown.schema.json shows it."""
        return {
            "step_id": self.step_id,
            "item_type": self.item_type,
            "status": self.status,
            "on_path": self.on_path,
            "points": self.points,
            "max_points": self.max_points,
            "criteria": [criterion.to_dict() for criterion in self.criteria],
        }


@dataclass(frozen=True, slots=True)
class SkillScore:
    """One skill: weighted 0..100 score over its criteria on the path, band and pass."""

    skill: str
    name: str
    score: float
    level: Level
    weight: float
    threshold: float | None
    passed: bool
    assessed: bool
    criteria: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {
            "skill": self.skill,
            "name": self.name,
            "score": self.score,
            "level": self.level.to_dict(),
            "weight": self.weight,
            "threshold": self.threshold,
            "passed": self.passed,
            "assessed": self.assessed,
            "criteria": list(self.criteria),
        }


@dataclass(frozen=True, slots=True)
class Overall:
    """The attempt as a whole."""

    score: float
    threshold: float
    passed: bool
    needs_review: bool
    review_items: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {
            "score": self.score,
            "threshold": self.threshold,
            "passed": self.passed,
            "needs_review": self.needs_review,
            "review_items": list(self.review_items),
        }


@dataclass(frozen=True, slots=True)
class Breakdown:
    """Everything the engine concluded about one attempt; serialise with canonical_json()."""

    engine_version: str
    assessment: str
    steps: tuple[StepScore, ...]
    skills: tuple[SkillScore, ...]
    overall: Overall
    models: dict = field(default_factory=dict)
    overrides_ignored: tuple[str, ...] = ()

    @property
    def overall_score(self) -> float:
        return self.overall.score

    @property
    def passed(self) -> bool:
        return self.overall.passed

    @property
    def needs_review(self) -> bool:
        return self.overall.needs_review

    def criteria(self) -> list[CriterionScore]:
        """Every scored criterion, in document order."""
        return [criterion for step in self.steps for criterion in step.criteria]

    def criterion(self, key: str) -> CriterionScore:
        """The criterion scored under ``"<step_id>/<criterion_id>"``."""
        for criterion in self.criteria():
            if criterion.key == key:
                return criterion
        raise KeyError(key)

    def skill(self, skill_id: str) -> SkillScore:
        """The score of one skill."""
        for skill in self.skills:
            if skill.skill == skill_id:
                return skill
        raise KeyError(skill_id)

    def to_dict(self) -> dict:
        """The JSON shape described by breakdown.schema.json, floats rounded.

        Numbers held by the dataclasses are rounded when they are built; only free-form
        evidence (and the models map) is walked by canonical() here.
        """
        return self._shape([step.to_dict() for step in self.steps])

    def _shape(self, steps: list) -> dict:
        return {
            "format": BREAKDOWN_FORMAT,
            "engine_version": self.engine_version,
            "assessment": self.assessment,
            "steps": steps,
            "skills": [skill.to_dict() for skill in self.skills],
            "overall": self.overall.to_dict(),
            "models": canonical(self.models),
            "overrides_ignored": list(self.overrides_ignored),
        }

    def canonical_json(self) -> bytes:
        """Sorted keys, compact separators, UTF-8: identical bytes for identical inputs.

        Each step's bytes, written when it was built (StepScore.encoded), are spliced in as they
        are; a breakdown with a step orjson could not write is encoded whole.
        """
        fragments = [step.encoded for step in self.steps]
        if None in fragments:
            return encode_canonical(self.to_dict())
        return encode_canonical(self._shape(fragments), plain=self.to_dict)

    @property
    def sha256(self) -> str:
        """The sha256 of canonical_json() (which a caller that needs both hashes itself)."""
        return hashlib.sha256(self.canonical_json()).hexdigest()


# A number orjson writes differently from Python's float repr: a magnitude below 1e-4, which
# repr writes with an exponent ("1.2e-05") and orjson in full ("0.000012") or with a shorter
# one ("1e-6"). Text that merely looks like one (inside a string) only costs the slower encoder.
# "e-" is common in ids ("change-correct"); a number's exponent follows a digit, which this
# table turns into "0" so that one substring search finds it.
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")


def _repr_mismatch(encoded: bytes) -> bool:
    """Whether ``encoded`` may hold a number written as orjson, not repr, writes it."""
    return b"0.0000" in encoded or b"0e-" in encoded.translate(_DIGITS_AS_ZERO)


def _orjson_bytes(data: Any) -> bytes | None:
    try:
        return orjson.dumps(data, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return None


def _orjson_fragment(data: Any) -> orjson.Fragment | None:
    encoded = _orjson_bytes(data)
    return None if encoded is None else orjson.Fragment(encoded)


def encode_canonical(data: Any, plain: Callable[[], Any] | None = None) -> bytes:
    """``data`` (as canonical() returns it) as the breakdown's canonical JSON bytes.

    The bytes are those of ``json.dumps(sort_keys=True, separators=(",", ":"),
    ensure_ascii=False)``, which define the format. orjson writes the same bytes several times
    faster for everything but the cases it is handed back for: tiny floats (above), integers
    beyond 64 bits, non-string keys, lone surrogates and very deep nesting. When ``data``
    holds orjson fragments, ``plain`` gives the same value without them for that fallback.
    """
    fast = _orjson_bytes(data)
    if fast is not None and not _repr_mismatch(fast):
        return fast
    return json.dumps(
        data if plain is None else plain(),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    ).encode("utf-8", "replace")  # content strings with lone surrogates cannot fail
