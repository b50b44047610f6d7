"""The scoring pipeline end to end: views → outbox → Redis → a real Celery worker → ScoreRun."""

from datetime import timedelta

import pytest
import redis
from django.db.models import Count
from django.test import Client

from assessments.models import Attempt
from outbox.services import sweep_model
from scoring.models import ScoreRun, ScoringJob
from tests.support.factories import invitation_for, published_version
from tests.support.journeys import take_small_assessment, wait_until
from tests.support.worker import running_worker

pytestmark = pytest.mark.worker


def test_each_submitted_attempt_is_scored_exactly_once(celery_worker):
    version = published_version()
    tokens = [invitation_for(version, email=f"c{i}@example.com")[1] for i in range(12)]
    for i, token in enumerate(tokens):
        client = Client()
        take_small_assessment(client, token, option=["check", "refund", "ignore"][i % 3])
        # A second submit (double click, second tab) must not make a second job.
        client.post(f"/a/{token}/submit", {"confirm": "yes"})

    wait_until(lambda: ScoreRun.objects.count() == len(tokens))
    assert ScoringJob.objects.count() == len(tokens)
    assert ScoringJob.objects.filter(state=ScoringJob.State.DONE).count() == len(tokens)
    per_attempt = ScoreRun.objects.values("attempt").annotate(n=Count("id"))
    assert sorted(row["n"] for row in per_attempt) == [1] * len(tokens)
    assert Attempt.objects.filter(state=Attempt.State.SUBMITTED).count() == len(tokens)


def test_sweeper_scores_a_job_whose_message_was_lost(transactional_db, clean_broker):
    version = published_version()
    _, token = invitation_for(version)
    take_small_assessment(Client(), token)
    job = ScoringJob.objects.get()
    assert job.state == ScoringJob.State.PENDING

    redis.Redis.from_url(clean_broker).flushdb()  # the message is gone, as after a Redis restart
    with running_worker(clean_broker):
        assert sweep_model(ScoringJob, timedelta(0)) == 1
        wait_until(lambda: ScoreRun.objects.filter(job=job).exists())

    job.refresh_from_db()
    assert job.state == ScoringJob.State.DONE
    assert ScoreRun.objects.count() == 1
