"""An assessment document compiled once, for scoring many attempts of it.

A published version never changes, so everything the engine reads from the document alone is
read here once: each criterion's rubric, each item's key (see keyed.compile_item), the step
graph, skill names and pass thresholds, and for free text the rubric's own trigrams and each
criterion's concept patterns. Scoring an attempt then touches only its answers. score()
compiles a plain document itself; the worker keeps compiled versions
(scoring.services.compiled.frozen_content).

Compiling is as lenient as scoring: a malformed part of a document (a step that is not an
object, a level without points) is skipped or defaulted exactly as the scorers always did.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from scoring.engine import text as text_guard
from scoring.engine.breakdown import StepScore, rounded
from scoring.engine.concepts import ConceptSet, compile_concepts
from scoring.engine.keyed import KEYED_METHODS, CompiledItem, compile_item
from scoring.engine.rubric import TEXT_ITEM_TYPES, Rubric, number, rubric_of

# Step scores a compiled version remembers at most (ScoringMemo). One takes a few kilobytes
# (its criteria, evidence and JSON bytes), so this bounds a version's memo to a few tens of MB;
# the distinct answers a cohort gives to a version's keyed steps are far fewer.
MEMO_LIMIT = 10_000


@dataclass(frozen=True, slots=True)
class TextPlan:
    """What scoring a free-text step reads from its document."""

    max_length: int
    prose: bool
    rubric_trigrams: frozenset
    concepts: tuple[ConceptSet, ...]  # one per criterion, in criterion order


@dataclass(frozen=True, slots=True, eq=False)
class StepPlan:
    """One step as the engine reads it (compared by identity: it names its step in the memo)."""

    raw_id: Any  # the id as the document spells it: the key of answers and of the path
    step_id: str
    item: dict
    item_type: str
    rubrics: tuple[Rubric, ...]
    keyed: CompiledItem | None
    keyed_method: str
    text: TextPlan | None
    # The step's score whenever it is off the candidate's path, and when it has no criteria.
    off_path: StepScore
    unscored: StepScore


class ScoringMemo:
    """What scoring attempts of one compiled version remembers: step scores that depend on the
    version and a small key alone, so candidates who give the same answer share one result.

    Two kinds are kept: a keyed step as scored for one answer (by CompiledItem.answer_key:
    choices, selections and orders repeat from one candidate to the next) and a step left
    unanswered (by the scoring method of each criterion). A StepScore never changes, so a
    remembered one is exactly what scoring again would build; past ``limit`` entries new ones
    are scored every time, which bounds memory and changes no result.
    """

    def __init__(self, limit: int = MEMO_LIMIT) -> None:
        self.limit = limit
        self._steps: dict[Hashable, StepScore] = {}

    def step_score(self, key: Hashable, build: Callable[[], StepScore]) -> StepScore:
        """The step score remembered under ``key``, built (and remembered) the first time."""
        found = self._steps.get(key)
        if found is None:
            found = build()
            if len(self._steps) < self.limit:
                self._steps[key] = found
        return found

    def __len__(self) -> int:
        return len(self._steps)


@dataclass(frozen=True, slots=True)
class Assessment:
    """A compiled assessment document; build with compile_assessment()."""

    content: dict
    slug: str
    start: Any
    steps: tuple[StepPlan, ...]
    graph: dict  # raw step id -> StepPlan; the last step of a repeated id wins, as it always did
    # raw step id -> the step as the document has it, for the branching rule (flow.walk).
    sources: dict
    skill_names: dict[str, str]
    skill_thresholds: Any  # the document's pass_rules.skill_thresholds (a dict when valid)
    overall_threshold: float
    # Not an input: a copy made with dataclasses.replace() starts with an empty memo.
    memo: ScoringMemo = field(default_factory=ScoringMemo, init=False, compare=False, repr=False)


def compile_assessment(content: dict) -> Assessment:
    """Read everything scoring needs from a frozen assessment document, once."""
    if not isinstance(content, dict):
        raise TypeError("content must be the assessment document (a dict)")
    sources = [step for step in content.get("steps") or [] if isinstance(step, dict)]
    steps = tuple(_step_plan(step) for step in sources)
    pass_rules = content.get("pass_rules") or {}
    return Assessment(
        content=content,
        slug=str(content.get("slug", "")),
        start=content.get("start"),
        steps=steps,
        graph={plan.raw_id: plan for plan in steps},
        sources={step.get("id"): step for step in sources},
        skill_names=_skill_names(content),
        skill_thresholds=pass_rules.get("skill_thresholds") or {},
        overall_threshold=rounded(number(pass_rules.get("overall_threshold"), 100.0)),
    )


def skill_threshold(assessment: Assessment, skill_id: str) -> float | None:
    """A skill's pass threshold, rounded as it appears in the breakdown; None when it has none."""
    threshold = assessment.skill_thresholds.get(skill_id)
    return None if threshold is None else rounded(number(threshold, 0.0))


def _skill_names(content: dict) -> dict[str, str]:
    names: dict[str, str] = {}
    for skill in content.get("skills") or []:
        if isinstance(skill, dict) and isinstance(skill.get("id"), str):
            names[skill["id"]] = str(skill.get("name", skill["id"]))
    return names


def _step_plan(step: dict) -> StepPlan:
    step_id = str(step.get("id", ""))
    item = step.get("item") if isinstance(step.get("item"), dict) else {}
    item_type = str(item.get("type", ""))
    criteria = [c for c in step.get("criteria") or [] if isinstance(c, dict)]
    is_text = item_type in TEXT_ITEM_TYPES
    return StepPlan(
        raw_id=step.get("id"),
        step_id=step_id,
        item=item,
        item_type=item_type,
        rubrics=tuple(rubric_of(step_id, criterion) for criterion in criteria),
        keyed=None if is_text else compile_item(item),
        keyed_method=KEYED_METHODS.get(item_type, "keyed"),
        text=_text_plan(step, item, criteria) if is_text else None,
        off_path=StepScore(step_id, item_type, "off_path", False, 0.0, 0.0),
        unscored=StepScore(step_id, item_type, "unscored", True, 0.0, 0.0),
    )


def _text_plan(step: dict, item: dict, criteria: list[dict]) -> TextPlan:
    return TextPlan(
        max_length=text_guard.max_length_for(item),
        prose=item.get("type") == "long_text",
        rubric_trigrams=text_guard.rubric_trigrams(text_guard.rubric_texts_of(step)),
        concepts=tuple(
            compile_concepts([c for c in criterion.get("concepts") or [] if isinstance(c, dict)])
            for criterion in criteria
        ),
    )
