"""The pipeline with real worker processes on PostgreSQL + Redis: exactly once, through crashes,
a lost queue, transient database errors and permanent failures.

Recovery after a SIGKILL or a flushed Redis is the sweeper's job by design: with acks_late the
Redis transport only redelivers an unacknowledged message after the visibility timeout (an
hour), and a flushed queue never redelivers anything, while the outbox row is still pending in
PostgreSQL. ``sweep_model(ScoringJob, timedelta(0))`` is what the one outbox sweeper runs on beat.
"""

import time
from datetime import timedelta

import psycopg
import pytest
import redis
from django.db.models import Count
from django.urls import reverse

from assessments import services as assessment_services
from audit.roles import Role
from outbox.services import sweep_model
from scoring.models import ScoreRun, ScoringJob, TextModel
from tests.support.factories import invitation_for, published_version, staff_in_roles
from tests.support.journeys import wait_until
from tests.support.worker import Worker, running_worker
from tests.support.worker import test_database_url as database_url

pytestmark = pytest.mark.worker


def submit_many(count: int, version=None) -> list:
    """``count`` submitted attempts at the small document, through the services."""
    version = version or published_version()
    attempts = []
    for index in range(count):
        invitation, _ = invitation_for(version, email=f"c{index}@example.com")
        attempt = assessment_services.start_attempt(invitation)
        assessment_services.save_answer(attempt, "first-move", {"option": "check"})
        assessment_services.advance(attempt, "first-move")
        assessment_services.save_answer(attempt, "reply", {"text": f"Sorry! Refund {index}."})
        assessment_services.advance(attempt, "reply")
        attempts.append(assessment_services.submit_attempt(attempt))
    return attempts


def assert_each_scored_exactly_once(attempts) -> None:
    assert ScoringJob.objects.count() == len(attempts)
    assert ScoringJob.objects.filter(state=ScoringJob.State.DONE).count() == len(attempts)
    runs = ScoreRun.objects.values("attempt").annotate(n=Count("id"))
    assert len(runs) == len(attempts)
    assert {row["n"] for row in runs} == {1}


def all_scored(count: int):
    return lambda: ScoreRun.objects.count() >= count


def test_200_submissions_are_each_scored_exactly_once(transactional_db, clean_broker):
    with running_worker(clean_broker, concurrency=4):
        attempts = submit_many(200)
        wait_until(all_scored(200), timeout=120)
        time.sleep(1)  # any duplicate delivery would show up now
    assert_each_scored_exactly_once(attempts)


def test_a_worker_killed_mid_run_and_restarted_still_scores_each_exactly_once(
    transactional_db, clean_broker
):
    attempts = submit_many(120)  # queued in Redis before any worker runs
    worker = Worker(clean_broker, concurrency=2, name="doomed").start()
    try:
        wait_until(lambda: ScoreRun.objects.count() >= 15, timeout=60)
        worker.kill()  # SIGKILL to the whole process group, mid-run
    finally:
        worker.kill()
    scored_at_kill = ScoreRun.objects.count()
    assert scored_at_kill < len(attempts), "the kill came too late to test anything"
    pending_at_kill = ScoringJob.objects.filter(state=ScoringJob.State.PENDING).count()
    assert pending_at_kill == len(attempts) - scored_at_kill  # the killed run rolled back
    with running_worker(clean_broker, concurrency=2, name="phoenix"):
        # Messages the dead worker had taken are unacknowledged and invisible for an hour;
        # the sweeper re-sends every pending job (duplicates of queued ones are harmless).
        assert sweep_model(ScoringJob, timedelta(0)) > 0
        wait_until(all_scored(len(attempts)), timeout=120)
        time.sleep(1)
    assert_each_scored_exactly_once(attempts)


def test_redis_flushed_mid_run_the_sweeper_finishes_every_job(transactional_db, clean_broker):
    attempts = submit_many(120)
    with running_worker(clean_broker, concurrency=2):
        wait_until(lambda: ScoreRun.objects.count() >= 10, timeout=60)
        redis.Redis.from_url(clean_broker).flushdb()  # the queue is gone, jobs are not
        assert ScoreRun.objects.count() < len(attempts), "the flush came too late"
        sweep_model(ScoringJob, timedelta(0))
        wait_until(all_scored(len(attempts)), timeout=120)
        time.sleep(1)
    assert_each_scored_exactly_once(attempts)


def _advisory_waiters(conn) -> list[int]:
    rows = conn.execute(
        "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
        "AND wait_event = 'advisory' AND datname = current_database()"
    ).fetchall()
    return [pid for (pid,) in rows]


def test_a_transient_database_error_is_retried_and_the_job_done_once(
    transactional_db, clean_broker
):
    (attempt,) = submit_many(1)
    job = ScoringJob.objects.get()
    # Hold the attempt's scoring lock, so the worker's task waits on it; then cut the
    # worker's connection, as a database failover would.
    with psycopg.connect(database_url(), autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s, %s)", [0x5C0E, attempt.pk])
        with running_worker(clean_broker, concurrency=1):
            wait_until(lambda: bool(_advisory_waiters(holder)), timeout=30)
            for pid in _advisory_waiters(holder):
                holder.execute("SELECT pg_terminate_backend(%s)", [pid])
            wait_until(lambda: ScoringJob.objects.get(pk=job.pk).retries == 1, timeout=30)
            holder.execute("SELECT pg_advisory_unlock(%s, %s)", [0x5C0E, attempt.pk])
            wait_until(lambda: ScoreRun.objects.filter(job=job).exists(), timeout=30)
    job.refresh_from_db()
    assert job.state == ScoringJob.State.DONE and job.retries == 1
    assert "transient error" in job.last_error
    assert ScoreRun.objects.count() == 1


def test_a_permanent_failure_is_visible_in_the_admin_and_retry_scores_it(
    transactional_db, clean_broker, client
):
    from tests.scoring.support import demo_document

    version = assessment_services.publish_document(demo_document("incident-triage"))
    # An active model whose artifact cannot be read: every attempt of this version fails.
    broken = b'{"format": "skillproof/text-model@1"}'
    import hashlib

    model = TextModel.objects.create(
        version=version,
        content_sha256=version.content_sha256,
        criterion_key="status-update/customer-update",
        artifact=broken,
        sha256=hashlib.sha256(broken).hexdigest(),
        training_set_sha256="0" * 64,
        n_levels=4,
        n_exemplars=40,
        cv_folds=5,
        cv_qwk=0.9,
        cv_exact_agreement=0.8,
        qwk_bar=0.7,
        min_exemplars=30,
        accepted=True,
        active=True,
    )
    from scoring.management.simulation import simulate_candidates

    with running_worker(clean_broker, concurrency=1):
        (candidate,) = simulate_candidates(version, count=1, seed=1)
        job = ScoringJob.objects.get(attempt=candidate.attempt)
        wait_until(lambda: ScoringJob.objects.get(pk=job.pk).state == "failed", timeout=30)
        job.refresh_from_db()
        assert "not valid" in job.last_error and not ScoreRun.objects.exists()

        client.force_login(staff_in_roles("rita", Role.RECRUITER))
        listing = client.get(reverse("admin:scoring_scoringjob_changelist"))
        assert b"1 scoring job failed" in listing.content
        assert b"is not valid" in listing.content
        page = client.get(reverse("admin:scoring_scoringjob_change", args=[job.pk]))
        assert b"Retry this job" in page.content and b"is not valid" in page.content

        from scoring.services.training import deactivate_text_model

        deactivate_text_model(model)  # the fix: back to the concept rubric
        client.post(
            reverse("admin:scoring_scoringjob_changelist"),
            {"action": "retry_jobs", "_selected_action": [job.pk]},
        )
        wait_until(lambda: ScoreRun.objects.filter(job=job).exists(), timeout=30)
    job.refresh_from_db()
    assert job.state == ScoringJob.State.DONE
    assert "retried by user:" in job.last_error
