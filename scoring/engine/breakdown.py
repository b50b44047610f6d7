"""The engine's output: dataclasses for a scored attempt and their canonical JSON.

Every float is rounded to ``FLOAT_DECIMALS`` decimals when the dataclasses are built, and again
when serialised, so the same inputs give the same bytes on any IEEE-754 machine.
"""

from __future__ import annotations

import hashlib
import json
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
    """A finite float rounded to FLOAT_DECIMALS; -0.0 and non-finite values become 0.0."""
    value = float(value)
    if value.is_integer():
        # round() would give the same float back (it rounds via decimal text, which is slow).
        return value if value else 0.0
    result = round(value, FLOAT_DECIMALS)
    # inf - inf and nan - nan are nan, which is never equal to 0.
    if result == 0 or result - result != 0:
        return 0.0
    return result


# Exact types canonical() returns unchanged.
_PLAIN = frozenset((int, bool, type(None)))


class Canonical(dict):
    """A dict already in canonical form, which canonical() returns as it is.

    The scorers build their largest evidence (free text) from rounded floats and clean strings
    only, and mark it so the serialiser does not walk it again; a property test checks that
    canonical() would not change any of it.
    """


def canonical(value: Any) -> Any:
    """A JSON-ready copy of ``value`` with every float rounded (ints and bools kept).

    Dispatches on the exact type first: this walk runs on every breakdown, so it is kept cheap.
    """
    kind = type(value)
    if kind is Canonical:
        return value
    if kind is float:
        # rounded(), inlined: this is the hottest branch of the walk.
        if value.is_integer():
            return value if value else 0.0
        result = round(value, FLOAT_DECIMALS)
        return result if result and result - result == 0 else 0.0
    if kind is dict:
        return {
            key: item
            if type(item) in _PLAIN or (type(item) is str and item.isascii())
            # Leaves that stay as they are skip the call; everything else is walked.
            else canonical(item)
            for key, item in value.items()
        }
    if kind is list or kind is tuple:
        return [
            item
            if type(item) in _PLAIN or (type(item) is str and item.isascii())
            else canonical(item)
            for item in value
        ]
    if kind is str:
        # Lone surrogates (from garbage answers) cannot be encoded as UTF-8: replace them.
        return value if value.isascii() else value.encode("utf-8", "replace").decode("utf-8")
    if kind is int or kind is bool or value is None:
        return value
    return _canonical_other(value)


def _canonical_other(value: Any) -> Any:
    """Subclasses of the JSON types (and anything else, as text)."""
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return rounded(value)
    if isinstance(value, str):
        return canonical(str(value))
    if isinstance(value, dict):
        return {str(key): canonical(item) for key, item in value.items()}
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
    # "<step_id>/<criterion_id>", as overrides, models and the review queue name a criterion.
    key: str = field(default="", compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.key:
            object.__setattr__(self, "key", f"{self.step_id}/{self.criterion_id}")

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
    # Its JSON shape and its bytes, built once: a remembered keyed step appears in many
    # breakdowns.
    _dict: list = field(default_factory=list, compare=False, repr=False)
    _fragment: list = field(default_factory=list, compare=False, repr=False)

    def to_dict(self) -> dict:
        """The step as breakdown.schema.json shows it (shared: do not modify it)."""
        if not self._dict:
            self._dict.append(
                {
                    "step_id": self.step_id,
                    "item_type": self.item_type,
                    "status": self.status,
                    "on_path": self.on_path,
                    "points": self.points,
                    "max_points": self.max_points,
                    "criteria": [criterion.to_dict() for criterion in self.criteria],
                }
            )
        return self._dict[0]

    def fragment(self) -> orjson.Fragment | None:
        """The step's JSON bytes as orjson writes them (None where orjson cannot)."""
        if not self._fragment:
            self._fragment.append(_orjson_fragment(self.to_dict()))
        return self._fragment[0]


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
    # Serialised bytes, computed once: the pipeline asks for both the bytes and their hash.
    _json: list = field(default_factory=list, compare=False, repr=False)

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

        Each step's bytes are written once (see StepScore.fragment) and spliced in as they are.
        """
        if not self._json:
            fragments = [step.fragment() for step in self.steps]
            if None in fragments:
                encoded = encode_canonical(self.to_dict())
            else:
                encoded = encode_canonical(self._shape(fragments), plain=self.to_dict)
            self._json.append(encoded)
        return self._json[0]

    @property
    def sha256(self) -> str:
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
