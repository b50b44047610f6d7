"""Navigation through a frozen assessment document. Pure: plain dicts in, step ids out."""

from typing import Any

_NUMERIC_OPS = {
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
    "eq": lambda a, b: a == b,
}


def steps_by_id(content: dict) -> dict[str, dict]:
    """The document's steps keyed by id."""
    return {step["id"]: step for step in content["steps"]}


def _chosen_option(step: dict, answer: dict) -> dict | None:
    option_id = answer.get("option")
    for option in step["item"].get("options", []):
        if option["id"] == option_id:
            return option
    return None


def _numeric_value(answer: dict) -> float | None:
    value = answer.get("value")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _rule_matches(condition: dict, answer: dict) -> bool:
    if "option" in condition:
        # Single choice answers {"option": id}; multiple choice {"options": [ids]}.
        chosen = answer.get("options")
        if isinstance(chosen, list):
            return condition["option"] in chosen
        return answer.get("option") == condition["option"]
    value = _numeric_value(answer)
    operator = _NUMERIC_OPS.get(condition.get("op", ""))
    return value is not None and operator is not None and operator(value, condition["value"])


def next_step_id(step: dict, answer: dict[str, Any] | None) -> str | None:
    """The step that follows ``step`` given its answer; None ends the assessment.

    An option's own ``next`` wins over the step's rules, which win over its default ``next``.
    """
    answer = answer or {}
    option = _chosen_option(step, answer)
    if option is not None and option.get("next"):
        return option["next"]
    for rule in step.get("rules", []):
        if _rule_matches(rule["when"], answer):
            return rule["next"]
    return step.get("next")


def is_scored(step: dict) -> bool:
    """Whether a step has rubric criteria (narrative steps have none)."""
    return bool(step.get("criteria"))
