"""Scoring in the admin: breakdowns laid out for people, failed jobs, models, re-score."""

import hashlib

import pytest
from django.urls import reverse

from audit.roles import Role
from scoring.models import ScoreRun, ScoringJob, TextModel
from scoring.services.rescoring import rescore_attempt
from tests.scoring.support import publish_demo, run_pending, take_small
from tests.support.factories import staff_in_roles

pytestmark = pytest.mark.django_db


@pytest.fixture
def recruiter_client(client):
    client.force_login(staff_in_roles("rita", Role.RECRUITER))
    return client


def test_a_run_page_lays_out_skills_steps_criteria_and_evidence(recruiter_client):
    attempt = take_small(option="refund")
    (first,) = run_pending(attempt)
    rescore_attempt(attempt)
    (second,) = run_pending(attempt)
    page = recruiter_client.get(
        reverse("admin:scoring_scorerun_change", args=[second.pk])
    ).content.decode()
    for expected in (
        "Current score",
        "Judgement",  # skill names with scores
        "/ 100",
        "A double charge",  # step title
        "Refund at once (refund)",  # the option chosen …
        "Fast, but unchecked.",  # … and its rationale
        "Apologises",  # concepts, matched or not
        "concept rubric",
        "needs review",
        f"run {first.pk}",  # earlier runs listed
        "Replay and check the hash",
        "Re-score this attempt",
    ):
        assert expected in page, expected
    assert "&quot;steps&quot;" not in page  # not raw JSON
    old = recruiter_client.get(reverse("admin:scoring_scorerun_change", args=[first.pk]))
    assert b"Superseded" in old.content


def test_every_demo_item_type_renders_readably(recruiter_client):
    version = publish_demo("all-item-types")
    from scoring.management.simulation import simulate_candidates

    pages = ""
    for candidate in simulate_candidates(version, count=6, seed=5, score_inline=True):
        run = candidate.attempt.score_runs.get()
        page = recruiter_client.get(reverse("admin:scoring_scorerun_change", args=[run.pk]))
        assert page.status_code == 200
        pages += page.content.decode()
    for expected in (
        "Ratings against the expert key",  # sjt rate
        "Most and least effective",  # sjt best/worst
        "Rank correlation",  # ranking
        "Options selected",  # multiple choice
        "Expected",  # numeric, with its tolerance
        "Concept coverage",  # text
    ):
        assert expected in pages, expected


def test_an_attempt_link_opens_its_current_run_and_the_list_filters_by_attempt(recruiter_client):
    attempt = take_small()
    (run,) = run_pending(attempt)
    response = recruiter_client.get(
        reverse("admin:scoring_scorerun_attempt", args=[attempt.public_id])
    )
    assert response["Location"] == reverse("admin:scoring_scorerun_change", args=[run.pk])
    listing = recruiter_client.get(
        reverse("admin:scoring_scorerun_changelist") + f"?attempt__public_id={attempt.public_id}"
    )
    assert listing.status_code == 200 and b"1 score run" in listing.content


def test_rescore_and_replay_buttons(recruiter_client):
    attempt = take_small()
    (run,) = run_pending(attempt)
    response = recruiter_client.post(
        reverse("admin:scoring_scorerun_replay", args=[run.pk]), follow=True
    )
    assert b"replayed identically" in response.content
    recruiter_client.post(reverse("admin:scoring_scorerun_rescore", args=[run.pk]))
    assert ScoringJob.objects.filter(reason=ScoringJob.Reason.RESCORE).count() == 1


def test_compliance_may_look_and_replay_but_not_rescore(client):
    attempt = take_small()
    (run,) = run_pending(attempt)
    client.force_login(staff_in_roles("carol", Role.COMPLIANCE))
    assert client.get(reverse("admin:scoring_scorerun_change", args=[run.pk])).status_code == 200
    assert client.post(reverse("admin:scoring_scorerun_rescore", args=[run.pk])).status_code == 403
    response = client.post(
        reverse("admin:scoring_scorerun_changelist"),
        {"action": "rescore_runs", "_selected_action": [run.pk]},
    )
    assert response.status_code in (200, 302)
    assert not ScoringJob.objects.filter(reason=ScoringJob.Reason.RESCORE).exists()


def test_bulk_rescore_action(recruiter_client):
    attempts = [take_small(email=f"c{i}@example.com") for i in range(3)]
    for attempt in attempts:
        run_pending(attempt)
    runs = list(ScoreRun.objects.values_list("pk", flat=True))
    recruiter_client.post(
        reverse("admin:scoring_scorerun_changelist"),
        {"action": "rescore_runs", "_selected_action": runs},
    )
    assert ScoringJob.objects.filter(reason=ScoringJob.Reason.RESCORE).count() == 3


def test_the_text_model_admin_shows_metrics_and_serves_the_artifact(recruiter_client):
    version = publish_demo("incident-triage")
    model = TextModel.objects.create(
        version=version,
        content_sha256=version.content_sha256,
        criterion_key="status-update/customer-update",
        artifact=b'{"coef": [0.5, -0.25], "word_terms": ["refund", "later"], "char_terms": []}',
        sha256=hashlib.sha256(b"x").hexdigest(),
        training_set_sha256="1" * 64,
        n_levels=4,
        n_exemplars=37,
        cv_folds=5,
        cv_qwk=0.8123,
        cv_exact_agreement=0.64,
        qwk_bar=0.7,
        min_exemplars=30,
        accepted=True,
    )
    listing = recruiter_client.get(reverse("admin:scoring_textmodel_changelist")).content
    assert b"0.812 (agreement target 0.7)" in listing and b"64%" in listing
    page = recruiter_client.get(reverse("admin:scoring_textmodel_change", args=[model.pk]))
    assert b"refund (+0.50)" in page.content and b"later (-0.25)" in page.content
    artifact = recruiter_client.get(reverse("admin:scoring_textmodel_artifact", args=[model.pk]))
    assert artifact["Content-Type"] == "application/json"
