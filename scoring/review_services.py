"""The review queue's one write: a reviewer's decision on a criterion the machine was unsure of.

A decision never edits a score. It is stored (ReviewDecision), audited (``review.decided``:
actor the reviewer, subject the attempt, payload the level, the reason and the scoring job),
and asks for a new run through the outbox (a ScoringJob with reason ``review``). That run gives
the engine every decision of the attempt as a HumanOverride, and supersedes the run before it;
its ``score_run.stored`` event names the same job. On a free-text criterion the decision is
also kept as a training example for the criterion's next model (``services.training``); a
quality-control item (a confident machine score checked anyway) is decided the same way.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from audit.roles import Role, has_role
from audit.services import Action, actor_for_user, record_event
from scoring.content import find_criterion
from scoring.exceptions import ReviewRefused
from scoring.models import ReviewDecision, ReviewItem, ScoringJob
from scoring.services.outbox import request_scoring
from scoring.services.training import record_training_example

MAX_REASON_LENGTH = 2000


def criterion_levels(content: dict, step_id: str, criterion_id: str) -> list[dict]:
    """The levels of one criterion of a frozen document (empty when it is not there)."""
    return list(find_criterion(content, step_id, criterion_id).get("levels") or [])


def closed_item_message(item: ReviewItem) -> str:
    """Why a closed item takes no decision: a decision is final, a withdrawn item is settled."""
    if item.state == ReviewItem.State.DECIDED:
        return (
            f"Review #{item.pk} has already been decided. A decision is final: it cannot be "
            "changed or made a second time."
        )
    return (
        f"Review #{item.pk} is no longer needed: a later score of the attempt settled this "
        "criterion without a reviewer."
    )


@transaction.atomic
def decide_review_item(item: ReviewItem, *, level: int, reason: str, user) -> ReviewDecision:
    """Record a reviewer's level and reason for one open item, and ask for the new run."""
    if not has_role(user, Role.REVIEWER):
        raise PermissionDenied("Only reviewers decide review items.")
    item = (
        ReviewItem.objects.select_for_update(of=("self",))
        .select_related("run__version", "run__inputs", "attempt__version")
        .get(pk=item.pk)
    )
    # Checked under the row lock: of two decisions racing on one item, the second is refused.
    if item.state != ReviewItem.State.OPEN:
        raise ReviewRefused(closed_item_message(item))
    reason = (reason or "").strip()
    if not reason:
        raise ReviewRefused("Give the reason for your decision: it is kept with the score.")
    if len(reason) > MAX_REASON_LENGTH:
        raise ReviewRefused(f"Keep the reason under {MAX_REASON_LENGTH} characters.")
    levels = criterion_levels(item.run.version.content, item.step_id, item.criterion_id)
    if isinstance(level, bool) or not isinstance(level, int) or not 0 <= level < len(levels):
        raise ReviewRefused("Choose one of the rubric's levels.")
    if item.run.inputs.erased_at is not None:
        raise ReviewRefused("The candidate's answers were erased; this item cannot be decided.")
    attempt = item.attempt
    actor = actor_for_user(user)
    scored_version = item.run.version
    job = request_scoring(
        attempt,
        ScoringJob.Reason.REVIEW,
        version=None if scored_version.pk == attempt.version_id else scored_version,
        requested_by=actor,
    )
    decision = ReviewDecision.objects.create(
        item=item,
        attempt=attempt,
        criterion_key=item.criterion_key,
        level=level,
        reason=reason,
        reviewer=user,
        reviewer_label=user.get_username(),
        job=job,
    )
    item.state = ReviewItem.State.DECIDED
    item.closed_at = timezone.now()
    item.save(update_fields=["state", "closed_at"])
    # The decision teaches the criterion's next model (free text only).
    example = record_training_example(decision)
    record_event(
        Action.REVIEW_DECIDED,
        actor=actor,
        subject=f"attempt:{attempt.public_id}",
        payload={
            "item": item.pk,
            "criterion": item.criterion_key,
            "level": level,
            "level_label": str(levels[level].get("label", "")),
            "machine_level": item.machine_level,
            "machine_method": item.machine_method,
            "machine_confidence": item.machine_confidence,
            "reason": reason,
            "job": job.pk,
            "run_reviewed": item.run_id,
            "quality_control": item.quality_control,
            "training_example": example.pk if example is not None else None,
        },
    )
    return decision
