"""Human oversight: while an assessment's automation is paused, people decide every criterion.

The machine still computes its result (a reviewer sees it as a suggestion, and a keyed item's
points are what its key says), but every criterion on the candidate's path that no person has
decided is marked for review with the reason ``automation_paused``, so the attempt is not
final until people have decided all of them. Pure: the same breakdown in, the same bytes out,
so a replay given the run's recorded pause reproduces the stored breakdown.
"""

from __future__ import annotations

from dataclasses import replace

from scoring.engine.breakdown import Breakdown, CriterionScore, Overall, StepScore

AUTOMATION_PAUSED = "automation_paused"


def _for_review(criterion: CriterionScore) -> CriterionScore:
    if criterion.method == "human" or AUTOMATION_PAUSED in criterion.review_reasons:
        return criterion
    return replace(
        criterion,
        needs_review=True,
        review_reasons=(*criterion.review_reasons, AUTOMATION_PAUSED),
    )


def _step_for_review(step: StepScore) -> StepScore:
    if not step.criteria:
        return step
    # A new step built from its fields: cached serialisations of the old one must not follow.
    return StepScore(
        step_id=step.step_id,
        item_type=step.item_type,
        status=step.status,
        on_path=step.on_path,
        points=step.points,
        max_points=step.max_points,
        criteria=tuple(_for_review(criterion) for criterion in step.criteria),
    )


def require_human_review(breakdown: Breakdown) -> Breakdown:
    """The breakdown with every criterion no person has decided sent to review."""
    steps = tuple(_step_for_review(step) for step in breakdown.steps)
    review = tuple(
        criterion.key for step in steps for criterion in step.criteria if criterion.needs_review
    )
    overall = breakdown.overall
    return Breakdown(
        engine_version=breakdown.engine_version,
        assessment=breakdown.assessment,
        steps=steps,
        skills=breakdown.skills,
        overall=Overall(
            score=overall.score,
            threshold=overall.threshold,
            passed=overall.passed,
            needs_review=bool(review),
            review_items=review,
        ),
        models=breakdown.models,
        overrides_ignored=breakdown.overrides_ignored,
    )
