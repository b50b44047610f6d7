"""The engine's entry point: frozen content + answers (+ text models, + overrides) -> Breakdown.

Decisions where CONTENT_FORMAT.md or the issue leave room:

- **Path.** The engine walks the step graph from ``start`` with the given answers by the one
  branching rule the candidate pages also follow (``flow.next_step_id``). Steps
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

import flow
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
from scoring.engine.keyed import ItemOutcome
from scoring.engine.plan import Assessment, StepPlan, compile_assessment, skill_threshold
from scoring.engine.rubric import (
    HumanOverride,
    LevelPredictor,
    Rubric,
    criterion_score,
    make_score,
    text_method,
)
from scoring.engine.textscore import score_text_criteria

# 2.1.0: misspelt English function words count as English for the guards (text.py), and text
# classifiers of format @2 decide automation by their own threshold (textscore.py).
ENGINE_VERSION = "2.1.0"

# --- the candidate's path -------------------------------------------------------------------


def candidate_path(content: dict | Assessment, responses: Mapping[str, Any]) -> list[str]:
    """Step ids the candidate walked through, from ``start``, following their answers by the
    same rule the candidate pages follow (flow.next_step_id)."""
    assessment = _compiled(content)
    return flow.walk(assessment.sources, assessment.start, responses)


# --- steps ------------------------------------------------------------------------------------


def _unanswered_step(
    assessment: Assessment, step: StepPlan, models: Mapping[str, LevelPredictor]
) -> StepScore:
    """A step on the path without an answer: the same for every attempt scored with the same
    methods, so it is remembered per compiled version and methods."""
    methods = tuple(
        text_method(rubric, models) if step.text else step.keyed_method for rubric in step.rubrics
    )

    def build() -> StepScore:
        evidence = {"status": "unanswered", "note": "not answered: scored 0"}
        scores = [
            criterion_score(rubric, 0, method=method, confidence=1.0, evidence=evidence)
            for rubric, method in zip(step.rubrics, methods, strict=True)
        ]
        return _step(step.step_id, step.item_type, "unanswered", scores)

    return assessment.memo.step_score(("unanswered", step, methods), build)


def _keyed_criteria(rubrics: tuple[Rubric, ...], outcome: ItemOutcome) -> list[CriterionScore]:
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
    assessment: Assessment,
    step: StepPlan,
    on_path: bool,
    answer: Any,
    models: Mapping[str, LevelPredictor],
) -> StepScore:
    if not on_path:
        return step.off_path
    if not step.rubrics:
        return step.unscored
    if answer is None:
        return _unanswered_step(assessment, step, models)
    if step.text:
        status, scores = score_text_criteria(step, answer, models)
        return _step(step.step_id, step.item_type, status, scores)
    return _keyed_step(assessment, step, answer)


def _keyed_step(assessment: Assessment, step: StepPlan, answer: Any) -> StepScore:
    """A keyed step, answered. Its score is a function of the answer alone, and choices and
    orders repeat from one candidate to the next, so each distinct one is remembered per
    compiled version (answers without a CompiledItem.answer_key are scored every time)."""

    def build() -> StepScore:
        outcome = step.keyed.score(answer)
        status = "answered" if outcome.valid else "invalid"
        scores = _keyed_criteria(step.rubrics, outcome)
        return _step(step.step_id, step.item_type, status, scores)

    key = step.keyed.answer_key(answer)
    if key is None:
        return build()
    return assessment.memo.step_score(("keyed", step, key), build)


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
    steps: list[StepScore], plans: tuple[StepPlan, ...], overrides: Mapping[str, HumanOverride]
) -> tuple[list[StepScore], list[str]]:
    if not overrides:
        return steps, []
    applied: set[str] = set()
    result = []
    for step, plan in zip(steps, plans, strict=True):
        scores = []
        for score, rubric in zip(step.criteria, plan.rubrics, strict=False):
            override = overrides.get(score.key)
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


def _weighted_score(criteria: list[CriterionScore]) -> tuple[float, float]:
    """(total weight, 0..100 score) of criteria with points to earn, summed in document order
    (float addition is not associative: the order is part of the result)."""
    weight = sum(c.weight for c in criteria)
    earned = sum(c.weight * c.points / c.max_points for c in criteria)
    return weight, (rounded(100.0 * earned / weight) if weight else 0.0)


def _skill_scores(assessment: Assessment, criteria: list[CriterionScore]) -> list[SkillScore]:
    names = dict(assessment.skill_names)
    scored: dict[str, list[CriterionScore]] = {}
    for criterion in criteria:
        names.setdefault(criterion.skill, criterion.skill)
        if criterion.max_points > 0:
            scored.setdefault(criterion.skill, []).append(criterion)
    result = []
    for skill_id, name in names.items():
        mine = scored.get(skill_id, [])
        weight, score = _weighted_score(mine)
        threshold = skill_threshold(assessment, skill_id)
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


def _overall(
    assessment: Assessment, criteria: list[CriterionScore], skills: list[SkillScore]
) -> Overall:
    scored = [c for c in criteria if c.max_points > 0]
    _weight, score = _weighted_score(scored)
    threshold = assessment.overall_threshold
    review = tuple(c.key for c in criteria if c.needs_review)
    return Overall(
        score=score,
        threshold=threshold,
        passed=bool(scored) and score >= threshold and all(skill.passed for skill in skills),
        needs_review=bool(review),
        review_items=review,
    )


def _compiled(content: dict | Assessment) -> Assessment:
    return content if isinstance(content, Assessment) else compile_assessment(content)


def score(
    content: dict | Assessment,
    responses: Mapping[str, Any] | None,
    models: Mapping[str, LevelPredictor] | None = None,
    overrides: Mapping[str, HumanOverride] | None = None,
) -> Breakdown:
    """Score one attempt: a pure function of its arguments, which it never modifies.

    ``content`` is the assessment document, or the same document compiled once with
    compile_assessment() when many attempts of it are scored: the breakdown is the same.
    """
    assessment = _compiled(content)
    responses = responses if isinstance(responses, Mapping) else {}
    models = models or {}
    path = set(candidate_path(assessment, responses))
    steps = [
        _score_step(assessment, step, step.raw_id in path, responses.get(step.raw_id), models)
        for step in assessment.steps
    ]
    steps, ignored = _with_overrides(steps, assessment.steps, overrides or {})
    criteria = [criterion for step in steps for criterion in step.criteria]
    skills = _skill_scores(assessment, criteria)
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
        assessment=assessment.slug,
        steps=tuple(steps),
        skills=tuple(skills),
        overall=_overall(assessment, criteria, skills),
        models=used_models,
        overrides_ignored=tuple(ignored),
    )
