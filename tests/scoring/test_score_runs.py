"""Score runs in this process: what a run stores, re-scoring, replay, append-only, erasure."""

import hashlib
import json

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from audit.models import AuditEvent
from audit.services import Action
from scoring.exceptions import RescoreRefused
from scoring.models import ReviewItem, ScoreInput, ScoreRun, ScoringJob
from scoring.selectors import current_score_run
from scoring.services.erasure import erase_score_inputs
from scoring.services.replay import replay_score_run
from scoring.services.rescoring import rescore_attempt
from scoring.services.runs import run_scoring_job
from tests.scoring.support import STRONG_REPLY, run_pending, take_small

pytestmark = pytest.mark.django_db


def _replay_exit_code(*args) -> int:
    try:
        call_command("replay_score", *args, stdout=open("/dev/null", "w"))  # noqa: SIM115
    except SystemExit as exit:
        return exit.code
    return 0


def test_a_run_stores_what_replay_needs_and_replays_to_the_same_hash():
    attempt = take_small(option="refund")
    (run,) = run_pending(attempt)

    assert run.breakdown_sha256 == hashlib.sha256(run.breakdown_json.encode()).hexdigest()
    assert run.version_id == attempt.version_id
    assert run.content_sha256 == attempt.version.content_sha256
    snapshot = json.loads(run.inputs.responses_json)
    assert snapshot == {"first-move": {"option": "refund"}, "reply": {"text": STRONG_REPLY}}
    assert run.responses_sha256 == run.inputs.responses_sha256
    assert run.model_hashes == {} and run.overrides == {}
    assert run.job.state == ScoringJob.State.DONE and run.supersedes is None
    assert replay_score_run(run).identical
    assert _replay_exit_code(str(run.pk)) == 0
    stored = AuditEvent.objects.get(action=Action.SCORE_RUN_STORED)
    assert json.loads(stored.payload)["breakdown_sha256"] == run.breakdown_sha256


def test_running_a_done_job_again_changes_nothing():
    attempt = take_small()
    (run,) = run_pending(attempt)
    assert run_scoring_job(run.job_id) is None
    assert ScoreRun.objects.count() == 1


def test_a_second_submission_job_for_one_attempt_is_refused_by_the_database():
    attempt = take_small()
    with pytest.raises(IntegrityError), transaction.atomic():
        ScoringJob.objects.create(attempt=attempt, reason=ScoringJob.Reason.SUBMITTED)


def test_concept_scored_text_opens_one_review_item():
    attempt = take_small()
    (run,) = run_pending(attempt)
    assert run.needs_review
    (item,) = ReviewItem.objects.filter(attempt=attempt)
    assert (item.criterion_key, item.state, item.run_id) == (
        "reply/reply-quality",
        ReviewItem.State.OPEN,
        run.pk,
    )
    assert item.reasons == ["concept_scored"] and item.machine_method == "concept"


def test_rescore_adds_a_run_that_supersedes_the_old_one_which_stays():
    attempt = take_small()
    (first,) = run_pending(attempt)
    job = rescore_attempt(attempt, requested_by="user:1")
    assert rescore_attempt(attempt) == job  # a waiting re-score is reused
    (second,) = run_pending(attempt)

    assert second.job.reason == ScoringJob.Reason.RESCORE
    assert second.supersedes_id == first.pk
    assert current_score_run(attempt) == second
    first.refresh_from_db()
    assert first.breakdown_sha256 == second.breakdown_sha256  # same inputs, same bytes
    assert second.inputs_id == first.inputs_id  # one answer snapshot, shared
    # The open review item follows the newest run instead of being duplicated.
    (item,) = ReviewItem.objects.filter(attempt=attempt, state=ReviewItem.State.OPEN)
    assert item.run_id == second.pk
    superseded = AuditEvent.objects.get(action=Action.SCORE_RUN_SUPERSEDED)
    assert json.loads(superseded.payload) == {
        "reason": "rescore",
        "run": first.pk,
        "superseded_by": second.pk,
    }


def test_rescore_refuses_an_unsubmitted_attempt_and_another_assessments_version():
    from assessments import services as assessment_services
    from tests.support.documents import small_document
    from tests.support.factories import invitation_for, published_version

    version = published_version()
    invitation, _ = invitation_for(version)
    open_attempt = assessment_services.start_attempt(invitation)
    with pytest.raises(RescoreRefused):
        rescore_attempt(open_attempt)
    other = published_version(small_document(slug="other-assessment"))
    attempt = take_small(version, email="b@example.com")
    with pytest.raises(RescoreRefused):
        rescore_attempt(attempt, version=other)


def test_rescore_against_a_later_version_scores_its_content_and_replays():
    from tests.support.documents import small_document

    attempt = take_small(option="refund")
    (first,) = run_pending(attempt)
    fixed = small_document()
    fixed["steps"][0]["item"]["options"][1]["points"] = 2  # "refund" was right after all
    from assessments import services as assessment_services

    later = assessment_services.publish_document(fixed)
    rescore_attempt(attempt, version=later)
    (second,) = run_pending(attempt)
    assert second.version == later and second.content_sha256 == later.content_sha256
    assert second.overall_score > first.overall_score
    assert replay_score_run(second).identical
    assert replay_score_run(first).identical


def test_score_runs_cannot_be_updated_or_deleted_even_in_sql():
    attempt = take_small()
    (run,) = run_pending(attempt)
    with pytest.raises(ValueError):
        run.save()
    for statement in (
        "UPDATE scoring_scorerun SET overall_score = 100 WHERE id = %s",
        "DELETE FROM scoring_scorerun WHERE id = %s",
    ):
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [run.pk])


def test_replay_reports_a_run_whose_stored_breakdown_does_not_match_what_the_engine_gives():
    attempt = take_small()
    (run,) = run_pending(attempt)
    forged = json.loads(run.breakdown_json)
    forged["overall"]["score"] = 99.0
    text = json.dumps(forged, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    job = ScoringJob.objects.create(attempt=attempt, reason=ScoringJob.Reason.RESCORE)
    fake = ScoreRun.objects.create(
        job=job,
        attempt=attempt,
        supersedes=run,
        engine_version=run.engine_version,
        version=run.version,
        content_sha256=run.content_sha256,
        inputs=run.inputs,
        responses_sha256=run.responses_sha256,
        breakdown_json=text,
        breakdown_sha256=hashlib.sha256(text.encode()).hexdigest(),
        overall_score=99.0,
        passed=True,
    )
    result = replay_score_run(fake)
    assert result.status == "different"
    assert any("overall.score" in line for line in result.differences)
    assert _replay_exit_code(str(run.pk), str(fake.pk)) == 1


def test_after_erasure_runs_stay_but_cannot_be_replayed_or_rescored():
    attempt = take_small()
    (run,) = run_pending(attempt)
    assert erase_score_inputs([attempt.public_id])["snapshots"] == 1
    assert set(erase_score_inputs([attempt.public_id]).values()) == {0}  # idempotent
    snapshot = ScoreInput.objects.get(attempt=attempt)
    assert json.loads(snapshot.responses_json)["reply"] == {"text": ""}

    result = replay_score_run(ScoreRun.objects.get(pk=run.pk))
    assert result.status == "unavailable" and "erased" in result.problem
    assert _replay_exit_code(str(run.pk)) == 2
    with pytest.raises(RescoreRefused):
        rescore_attempt(attempt)


def test_the_task_returns_the_run_id_and_fails_the_job_on_an_unexpected_error(monkeypatch):
    from scoring.tasks import score_attempt

    attempt = take_small()
    job = ScoringJob.objects.get(attempt=attempt)
    run_id = score_attempt.apply(args=[job.pk]).get()
    assert run_id == ScoreRun.objects.get(job=job).pk
    assert score_attempt.apply(args=[job.pk]).get() is None  # done: nothing to do

    rescore_attempt(attempt)
    rescore = ScoringJob.objects.get(reason=ScoringJob.Reason.RESCORE)

    def broken(job_id, timings=None):
        raise RuntimeError("a bug in the scoring code")

    monkeypatch.setattr("scoring.tasks.run_scoring_job", broken)
    assert score_attempt.apply(args=[rescore.pk]).get() is None
    rescore.refresh_from_db()
    assert rescore.state == ScoringJob.State.FAILED
    assert "RuntimeError: a bug in the scoring code" in rescore.last_error
    failed = AuditEvent.objects.get(action=Action.SCORING_FAILED)
    assert failed.subject == f"attempt:{attempt.public_id}"
