"""The review queue: role checks, blind to identity, a decision becomes a superseding run."""

import json

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from audit.roles import Role
from audit.services import Action
from scoring.models import ReviewDecision, ReviewItem, ScoringJob
from scoring.selectors import current_score_run
from scoring.services.replay import replay_score_run
from scoring.services.rescoring import rescore_attempt
from tests.scoring.support import run_pending, take_small
from tests.support.factories import staff_in_roles

pytestmark = pytest.mark.django_db

NAME, EMAIL = "Grace Hopperfield", "grace.hopperfield@example.com"


@pytest.fixture
def item():
    attempt = take_small(email=EMAIL)
    attempt.invitation.candidate_name = NAME
    attempt.invitation.save()
    run_pending(attempt)
    return ReviewItem.objects.get(attempt=attempt)


@pytest.fixture
def reviewer_client(client):
    client.force_login(staff_in_roles("rev", Role.REVIEWER))
    return client


def test_review_pages_need_a_signed_in_reviewer(client, item):
    urls = [reverse("review:queue"), reverse("review:item", args=[item.pk])]
    for url in urls:
        assert "/login/" in client.get(url)["Location"]
    for role in (Role.RECRUITER, Role.COMPLIANCE, None):
        client.force_login(staff_in_roles(f"user-{role}", *([role] if role else [])))
        for url in urls:
            assert client.get(url).status_code == 403, (role, url)
            assert client.post(url, {"level": "0", "reason": "x"}).status_code == 403
    assert not ReviewDecision.objects.exists()


def test_reviewers_never_see_who_wrote_the_answer(reviewer_client, item):
    queue = reviewer_client.get(reverse("review:queue")).content.decode()
    page = reviewer_client.get(reverse("review:item", args=[item.pk])).content.decode()
    assert f"Review #{item.pk}" in queue
    assert "refund it today" in page  # the answer itself
    assert "Apologises and gives a concrete plan." in page  # the rubric's descriptors
    for identity in (NAME, EMAIL, "grace", str(item.attempt.public_id)):
        assert identity.lower() not in queue.lower()
        assert identity.lower() not in page.lower()


def test_a_decision_makes_a_review_job_whose_run_applies_it_and_supersedes(reviewer_client, item):
    before = current_score_run(item.attempt)
    response = reviewer_client.post(
        reverse("review:item", args=[item.pk]),
        {"level": "1", "reason": "Apologises, but no concrete time for the refund."},
    )
    assert response.status_code == 302
    decision = ReviewDecision.objects.get()
    assert (decision.level, decision.reviewer_label) == (1, "rev")
    assert decision.job.reason == ScoringJob.Reason.REVIEW
    item.refresh_from_db()
    assert item.state == ReviewItem.State.DECIDED
    event = AuditEvent.objects.get(action=Action.REVIEW_DECIDED)
    assert event.subject == f"attempt:{item.attempt.public_id}"
    payload = json.loads(event.payload)
    assert payload["reason"].startswith("Apologises") and payload["job"] == decision.job_id

    (run,) = run_pending(item.attempt)
    assert run.job == decision.job and run.supersedes == before
    assert run.overrides == {
        "reply/reply-quality": {
            "level": 1,
            "reviewer": "rev",
            "reason": "Apologises, but no concrete time for the refund.",
        }
    }
    criterion = next(
        c
        for step in json.loads(run.breakdown_json)["steps"]
        for c in step["criteria"]
        if c["criterion_id"] == "reply-quality"
    )
    assert criterion["method"] == "human" and criterion["level"]["index"] == 1
    assert criterion["evidence"]["machine"]["method"] == "concept"
    assert not run.needs_review
    assert not ReviewItem.objects.filter(state=ReviewItem.State.OPEN).exists()
    assert replay_score_run(run).identical

    # A later re-score keeps the human decision.
    rescore_attempt(item.attempt)
    (later,) = run_pending(item.attempt)
    assert later.overrides == run.overrides and later.supersedes == run


def test_a_decision_needs_a_level_of_the_rubric_and_a_reason(reviewer_client, item):
    url = reverse("review:item", args=[item.pk])
    for data in ({"level": "1", "reason": "  "}, {"level": "7", "reason": "x"}, {"reason": "x"}):
        response = reviewer_client.post(url, data)
        assert response.status_code == 400
        assert b'role="alert"' in response.content
    assert not ReviewDecision.objects.exists()
    reviewer_client.post(url, {"level": "2", "reason": "Clear and kind."})
    response = reviewer_client.post(url, {"level": "0", "reason": "second thoughts"})
    assert response.status_code == 409 and ReviewDecision.objects.count() == 1


def test_the_review_item_admin_lists_items_without_identity(client, item):
    client.force_login(staff_in_roles("rev2", Role.REVIEWER))
    page = client.get(reverse("admin:scoring_reviewitem_changelist")).content.decode()
    assert "reply/reply-quality" in page
    assert NAME not in page and EMAIL not in page
    assert client.get(reverse("admin:scoring_scorerun_changelist")).status_code == 403
