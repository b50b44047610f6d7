"""Which step comes next: the one branching rule of Skillproof, shared by the candidate pages
and the scoring engine. Pure: plain dicts in, step ids out; no Django, no clock.

Two copies of this rule drifted once (the engine ignored option rules on multiple-choice
answers) and the engine scored paths candidates never walked. Keep it here, once.

The engine also reads documents that never passed validation (replays, imports under test),
so every function accepts malformed parts and treats them as "does not match" instead of
raising.
"""

from collections.abc import Callable, Mapping
from typing import Any

_NUMERIC_OPS: dict[str, Callable[[float, float], bool]] = {
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
    "eq": lambda a, b: a == b,
}
# A path never revisits a step, so it cannot be longer than the document; this bounds a walk
# over a malformed graph all the same.
MAX_PATH_STEPS = 10_000
# Item types answered in free text: scored by text models or concept rubrics, never by a key.
TEXT_ITEM_TYPES = frozenset({"short_text", "long_text"})


def steps_by_id(content: dict) -> dict[str, dict]:
    """The document's steps keyed by id."""
    return {step["id"]: step for step in content["steps"]}


def is_scored(step: dict) -> bool:
    """Whether a step has rubric criteria (narrative steps have none)."""
    return bool(step.get("criteria"))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _options(step: Mapping) -> list:
    item = step.get("item")
    options = item.get("options") if isinstance(item, Mapping) else None
    return options if isinstance(options, list) else []


def _chosen_option(step: Mapping, answer: Mapping) -> Mapping | None:
    chosen = answer.get("option")
    for option in _options(step):
        if isinstance(option, Mapping) and option.get("id") == chosen:
            return option
    return None


def rule_matches(condition: Any, answer: Mapping) -> bool:
    """Whether a rule's ``when`` holds for an answer.

    ``{"option": id}`` holds when a single-choice answer picked that option or a
    multiple-choice answer (``{"options": [ids]}``) has it among those picked.
    ``{"op": lt|le|gt|ge|eq, "value": number}`` compares a numeric answer's value.
    """
    if not isinstance(condition, Mapping):
        return False
    if "option" in condition:
        picked = answer.get("options")
        if isinstance(picked, list):
            return condition["option"] in picked
        return answer.get("option") == condition["option"]
    value, bound = answer.get("value"), condition.get("value")
    operator = _NUMERIC_OPS.get(condition.get("op"))  # type: ignore[arg-type]
    return (
        operator is not None and _is_number(value) and _is_number(bound) and operator(value, bound)
    )


def next_step_id(step: Mapping, answer: Any) -> Any:
    """The step that follows ``step`` given its answer; None ends the assessment.

    An option's own ``next`` wins over the step's rules, which win over its default ``next``.
    """
    answer = answer if isinstance(answer, Mapping) else {}
    option = _chosen_option(step, answer)
    if option is not None and option.get("next"):
        return option["next"]
    for rule in step.get("rules") or []:
        if isinstance(rule, Mapping) and rule_matches(rule.get("when"), answer):
            return rule.get("next")
    return step.get("next")


def walk(steps: Mapping[Any, Mapping], start: Any, answers: Mapping[str, Any]) -> list[str]:
    """The step ids a candidate with these answers walks through, from ``start``.

    The walk ends at a step with no next, at an id that is not a step, or where it would come
    back to a step already on the path.
    """
    path: list[str] = []
    seen: set[str] = set()
    step_id = start
    while isinstance(step_id, str) and step_id in steps and step_id not in seen:
        path.append(step_id)
        seen.add(step_id)
        if len(path) >= MAX_PATH_STEPS:
            break
        step_id = next_step_id(steps[step_id], answers.get(step_id))
    return path
