"""Every write of the scoring domain: request scoring, run a job, sweep the outbox, train and
activate text models, re-score, replay, and erase stored answers.

Exactly-once: a job row is locked with ``select_for_update(skip_locked=True)`` and is a no-op
once done; a ScoreRun is one-to-one with its job (a unique constraint); runs of one attempt are
serialised by a transaction-scoped advisory lock, so each new run supersedes the one before it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from threading import Lock
from typing import Any

from cachetools import LRUCache, cached
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.utils import timezone

from assessments.exceptions import ContentMismatch
from assessments.published import published_versions
from audit.canonical import canonical_json, json_sha256
from audit.services import Action, record_event
from scoring import engine
from scoring.exceptions import (
    InputsUnavailable,
    PermanentScoringError,
    RescoreRefused,
)
from scoring.models import (
    ReviewItem,
    ScoreInput,
    ScoreRun,
    ScoringJob,
    TextModel,
)
from scoring.selectors import (
    active_model_hashes,
    current_overrides,
    current_score_run_id,
)

logger = logging.getLogger(__name__)

TEXT_ITEM_TYPES = frozenset({"short_text", "long_text"})
# Runs of one attempt take this advisory lock (two-key form: this namespace, the attempt id).
_ATTEMPT_LOCK_NAMESPACE = 0x5C0E
_INT4 = 2**31 - 1


def _setting(name: str, default):
    return getattr(settings, name, default)


def qwk_bar() -> float:
    """TEXT_MODEL_QWK_BAR: the cross-validated QWK a model needs before it may score."""
    return float(_setting("TEXT_MODEL_QWK_BAR", 0.7))


def min_exemplars() -> int:
    """TEXT_MODEL_MIN_EXEMPLARS: labelled exemplars (after holding some back) a model needs."""
    return int(_setting("TEXT_MODEL_MIN_EXEMPLARS", 30))


def hold_back_every() -> int:
    """TEXT_MODEL_HOLD_BACK_EVERY: one exemplar in this many per level is held back."""
    return max(2, int(_setting("TEXT_MODEL_HOLD_BACK_EVERY", 5)))


# --- The outbox --------------------------------------------------------------------------------


def enqueue_job(job_id: int) -> None:
    """Send the job's message to the broker (called after commit, and by the sweeper)."""
    from scoring.tasks import score_attempt

    score_attempt.delay(job_id)


def request_scoring(
    attempt,
    reason: str = ScoringJob.Reason.SUBMITTED,
    *,
    version=None,
    requested_by: str = "system",
) -> ScoringJob:
    """Write the outbox row in the caller's transaction; the message leaves after commit."""
    job = ScoringJob.objects.create(
        attempt=attempt,
        reason=reason,
        version=version,
        requested_by=requested_by,
        enqueued_at=timezone.now(),
        enqueue_count=1,
    )
    transaction.on_commit(lambda: enqueue_job(job.pk))
    return job


def sweep_stale_jobs(stale_after: timedelta | None = None, limit: int = 1000) -> int:
    """Re-enqueue pending jobs whose message may have been lost; returns how many."""
    if stale_after is None:
        stale_after = timedelta(seconds=_setting("OUTBOX_STALE_SECONDS", 60))
    cutoff = timezone.now() - stale_after
    job_ids = list(
        ScoringJob.objects.filter(state=ScoringJob.State.PENDING, enqueued_at__lte=cutoff)
        .order_by("enqueued_at")
        .values_list("pk", flat=True)[:limit]
    )
    swept = 0
    for job_id in job_ids:
        with transaction.atomic():
            updated = ScoringJob.objects.filter(pk=job_id, state=ScoringJob.State.PENDING).update(
                enqueued_at=timezone.now(), enqueue_count=F("enqueue_count") + 1
            )
            if updated:
                swept += 1
                transaction.on_commit(lambda job_id=job_id: enqueue_job(job_id))
    if swept:
        logger.info("Re-enqueued %d stale scoring jobs", swept)
    return swept


@transaction.atomic
def fail_scoring_job(job_id: int, error: str) -> None:
    """Mark a job failed with its error, for the admin's retry action."""
    job = ScoringJob.objects.select_for_update().get(pk=job_id)
    if job.state != ScoringJob.State.PENDING:
        return
    job.state = ScoringJob.State.FAILED
    job.last_error = error[:4000]
    job.finished_at = timezone.now()
    job.save(update_fields=["state", "last_error", "finished_at"])
    record_event(
        Action.SCORING_FAILED,
        actor="system",
        subject=f"attempt:{job.attempt.public_id}",
        payload={"job": job.pk, "reason": job.reason, "error": error[:500]},
    )


def note_transient_error(job_id: int, error: BaseException) -> bool:
    """Count a transient failure on the job (best effort: the database may be the problem).

    Returns True when the job has had too many and was marked failed instead.
    """
    limit = int(_setting("SCORING_MAX_TRANSIENT_ERRORS", 50))
    message = f"transient error (retried): {type(error).__name__}: {error}"[:4000]
    try:
        connection.close_if_unusable_or_obsolete()
        if connection.in_atomic_block:
            return False
        updated = ScoringJob.objects.filter(pk=job_id, state=ScoringJob.State.PENDING).update(
            retries=F("retries") + 1, last_error=message
        )
        if updated and ScoringJob.objects.filter(pk=job_id, retries__gte=limit).exists():
            fail_scoring_job(job_id, f"gave up after {limit} transient errors; last: {message}")
            return True
    except DatabaseError:
        logger.warning("Could not record a transient error on scoring job %s", job_id)
    return False


@transaction.atomic
def retry_failed_job(job: ScoringJob, *, requested_by: str = "system") -> ScoringJob:
    """Put a failed job back in the outbox (admin "retry" action); the error stays visible
    in the audit chain (``scoring.failed``)."""
    job = ScoringJob.objects.select_for_update().get(pk=job.pk)
    if job.state == ScoringJob.State.FAILED:
        job.state = ScoringJob.State.PENDING
        job.last_error = f"retried by {requested_by} after: {job.last_error}"[:4000]
        job.finished_at = None
        job.retries = 0
        job.enqueued_at = timezone.now()
        job.enqueue_count += 1
        job.save(
            update_fields=[
                "state",
                "last_error",
                "finished_at",
                "retries",
                "enqueued_at",
                "enqueue_count",
            ]
        )
        transaction.on_commit(lambda: enqueue_job(job.pk))
    return job


# --- Inputs of a run ---------------------------------------------------------------------------


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


# Artifacts never change (they are named by their hash), so the cache can never be stale.
_ARTIFACTS: LRUCache = LRUCache(maxsize=64)


@cached(_ARTIFACTS, key=lambda sha256, data=None: sha256, lock=Lock())
def load_artifact(sha256: str, data: bytes | None = None) -> engine.TextModel:
    """The engine's TextModel for an artifact hash, checked against its bytes; cached by hash
    for the life of the process."""
    if data is None:
        row = TextModel.objects.filter(sha256=sha256).only("artifact").first()
        if row is None:
            raise InputsUnavailable(f"no stored text model has sha256 {sha256}")
        data = bytes(row.artifact)
    if hashlib.sha256(data).hexdigest() != sha256:
        raise PermanentScoringError(f"text model artifact {sha256[:12]} does not match its hash")
    try:
        model = engine.TextModel.from_bytes(data)
    except engine.ArtifactError as error:
        raise PermanentScoringError(f"text model {sha256[:12]} is not valid: {error}") from error
    if model.sha256 != sha256:
        raise PermanentScoringError(f"text model {sha256[:12]} is not in canonical form")
    return model


def frozen_content(version) -> engine.Assessment:
    """A version's frozen content compiled for the engine, once per process (the published
    versions cache, keyed by version id and content hash)."""
    try:
        return published_versions.compiled(
            version, "engine", lambda content: _compile(content, label=f"version {version.pk}")
        )
    except ContentMismatch as error:
        raise PermanentScoringError(str(error)) from error


def _compile(content: dict, *, label: str) -> engine.Assessment:
    try:
        return engine.compile_assessment(content)
    except _ENGINE_ERRORS as error:
        raise PermanentScoringError(f"The engine could not read {label}: {error!r}") from error


def _engine_models(model_hashes: dict[str, str]) -> dict[str, engine.TextModel]:
    missing = [sha for sha in model_hashes.values() if sha not in _ARTIFACTS]
    rows = {}
    if missing:
        rows = {
            row.sha256: bytes(row.artifact)
            for row in TextModel.objects.filter(sha256__in=missing).only("sha256", "artifact")
        }
    return {key: load_artifact(sha, rows.get(sha)) for key, sha in model_hashes.items()}


def _engine_overrides(overrides: dict[str, dict]) -> dict[str, engine.HumanOverride]:
    return {
        key: engine.HumanOverride(
            level=int(value["level"]), reviewer=str(value["reviewer"]), reason=str(value["reason"])
        )
        for key, value in overrides.items()
    }


# What the engine raises on malformed stored data: a permanent failure, never a retry.
_ENGINE_ERRORS = (KeyError, TypeError, ValueError, AttributeError, IndexError)


def compute_breakdown(
    content: dict | engine.Assessment,
    responses: dict,
    models: dict | None = None,
    overrides: dict | None = None,
    *,
    label: str = "",
):
    """Call the pure engine; anything it raises on stored data is a permanent failure."""
    try:
        return engine.score(content, responses, models or {}, overrides or {})
    except _ENGINE_ERRORS as error:
        raise PermanentScoringError(f"The engine could not score {label}: {error!r}") from error


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
    models = _engine_models(model_hashes)
    content = frozen_content(version)
    previous_id = current_score_run_id(attempt.pk)
    # Decisions are taken on a run's review items: with no run yet there can be none.
    overrides = current_overrides(attempt) if previous_id is not None else {}
    clock.lap("load")
    breakdown = compute_breakdown(
        content,
        responses,
        models,
        _engine_overrides(overrides),
        label=f"attempt {attempt.pk}",
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
        },
    )
    if previous_id is not None:
        record_event(
            Action.SCORE_RUN_SUPERSEDED,
            actor="system",
            subject=subject,
            payload={"run": previous_id, "superseded_by": run.pk, "reason": job.reason},
        )
    return run


def _sync_review_items(run: ScoreRun, breakdown, *, first_run: bool) -> None:
    """Open a review item per criterion the engine could not settle; withdraw open items the
    new run settled (a new model, or a human decision already applied)."""
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
        if key not in needing:
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
    if fresh:
        ReviewItem.objects.bulk_create(fresh)


# --- Re-scoring --------------------------------------------------------------------------------


def _check_rescorable(attempt, version) -> None:
    if attempt.submitted_at is None:
        raise RescoreRefused(f"attempt {attempt.public_id} has not been submitted")
    if version is not None and version.assessment_id != attempt.version.assessment_id:
        raise RescoreRefused("a re-score may only use a version of the attempt's own assessment")
    if ScoreInput.objects.filter(attempt=attempt, erased_at__isnull=False).exists():
        raise RescoreRefused(f"the answers of attempt {attempt.public_id} were erased")


@transaction.atomic
def rescore_attempt(attempt, *, version=None, requested_by: str = "system") -> ScoringJob:
    """Ask for a new run of one attempt (after a rubric, model or engine change).

    ``version`` scores against another version of the same assessment (a rubric fix); by
    default the attempt's own. A re-score already waiting for the same content is reused.
    """
    attempt = type(attempt).objects.select_related("version").get(pk=attempt.pk)  # fresh state
    _check_rescorable(attempt, version)
    waiting = ScoringJob.objects.filter(
        attempt=attempt,
        reason=ScoringJob.Reason.RESCORE,
        state=ScoringJob.State.PENDING,
        version=version,
    ).first()
    if waiting is not None:
        return waiting
    return request_scoring(
        attempt, ScoringJob.Reason.RESCORE, version=version, requested_by=requested_by
    )


def rescore_attempts(
    attempts: Iterable, *, version=None, requested_by: str = "system"
) -> tuple[list[ScoringJob], list[str]]:
    """Re-score many attempts, each in its own transaction; returns (jobs, refusals)."""
    jobs, refused = [], []
    for attempt in attempts:
        try:
            jobs.append(rescore_attempt(attempt, version=version, requested_by=requested_by))
        except RescoreRefused as error:
            refused.append(str(error))
    return jobs, refused


def run_outdated(run: ScoreRun, version=None) -> bool:
    """Whether a new run would use other inputs: engine, content or active models changed."""
    version = version or run.version or run.attempt.version
    return (
        run.engine_version != engine.ENGINE_VERSION
        or run.content_sha256 != version.content_sha256
        or run.model_hashes != active_model_hashes(version)
    )


# --- Replay ------------------------------------------------------------------------------------


@dataclass
class ReplayResult:
    """What replaying one stored run found."""

    run_id: int
    status: str  # identical | different | unavailable
    stored_sha256: str
    replayed_sha256: str = ""
    problem: str = ""
    differences: list[str] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        return self.status == "identical"


def _content_of(run: ScoreRun) -> dict:
    from assessments.models import AssessmentVersion

    version = run.version
    if version is None:
        version = (
            AssessmentVersion.objects.filter(content_sha256=run.content_sha256).first()
            or run.attempt.version
        )
    if json_sha256(version.content) != run.content_sha256:
        raise _Mismatch(f"the content of {version} does not hash to the run's content_sha256")
    return version.content


def _responses_of(run: ScoreRun) -> dict:
    if run.inputs is not None:
        if run.inputs.erased_at is not None:
            raise InputsUnavailable(
                f"the scored answers were erased on {run.inputs.erased_at:%Y-%m-%d} (data "
                "rights); the stored breakdown and its hashes remain"
            )
        text = run.inputs.responses_json
        if hashlib.sha256(text.encode("utf-8")).hexdigest() != run.responses_sha256:
            raise _Mismatch("the stored answers do not hash to the run's responses_sha256")
        return json.loads(text)
    # Runs stored before answer snapshots existed: the Response rows, if they still match.
    responses = attempt_responses(run.attempt)
    if json_sha256(responses) != run.responses_sha256:
        raise InputsUnavailable("no answer snapshot, and the live answers no longer match")
    return responses


class _Mismatch(Exception):
    """A stored input does not match its recorded hash."""


def _differences(stored: Any, replayed: Any, path: str = "$", limit: int = 8) -> list[str]:
    found: list[str] = []

    def walk(a: Any, b: Any, where: str) -> None:
        if len(found) >= limit:
            return
        if isinstance(a, dict) and isinstance(b, dict):
            for key in sorted(set(a) | set(b)):
                walk(a.get(key, "<missing>"), b.get(key, "<missing>"), f"{where}.{key}")
        elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            for index, (x, y) in enumerate(zip(a, b, strict=True)):
                walk(x, y, f"{where}[{index}]")
        elif a != b:
            found.append(f"{where}: stored {json.dumps(a)[:80]} / replayed {json.dumps(b)[:80]}")

    walk(stored, replayed, path)
    return found


def replay_score_run(run: ScoreRun) -> ReplayResult:
    """Recompute a run from its stored inputs (frozen content, answer snapshot, the exact model
    artifacts by hash, the overrides) and compare the breakdown's sha256."""
    result = ReplayResult(run.pk, "different", run.breakdown_sha256)
    stored_bytes = run.breakdown_json.encode("utf-8")
    if run.redacted_at is not None:
        return _redacted_replay(run, result, stored_bytes)
    if hashlib.sha256(stored_bytes).hexdigest() != run.breakdown_sha256:
        result.problem = "the stored breakdown does not hash to its breakdown_sha256"
        return result
    try:
        content = _content_of(run)
        responses = _responses_of(run)
        models = _engine_models(run.model_hashes or {})
        breakdown = compute_breakdown(
            content,
            responses,
            models,
            _engine_overrides(run.overrides or {}),
            label=f"run {run.pk}",
        )
    except _Mismatch as error:
        result.problem = str(error)
        return result
    except InputsUnavailable as error:
        result.status, result.problem = "unavailable", str(error)
        return result
    except PermanentScoringError as error:
        result.problem = str(error)
        return result
    replayed = breakdown.canonical_json()
    result.replayed_sha256 = hashlib.sha256(replayed).hexdigest()
    if result.replayed_sha256 == run.breakdown_sha256:
        result.status = "identical"
        return result
    if run.engine_version != engine.ENGINE_VERSION:
        result.problem = (
            f"stored by engine {run.engine_version}, replayed with {engine.ENGINE_VERSION}"
        )
    result.differences = _differences(json.loads(stored_bytes), json.loads(replayed))
    return result


def _redacted_replay(run: ScoreRun, result: ReplayResult, stored_bytes: bytes) -> ReplayResult:
    """Erasure took the answers and the words quoting them: say so, after checking that the
    redacted bytes are the ones erasure wrote."""
    if hashlib.sha256(stored_bytes).hexdigest() != run.redacted_sha256:
        result.problem = "the redacted breakdown does not hash to its redacted_sha256"
        return result
    result.status = "unavailable"
    result.problem = (
        f"redacted by erasure on {run.redacted_at:%Y-%m-%d}: the candidate's answers and the "
        "words of them the breakdown quoted are gone; breakdown_sha256 is the hash of the "
        "breakdown as scored"
    )
    return result


# --- Data rights -------------------------------------------------------------------------------


ERASED_TEXT = "(erased)"
# Breakdown keys whose values are the candidate's own words: the phrase a concept matched
# (engines before concept evidence named only the pattern) and the n-grams a text model found
# in the answer. Whatever the engine version, nothing else in a breakdown quotes the answer.
_ANSWER_TEXT_KEYS = frozenset({"phrase", "ngram"})


def _without_text(answers: dict) -> dict:
    return {
        step_id: {**answer, "text": ""}
        if isinstance(answer, dict) and answer.get("text")
        else answer
        for step_id, answer in answers.items()
    }


def _without_answer_words(value: Any) -> Any:
    """A parsed breakdown with every value that quotes the answer replaced by ERASED_TEXT."""
    if isinstance(value, dict):
        return {
            key: ERASED_TEXT if key in _ANSWER_TEXT_KEYS and item else _without_answer_words(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_without_answer_words(item) for item in value]
    return value


@transaction.atomic
def erase_score_inputs(attempt_public_ids: Iterable) -> dict[str, int]:
    """Remove the candidate's words from what scoring keeps of these attempts (on erasure).

    The answer snapshots lose their free text; runs whose breakdown quotes the answer are
    redacted (the one update the append-only trigger allows; ``breakdown_sha256`` stays the
    hash as scored, ``redacted_sha256`` is the new bytes'); open review items are withdrawn,
    as there is no answer left to judge. Scores, levels and hashes stay. The runs can no
    longer be replayed, nor the attempts re-scored. Idempotent; returns what changed.
    """
    attempt_public_ids = list(attempt_public_ids)
    now = timezone.now()
    snapshots = 0
    for snapshot in ScoreInput.objects.select_for_update().filter(
        attempt__public_id__in=attempt_public_ids, erased_at__isnull=True
    ):
        snapshot.responses_json = canonical_json(
            _without_text(json.loads(snapshot.responses_json))
        ).decode("utf-8")
        snapshot.erased_at = now
        snapshot.save(update_fields=["responses_json", "erased_at"])
        snapshots += 1
    withdrawn = ReviewItem.objects.filter(
        attempt__public_id__in=attempt_public_ids, state=ReviewItem.State.OPEN
    ).update(state=ReviewItem.State.WITHDRAWN, closed_at=now)
    return {
        "snapshots": snapshots,
        "runs_redacted": _redact_runs(attempt_public_ids, now),
        "reviews_withdrawn": withdrawn,
    }


def _redact_runs(attempt_public_ids: list, now) -> int:
    redacted = 0
    runs = ScoreRun.objects.select_for_update().filter(
        attempt__public_id__in=attempt_public_ids, redacted_at__isnull=True
    )
    for pk, stored in runs.values_list("pk", "breakdown_json"):
        breakdown = json.loads(stored)
        cleaned = _without_answer_words(breakdown)
        if cleaned == breakdown:
            continue  # nothing of the answer in it: the run stays exactly as scored
        text = canonical_json(cleaned).decode("utf-8")
        ScoreRun.objects.filter(pk=pk).update(
            breakdown_json=text,
            redacted_at=now,
            redacted_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        )
        redacted += 1
    return redacted


# --- Text models -------------------------------------------------------------------------------


def _text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()


def split_exemplars(criterion: dict) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """(training, held back) exemplars of a text criterion, as (text, level index) pairs.

    Per level, the exemplars are ordered by the sha256 of their text and the first
    ``len // TEXT_MODEL_HOLD_BACK_EVERY`` are held back: never trained on, so the simulator
    can answer with text no model has seen. Deterministic, independent of document order.
    """
    every = hold_back_every()
    training: list[tuple[str, int]] = []
    held_back: list[tuple[str, int]] = []
    for index, level in enumerate(criterion.get("levels") or []):
        texts = [text for text in level.get("exemplars") or [] if isinstance(text, str)]
        texts.sort(key=_text_hash)
        cut = len(texts) // every
        held_back.extend((text, index) for text in texts[:cut])
        training.extend((text, index) for text in texts[cut:])
    return training, held_back


def text_criteria(content: dict) -> Iterator[tuple[str, dict, dict]]:
    """(criterion key, step, criterion) for every criterion of a free-text step."""
    for step in content.get("steps") or []:
        if step.get("item", {}).get("type") in TEXT_ITEM_TYPES:
            for criterion in step.get("criteria") or []:
                yield f"{step['id']}/{criterion['id']}", step, criterion


@dataclass
class TrainingOutcome:
    """What training did for one criterion."""

    criterion_key: str
    status: str  # trained | unchanged | skipped
    model: TextModel | None = None
    note: str = ""


def train_text_models(
    version, *, actor: str = "system", activate: bool = True, seed: int = 0
) -> list[TrainingOutcome]:
    """Train a model for each free-text criterion of a version with enough exemplars.

    Exemplars come from the frozen content, minus the held-back ones. Each model is stored
    with its hashes and cross-validated metrics (MODEL_TRAINED); accepted ones become active
    (MODEL_ACTIVATED) unless ``activate`` is False. Training is deterministic for a seed, so
    training the same exemplars again stores nothing new.
    """
    outcomes = []
    for key, _step, criterion in text_criteria(version.content):
        outcomes.append(_train_one(version, key, criterion, actor, activate, seed))
    return outcomes


def _train_one(version, key, criterion, actor, activate, seed) -> TrainingOutcome:
    training, held_back = split_exemplars(criterion)
    n_levels = len(criterion.get("levels") or [])
    needed = min_exemplars()
    if len(training) < needed:
        return TrainingOutcome(
            key, "skipped", note=f"{len(training)} training exemplars, {needed} needed"
        )
    if len({level for _, level in training}) < 2:
        return TrainingOutcome(key, "skipped", note="exemplars at one level only")
    # Outside any transaction: training takes seconds of CPU and holds no locks.
    trained = engine.train_text_model(training, seed=seed, n_levels=n_levels)
    accepted = engine.model_accepted(trained, bar=qwk_bar(), min_exemplars=needed)
    return _store_model(version, key, trained, len(held_back), seed, accepted, actor, activate)


@transaction.atomic
def _store_model(
    version, key, trained, n_held_back, seed, accepted, actor, activate
) -> TrainingOutcome:
    artifact = trained.model
    model = TextModel.objects.filter(
        version=version, criterion_key=key, sha256=artifact.sha256
    ).first()
    status = "unchanged" if model is not None else "trained"
    if model is None:
        model = TextModel.objects.create(
            version=version,
            content_sha256=version.content_sha256,
            criterion_key=key,
            artifact=artifact.to_bytes(),
            sha256=artifact.sha256,
            training_set_sha256=artifact.training_set_sha256,
            n_levels=artifact.n_levels,
            n_exemplars=trained.n_exemplars,
            n_held_back=n_held_back,
            cv_folds=trained.folds,
            cv_qwk=trained.cv_qwk,
            cv_exact_agreement=trained.cv_exact_agreement,
            seed=seed,
            qwk_bar=qwk_bar(),
            min_exemplars=min_exemplars(),
            accepted=accepted,
            trained_by=actor,
        )
        record_event(
            Action.MODEL_TRAINED,
            actor=actor,
            subject=f"text_model:{model.pk}",
            payload={
                "version": version.pk,
                "content_sha256": version.content_sha256,
                "criterion": key,
                "sha256": model.sha256,
                "training_set_sha256": model.training_set_sha256,
                "n_exemplars": model.n_exemplars,
                "cv_qwk": round(model.cv_qwk, 6),
                "cv_exact_agreement": round(model.cv_exact_agreement, 6),
                "qwk_bar": model.qwk_bar,
                "accepted": accepted,
            },
        )
    if activate and model.accepted and not model.active:
        model = activate_text_model(model, actor=actor)
    verdict = "accepted" if model.accepted else f"below the QWK bar {model.qwk_bar}"
    note = f"QWK {model.cv_qwk:.3f}, exact {model.cv_exact_agreement:.3f}: {verdict}"
    return TrainingOutcome(key, status, model, note)


@transaction.atomic
def activate_text_model(model: TextModel, *, actor: str = "system") -> TextModel:
    """Make an accepted model the one the engine uses for its criterion (the previous active
    one is deactivated). Attempts already scored keep their runs until re-scored."""
    model = TextModel.objects.select_for_update().get(pk=model.pk)
    if not model.accepted:
        raise RescoreRefused(
            f"model {model.sha256[:12]} did not reach the QWK bar; it cannot be activated"
        )
    if model.active:
        return model
    previous = list(
        TextModel.objects.select_for_update()
        .filter(version_id=model.version_id, criterion_key=model.criterion_key, active=True)
        .values_list("pk", "sha256")
    )
    TextModel.objects.filter(pk__in=[pk for pk, _ in previous]).update(active=False)
    model.active = True
    model.activated_at = timezone.now()
    model.save(update_fields=["active", "activated_at"])
    record_event(
        Action.MODEL_ACTIVATED,
        actor=actor,
        subject=f"text_model:{model.pk}",
        payload={
            "version": model.version_id,
            "criterion": model.criterion_key,
            "sha256": model.sha256,
            "replaces": [sha for _, sha in previous],
        },
    )
    return model


@transaction.atomic
def deactivate_text_model(model: TextModel, *, actor: str = "system") -> TextModel:
    """Stop using a model: its criterion falls back to the concept rubric (and review)."""
    model = TextModel.objects.select_for_update().get(pk=model.pk)
    if model.active:
        model.active = False
        model.save(update_fields=["active"])
        record_event(
            getattr(Action, "MODEL_DEACTIVATED", "model.deactivated"),
            actor=actor,
            subject=f"text_model:{model.pk}",
            payload={"criterion": model.criterion_key, "sha256": model.sha256},
        )
    return model
