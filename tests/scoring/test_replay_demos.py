"""Every run on every demo assessment replays to the identical hash.

Runs are made by a real worker process (another interpreter), with trained text models where
the demo exemplars allow one, human overrides and re-scores; they are replayed here, so the
hash is shown to hold across processes, not only within one.
"""

import io

import pytest
from django.core.management import call_command

from audit.roles import Role
from scoring import review_services
from scoring.management.simulation import simulate_candidates
from scoring.models import ReviewItem, ScoreRun, ScoringJob
from scoring.services.rescoring import rescore_attempts
from scoring.services.training import train_text_models
from tests.scoring.support import DEMO_SLUGS, publish_demo
from tests.support.factories import staff_in_roles
from tests.support.journeys import wait_until

pytestmark = pytest.mark.worker

PER_DEMO = 6


def _all_jobs_done():
    return not ScoringJob.objects.filter(state=ScoringJob.State.PENDING).exists()


def test_every_run_of_every_demo_replays_identically(celery_worker):
    versions = [publish_demo(slug) for slug in DEMO_SLUGS]
    for version in versions:
        train_text_models(version)
    attempts = []
    for seed, version in enumerate(versions):
        attempts += [c.attempt for c in simulate_candidates(version, count=PER_DEMO, seed=seed)]
    wait_until(_all_jobs_done, timeout=120)
    assert ScoreRun.objects.count() == len(attempts)

    reviewer = staff_in_roles("rev", Role.REVIEWER)
    for item in list(ReviewItem.objects.filter(state=ReviewItem.State.OPEN))[:3]:
        review_services.decide_review_item(item, level=1, reason="Checked by hand.", user=reviewer)
    jobs, refused = rescore_attempts(attempts[:2])
    assert len(jobs) == 2 and not refused
    wait_until(_all_jobs_done, timeout=60)
    assert ScoreRun.objects.count() == len(attempts) + 3 + 2
    assert ScoreRun.objects.filter(job__reason="review").exclude(overrides={}).count() == 3
    assert ScoreRun.objects.exclude(model_hashes={}).exists()
    assert not ScoringJob.objects.filter(state=ScoringJob.State.FAILED).exists()

    out = io.StringIO()
    try:
        call_command("replay_score", "--all", stdout=out)
    except SystemExit as exit:  # pragma: no cover - the failure message is the point
        pytest.fail(f"replay_score exited {exit.code}:\n{out.getvalue()}")
    assert f"{ScoreRun.objects.count()} identical, 0 different" in out.getvalue()
