"""Run one scoring job exactly once, and keep the review queue in step with the new run."""

from __future__ import annotations

import hashlib
import logging
import time

from django.db import connection, transaction
from django.utils import timezone

from assessments.selectors import people_decide_everything
from audit.canonical import canonical_json
from audit.services import Action, record_event
from scoring import events
from scoring.exceptions import PermanentScoringError
from scoring.models import ReviewItem, ScoreInput, ScoreRun, ScoringJob
from scoring.selectors import active_model_hashes, current_overrides, current_score_run_id
from scoring.services.compiled import (
    compute_breakdown,
    engine_models,
    engine_overrides,
    frozen_content,
)
from scoring.services.quality_control import quality_control_items

logger = logging.getLogger(__name__)

# Runs of one attempt take this advisory lock (two-key form: this namespace, the attempt id).
_ATTEMPT_LOCK_NAMESPACE = 0x5C0E
_INT4 = 2**31 - 1


def attempt_responses(attempt) -> dict[str, dict]:
    """The answers the engine scores: step id → answer, for steps on the attempt's path."""
    path = set(attempt.path)
    return {r.step_id: r.answer for r in attempt.responses.all() if r.step_id in path}


def _snapshot_inputs(attempt, responses: dict, existing: list[tuple]) -> ScoreInput:
    """The attempt's snapshot of these answers: reused when one exists (``existing`` holds the
    attempt's (pk, sha256) pairs), else stored. Runs of one attempt hold its advisory lock,
    so two cannot insert the same snapshot."""
    text = canonical_json(responses).decode("utf-8")
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    for pk, existing_sha in existing:
        if existing_sha == sha:
            return ScoreInput(pk=pk, attempt=attempt, responses_sha256=sha, responses_json=text)
    return ScoreInput.objects.create(attempt=attempt, responses_sha256=sha, responses_json=text)


def _lock_attempt(attempt_id: int) -> None:
    """Serialise runs of one attempt until commit, so each supersedes the one before it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)",
                [_ATTEMPT_LOCK_NAMESPACE, attempt_id % _INT4],
            )


# --- Running a job -----------------------------------------------------------------------------


class _Clock:
    """Wall time per phase of one job, for the benchmark and the debug log."""

    def __init__(self, sink: dict | None):
        self.sink = sink if sink is not None else {}
        self.last = time.perf_counter()

    def lap(self, phase: str) -> None:
        now = time.perf_counter()
        self.sink[phase] = self.sink.get(phase, 0.0) + (now - self.last)
        self.last = now


def run_scoring_job(job_id: int, timings: dict | None = None) -> ScoreRun | None:
    """Score the job's attempt exactly once; a no-op when the job is done or being run.

    ``timings``, when given, receives seconds per phase: lock, load, engine, store, audit,
    commit.
    """
    clock = _Clock(timings)
    with transaction.atomic():
        run = _run_locked_job(job_id, clock)
        clock.lap("audit")
    clock.lap("commit")
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug(
            "scoring job %s: %s",
            job_id,
            ", ".join(f"{k} {v * 1000:.1f} ms" for k, v in clock.sink.items()),
        )
    return run


def _run_locked_job(job_id: int, clock: _Clock) -> ScoreRun | None:
    job = (
        ScoringJob.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("attempt__version", "version")
        .defer("attempt__version__content", "version__content")  # see frozen_content
        .filter(pk=job_id, state=ScoringJob.State.PENDING)
        .first()
    )
    if job is None:
        return None
    attempt = job.attempt
    _lock_attempt(attempt.pk)
    clock.lap("lock")
    snapshots = list(
        ScoreInput.objects.filter(attempt=attempt).values_list(
            "pk", "responses_sha256", "erased_at"
        )
    )
    if any(erased_at is not None for _, _, erased_at in snapshots):
        raise PermanentScoringError(
            "The candidate's answers were erased (data rights): there is nothing left to score."
        )
    version = job.version or attempt.version
    responses = attempt_responses(attempt)
    model_hashes = active_model_hashes(version)
    models = engine_models(model_hashes)
    content = frozen_content(version)
    previous_id = current_score_run_id(attempt.pk)
    # Decisions are taken on a run's review items: with no run yet there can be none.
    overrides = current_overrides(attempt) if previous_id is not None else {}
    # People decide every criterion while the assessment's automation is paused (human
    # oversight) and for a candidate granted an alternative process (no automated scoring).
    human_review = people_decide_everything(version.assessment_id, attempt.invitation_id)
    clock.lap("load")
    breakdown = compute_breakdown(
        content,
        responses,
        models,
        engine_overrides(overrides),
        label=f"attempt {attempt.pk}",
        human_review=human_review,
    )
    breakdown_bytes = breakdown.canonical_json()
    clock.lap("engine")
    inputs = _snapshot_inputs(attempt, responses, [(pk, sha) for pk, sha, _ in snapshots])
    run = ScoreRun.objects.create(
        job=job,
        attempt=attempt,
        supersedes_id=previous_id,
        engine_version=breakdown.engine_version,
        version=version,
        content_sha256=version.content_sha256,
        inputs=inputs,
        responses_sha256=inputs.responses_sha256,
        model_hashes=model_hashes,
        overrides=overrides,
        human_review_required=human_review,
        breakdown_json=breakdown_bytes.decode("utf-8"),
        breakdown_sha256=hashlib.sha256(breakdown_bytes).hexdigest(),
        overall_score=breakdown.overall_score,
        passed=breakdown.passed,
        needs_review=breakdown.needs_review,
    )
    _sync_review_items(run, breakdown, first_run=previous_id is None)
    job.state = ScoringJob.State.DONE
    job.finished_at = timezone.now()
    job.save(update_fields=["state", "finished_at"])
    clock.lap("store")
    # Last, so the audit chain's global lock is held for as short a time as possible.
    subject = f"attempt:{attempt.public_id}"
    record_event(
        Action.SCORE_RUN_STORED,
        actor="system",
        subject=subject,
        payload={
            "run": run.pk,
            "job": job.pk,
            "reason": job.reason,
            "breakdown_sha256": run.breakdown_sha256,
            "content_sha256": run.content_sha256,
            "responses_sha256": run.responses_sha256,
            "model_hashes": model_hashes,
            "engine_version": run.engine_version,
            "passed": run.passed,
            "human_review_required": human_review,
        },
    )
    if previous_id is not None:
        record_event(
            Action.SCORE_RUN_SUPERSEDED,
            actor="system",
            subject=subject,
            payload={"run": previous_id, "superseded_by": run.pk, "reason": job.reason},
        )
    events.score_run_stored(run, job.reason)
    return run


def _sync_review_items(run: ScoreRun, breakdown, *, first_run: bool) -> None:
    """Open a review item per criterion the engine could not settle; withdraw open items the
    new run settled (a new model, or a human decision already applied). A first run also
    opens the quality-control items of its sample; later runs leave those open."""
    needing = {
        criterion.key: criterion for criterion in breakdown.criteria() if criterion.needs_review
    }
    now = timezone.now()
    open_items = {}
    if not first_run:
        open_items = {
            item.criterion_key: item
            for item in ReviewItem.objects.select_for_update().filter(
                attempt_id=run.attempt_id, state=ReviewItem.State.OPEN
            )
        }
    for key, item in open_items.items():
        if key not in needing and not item.quality_control:
            item.state = ReviewItem.State.WITHDRAWN
            item.closed_at = now
            item.save(update_fields=["state", "closed_at"])
    fresh = []
    for key, criterion in needing.items():
        fields = {
            "run": run,
            "reasons": list(criterion.review_reasons),
            "machine_method": criterion.method,
            "machine_level": criterion.level.index,
            "machine_confidence": criterion.confidence,
            "quality_control": False,  # the machine is unsure now: an ordinary review
        }
        item = open_items.get(key)
        if item is None:
            fresh.append(
                ReviewItem(
                    attempt_id=run.attempt_id,
                    criterion_key=key,
                    step_id=criterion.step_id,
                    criterion_id=criterion.criterion_id,
                    **fields,
                )
            )
        else:  # still unsettled: show the reviewer the newest machine result
            for name, value in fields.items():
                setattr(item, name, value)
            item.save(update_fields=list(fields))
    if first_run:
        fresh += quality_control_items(run, breakdown)
    if fresh:
        ReviewItem.objects.bulk_create(fresh)
