"""The engine's entry point: frozen content + answers (+ text models, + overrides) -> Breakdown.

Decisions where CONTENT_FORMAT.md or the issue leave room:

- **Path.** The engine walks the step graph itself from ``start`` with the given answers (an
  option's ``next``, then ``rules``, then the step's ``next``, as assessments.flow does). Steps
  off that path are listed with status ``off_path`` and no criteria, and count for nothing: a
  branch the candidate never saw neither costs nor earns points. Steps on the path without an
  answer score 0 (status ``unanswered``). Answers to steps off the path are ignored.
- **Skill score** = 100 * sum(weight * points / max_points) / sum(weight) over the skill's
  criteria on the path. A skill with no criterion on the path is ``assessed: false``, scores 0,
  and fails its threshold if it has one (nothing was measured, so nothing is certified).
- **Overall score** = the same weighted mean over every criterion on the path, which equals the
  mean of skill scores weighted by each skill's total criterion weight (CONTENT_FORMAT calls
  overall_threshold a "weighted overall score").
- **Pass** = overall >= overall_threshold and every skill listed in skill_thresholds reaches its
  threshold; scores are compared after rounding, exactly as they appear in the breakdown.
- **Overrides** replace a criterion's machine result with the reviewer's level (method ``human``,
  confidence 1); the machine result stays in the evidence. An override for an unknown key, a step
  off the path, or a level out of range is not applied and its key is listed in
  ``overrides_ignored``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scoring.engine.breakdown import (
    Breakdown,
    CriterionScore,
    Level,
    Overall,
    SkillScore,
    StepScore,
    rounded,
    skill_band,
)
from scoring.engine.keyed import KEYED_METHODS, KEYED_SCORERS, ItemOutcome
from scoring.engine.rubric import (
    TEXT_ITEM_TYPES,
    HumanOverride,
    Rubric,
    TextModel,
    criterion_score,
    make_score,
    number,
    rubric_of,
    text_method,
)
from scoring.engine.textscore import score_text_criteria

ENGINE_VERSION = "1.1.0"
_MAX_PATH_STEPS = 10_000

# --- the candidate's path -------------------------------------------------------------------


def _answer_dict(answer: Any) -> dict:
    return answer if isinstance(answer, dict) else {}


def _rule_matches(condition: Any, answer: dict) -> bool:
    if not isinstance(condition, dict):
        return False
    if "option" in condition:
        return answer.get("option") == condition["option"]
    value, bound = answer.get("value"), condition.get("value")
    if any(isinstance(x, bool) or not isinstance(x, int | float) for x in (value, bound)):
        return False
    compare = {
        "lt": value < bound,
        "le": value <= bound,
        "gt": value > bound,
        "ge": value >= bound,
        "eq": value == bound,
    }
    return compare.get(condition.get("op"), False)


def next_step_id(step: dict, answer: Any) -> str | None:
    """The step after ``step`` given its answer: option next, then rules, then the step's next."""
    answer = _answer_dict(answer)
    for option in step.get("item", {}).get("options") or []:
        if isinstance(option, dict) and option.get("id") == answer.get("option"):
            if option.get("next"):
                return option["next"]
            break
    for rule in step.get("rules") or []:
        if isinstance(rule, dict) and _rule_matches(rule.get("when"), answer):
            return rule.get("next")
    return step.get("next")


def candidate_path(content: dict, responses: Mapping[str, Any]) -> list[str]:
    """Step ids the candidate walked through, from ``start``, following their answers."""
    steps = {step.get("id"): step for step in content.get("steps") or [] if isinstance(step, dict)}
    path: list[str] = []
    step_id = content.get("start")
    while isinstance(step_id, str) and step_id in steps and step_id not in path:
        path.append(step_id)
        if len(path) >= _MAX_PATH_STEPS:
            break
        step_id = next_step_id(steps[step_id], responses.get(step_id))
    return path


# --- steps ------------------------------------------------------------------------------------


def _unanswered(rubric: Rubric, method: str) -> CriterionScore:
    evidence = {"status": "unanswered", "note": "not answered: scored 0"}
    return criterion_score(rubric, 0, method=method, confidence=1.0, evidence=evidence)


def _keyed_criteria(rubrics: list[Rubric], outcome: ItemOutcome) -> list[CriterionScore]:
    scores = []
    for rubric in rubrics:
        points = outcome.fraction * rubric.max_points
        level = rubric.level_for_points(points)
        scores.append(
            make_score(
                rubric,
                points,
                level,
                method=outcome.method,
                confidence=1.0,
                evidence={"fraction": rounded(outcome.fraction), **outcome.evidence},
            )
        )
    return scores


def _score_step(
    step: dict, on_path: bool, answer: Any, models: Mapping[str, TextModel]
) -> StepScore:
    step_id = str(step.get("id", ""))
    item = step.get("item") if isinstance(step.get("item"), dict) else {}
    item_type = str(item.get("type", ""))
    criteria = [c for c in step.get("criteria") or [] if isinstance(c, dict)]
    if not on_path:
        return StepScore(step_id, item_type, "off_path", False, 0.0, 0.0)
    rubrics = [rubric_of(step_id, criterion) for criterion in criteria]
    if not rubrics:
        return StepScore(step_id, item_type, "unscored", True, 0.0, 0.0)
    if answer is None:
        scores = [
            _unanswered(
                rubric,
                text_method(rubric, models)
                if item_type in TEXT_ITEM_TYPES
                else KEYED_METHODS.get(item_type, "keyed"),
            )
            for rubric in rubrics
        ]
        status = "unanswered"
    elif item_type in TEXT_ITEM_TYPES:
        status, scores = score_text_criteria(step, item, rubrics, criteria, answer, models)
    elif item_type in KEYED_SCORERS:
        outcome = KEYED_SCORERS[item_type](item, answer)
        status = "answered" if outcome.valid else "invalid"
        scores = _keyed_criteria(rubrics, outcome)
    else:
        outcome = ItemOutcome(
            0.0, "keyed", {"status": "invalid", "note": "invalid answer: unknown item type"}, False
        )
        status, scores = "invalid", _keyed_criteria(rubrics, outcome)
    return _step(step_id, item_type, status, scores)


def _step(step_id: str, item_type: str, status: str, scores: list[CriterionScore]) -> StepScore:
    return StepScore(
        step_id=step_id,
        item_type=item_type,
        status=status,
        on_path=True,
        points=rounded(sum(score.points for score in scores)),
        max_points=rounded(sum(score.max_points for score in scores)),
        criteria=tuple(scores),
    )


# --- overrides --------------------------------------------------------------------------------


def _valid_override(override: Any, rubric_levels: int) -> bool:
    level = getattr(override, "level", None)
    return (
        isinstance(level, int) and not isinstance(level, bool) and 0 <= level < rubric_levels
    ) and rubric_levels > 0


def _apply_override(score: CriterionScore, rubric: Rubric, override: HumanOverride):
    machine = {
        "method": score.method,
        "level": score.level.to_dict(),
        "points": score.points,
        "confidence": score.confidence,
        "evidence": score.evidence,
    }
    evidence = {
        "status": "overridden",
        "reviewer": str(override.reviewer),
        "reason": str(override.reason),
        "machine": machine,
    }
    return criterion_score(
        rubric, override.level, method="human", confidence=1.0, evidence=evidence
    )


def _with_overrides(
    steps: list[StepScore], content: dict, overrides: Mapping[str, HumanOverride]
) -> tuple[list[StepScore], list[str]]:
    if not overrides:
        return steps, []
    criteria_by_step = {
        step.get("id"): {c.get("id"): c for c in step.get("criteria") or [] if isinstance(c, dict)}
        for step in content.get("steps") or []
        if isinstance(step, dict)
    }
    applied: set[str] = set()
    result = []
    for step in steps:
        scores = []
        for score in step.criteria:
            override = overrides.get(score.key)
            rubric = rubric_of(step.step_id, criteria_by_step[step.step_id][score.criterion_id])
            if override is not None and _valid_override(override, len(rubric.levels)):
                score = _apply_override(score, rubric, override)
                applied.add(score.key)
            scores.append(score)
        result.append(
            _step(step.step_id, step.item_type, step.status, scores) if step.on_path else step
        )
    ignored = sorted(str(key) for key in overrides if key not in applied)
    return result, ignored


# --- aggregation ------------------------------------------------------------------------------


def _skill_scores(content: dict, criteria: list[CriterionScore]) -> list[SkillScore]:
    names: dict[str, str] = {}
    for skill in content.get("skills") or []:
        if isinstance(skill, dict) and isinstance(skill.get("id"), str):
            names[skill["id"]] = str(skill.get("name", skill["id"]))
    for criterion in criteria:
        names.setdefault(criterion.skill, criterion.skill)
    thresholds = (content.get("pass_rules") or {}).get("skill_thresholds") or {}
    result = []
    for skill_id, name in names.items():
        mine = [c for c in criteria if c.skill == skill_id and c.max_points > 0]
        weight = sum(c.weight for c in mine)
        earned = sum(c.weight * c.points / c.max_points for c in mine)
        score = rounded(100.0 * earned / weight) if weight else 0.0
        threshold = thresholds.get(skill_id)
        threshold = None if threshold is None else rounded(number(threshold, 0.0))
        result.append(
            SkillScore(
                skill=skill_id,
                name=name,
                score=score,
                level=Level(*skill_band(score)),
                weight=rounded(weight),
                threshold=threshold,
                passed=threshold is None or (bool(mine) and score >= threshold),
                assessed=bool(mine),
                criteria=tuple(c.key for c in mine),
            )
        )
    return result


def _overall(content: dict, criteria: list[CriterionScore], skills: list[SkillScore]) -> Overall:
    scored = [c for c in criteria if c.max_points > 0]
    weight = sum(c.weight for c in scored)
    earned = sum(c.weight * c.points / c.max_points for c in scored)
    score = rounded(100.0 * earned / weight) if weight else 0.0
    threshold = rounded(number((content.get("pass_rules") or {}).get("overall_threshold"), 100.0))
    review = tuple(c.key for c in criteria if c.needs_review)
    return Overall(
        score=score,
        threshold=threshold,
        passed=bool(scored) and score >= threshold and all(skill.passed for skill in skills),
        needs_review=bool(review),
        review_items=review,
    )


def score(
    content: dict,
    responses: Mapping[str, Any] | None,
    models: Mapping[str, TextModel] | None = None,
    overrides: Mapping[str, HumanOverride] | None = None,
) -> Breakdown:
    """Score one attempt: a pure function of its arguments, which it never modifies."""
    if not isinstance(content, dict):
        raise TypeError("content must be the assessment document (a dict)")
    responses = responses if isinstance(responses, Mapping) else {}
    models = models or {}
    path = set(candidate_path(content, responses))
    steps = [
        _score_step(step, step.get("id") in path, responses.get(step.get("id")), models)
        for step in content.get("steps") or []
        if isinstance(step, dict)
    ]
    steps, ignored = _with_overrides(steps, content, overrides or {})
    criteria = [criterion for step in steps for criterion in step.criteria]
    skills = _skill_scores(content, criteria)
    used_models = {
        c.key: {
            "sha256": models[c.key].sha256,
            "training_set_sha256": models[c.key].training_set_sha256,
        }
        for c in criteria
        if c.key in models and "model" in (c.method, c.evidence.get("machine", {}).get("method"))
    }
    return Breakdown(
        engine_version=ENGINE_VERSION,
        assessment=str(content.get("slug", "")),
        steps=tuple(steps),
        skills=tuple(skills),
        overall=_overall(content, criteria, skills),
        models=used_models,
        overrides_ignored=tuple(ignored),
    )
