"""A closed review item does not open again by its id: no answer shown, no second decision."""

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from audit.roles import Role
from scoring.models import ReviewDecision, ReviewItem, ScoringJob
from tests.scoring.support import run_pending, take_small
from tests.support.factories import staff_in_roles

pytestmark = pytest.mark.django_db

ANSWER = "refund it today"  # words of the answer take_small writes


@pytest.fixture
def reviewer(client):
    client.force_login(staff_in_roles("rev", Role.REVIEWER))
    return client


@pytest.fixture
def item():
    attempt = take_small()
    run_pending(attempt)
    return ReviewItem.objects.get(attempt=attempt)


def _snapshot(item: ReviewItem) -> tuple:
    item.refresh_from_db()
    return (
        item.state,
        item.closed_at,
        ReviewDecision.objects.count(),
        ScoringJob.objects.count(),
        AuditEvent.objects.count(),
    )


def test_a_decided_item_refuses_a_second_decision_and_changes_nothing(reviewer, item):
    url = reverse("review:item", args=[item.pk])
    assert reviewer.post(url, {"level": "2", "reason": "Clear and kind."}).status_code == 302
    before = _snapshot(item)

    response = reviewer.post(url, {"level": "0", "reason": "second thoughts"})

    page = response.content.decode()
    assert response.status_code == 409
    assert f"Review #{item.pk} has already been decided" in page
    assert "cannot be changed or made a second time" in page
    assert _snapshot(item) == before
    assert ReviewDecision.objects.get().level == 2


def test_a_decided_item_does_not_reopen_by_its_id(reviewer, item):
    url = reverse("review:item", args=[item.pk])
    reviewer.post(url, {"level": "2", "reason": "Clear and kind."})

    response = reviewer.get(url)

    page = response.content.decode()
    assert response.status_code == 410
    assert "is closed" in page and "already been decided" in page
    assert ANSWER not in page  # the candidate's answer is not shown again
    assert 'name="level"' not in page and 'name="reason"' not in page


def test_a_withdrawn_item_says_why_and_takes_no_decision(reviewer, item):
    ReviewItem.objects.filter(pk=item.pk).update(
        state=ReviewItem.State.WITHDRAWN, closed_at=timezone.now()
    )
    url = reverse("review:item", args=[item.pk])
    before = _snapshot(item)

    looked = reviewer.get(url)
    decided = reviewer.post(url, {"level": "1", "reason": "late"})

    assert looked.status_code == 410 and ANSWER not in looked.content.decode()
    assert decided.status_code == 409
    assert "is no longer needed" in decided.content.decode()
    assert _snapshot(item) == before
