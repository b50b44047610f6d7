"""End to end with a real Celery worker: a passing attempt is issued a credential, unattended."""

import json
from datetime import timedelta

import pytest
import redis

from credentials import services
from credentials.models import Credential, IssuanceJob
from credentials.verification import verify_credential
from outbox.services import sweep_model
from scoring.models import ScoreRun
from tests.credentials.conftest import keyed_document, take_attempt
from tests.support.factories import published_version
from tests.support.journeys import wait_until
from tests.support.worker import running_worker

pytestmark = pytest.mark.worker


@pytest.fixture
def worker_environment(monkeypatch, settings):
    """The worker process reads the same issuer settings from its environment."""
    monkeypatch.setenv("ISSUER_KEY_DIR", str(settings.ISSUER_KEY_DIR))
    monkeypatch.setenv("SITE_URL", settings.SITE_URL)
    monkeypatch.setenv("ISSUER_NAME", settings.ISSUER_NAME)
    monkeypatch.setenv("EMAIL_BACKEND", "django.core.mail.backends.dummy.EmailBackend")


def submit_passing_attempt(version, email: str):
    """Take and submit an attempt; scoring starts from the submit's outbox row."""
    from assessments import services as assessment_services
    from tests.support.factories import invitation_for

    invitation, _ = invitation_for(version, email=email)
    attempt = assessment_services.start_attempt(invitation)
    assessment_services.save_answer(attempt, "first-move", {"option": "check"})
    assessment_services.advance(attempt, "first-move")
    assessment_services.save_answer(attempt, "reply", {"option": "apologise"})
    assessment_services.advance(attempt, "reply")
    assessment_services.submit_attempt(attempt)  # on commit: score_attempt goes to Redis
    return attempt


def test_a_passing_attempt_is_issued_a_credential_by_the_worker(
    transactional_db, clean_broker, worker_environment
):
    version = published_version(keyed_document(validity_days=30))
    with running_worker(clean_broker):
        attempts = [submit_passing_attempt(version, f"w{n}@example.com") for n in range(3)]
        # No beat is running: the sweep is triggered by the end of each scoring task.
        wait_until(lambda: Credential.objects.count() == len(attempts), timeout=90)
    for attempt in attempts:
        credential = Credential.objects.get(attempt=attempt)
        report = verify_credential(credential.document)
        assert report.verified, report.summary
        assert json.loads(credential.document)["issuer"]["id"] == "did:web:testserver"
    assert IssuanceJob.objects.filter(state=IssuanceJob.State.DONE).count() == len(attempts)
    assert ScoreRun.objects.count() == len(attempts)


def test_duplicated_messages_still_issue_one_credential(
    transactional_db, clean_broker, worker_environment
):
    version = published_version(keyed_document())
    _, run = take_attempt(version, email="dup@example.com")
    job = services.request_issuance(run)  # autocommit: its message is already in Redis
    from credentials.tasks import issue_credentials, request_issuance_for_passes

    for _ in range(4):
        issue_credentials.delay(job.pk)
        request_issuance_for_passes.delay()
    with running_worker(clean_broker, concurrency=4):
        wait_until(lambda: Credential.objects.exists())
        wait_until(lambda: not redis.Redis.from_url(clean_broker).llen("celery"), timeout=30)
    assert Credential.objects.count() == 1
    assert IssuanceJob.objects.count() == 1


def test_a_job_whose_message_was_lost_is_issued_by_the_sweep(
    transactional_db, clean_broker, worker_environment
):
    version = published_version(keyed_document())
    _, run = take_attempt(version, email="lost@example.com")
    services.request_issuance(run)
    redis.Redis.from_url(clean_broker).flushdb()  # the message is gone
    IssuanceJob.objects.update(enqueued_at=IssuanceJob.objects.get().enqueued_at - timedelta(1))
    with running_worker(clean_broker):
        # re-enqueued by the one outbox sweeper: it was pending for too long
        assert sweep_model(IssuanceJob) == 1
        wait_until(lambda: Credential.objects.filter(run=run).exists())
    assert IssuanceJob.objects.get().enqueue_count == 2
