"""The review queue, most useful first: answers between two levels, and at levels with few
labels, come before the rest; oldest first stays the default."""

import re

import pytest
from django.urls import reverse

from audit.roles import Role
from scoring.models import ReviewItem
from scoring.review_services import decide_review_item
from scoring.selectors import most_useful_review_items, usefulness
from tests.scoring.support import run_pending, take_small
from tests.support.factories import published_version, staff_in_roles

pytestmark = pytest.mark.django_db

KEY = "reply/reply-quality"


@pytest.fixture
def reviewer_client(client):
    client.force_login(staff_in_roles("rev", Role.REVIEWER))
    return client


@pytest.fixture
def queue():
    """Four open items (C, D, E, F, oldest first) after two decisions at level 0.

    The document has exemplars [2, 2, 1] per level; with the two decisions, labels are
    [4, 2, 1], so rarity is 0, 0.5 and 0.75. Usefulness = (1 - confidence) + rarity:
    C 0.1 + 0 = 0.1, D 0.1 + 0.75 = 0.85, E 0.5 + 0.5 = 1.0, F 0.8 + 0 = 0.8.
    """
    version = published_version()
    for n in range(6):
        take_small(version, email=f"c{n}@example.com", text=f"Sorry, refund number {n} today.")
    run_pending()
    a, b, c, d, e, f = ReviewItem.objects.filter(criterion_key=KEY).order_by("created_at", "pk")
    reviewer = staff_in_roles("first", Role.REVIEWER)
    for item in (a, b):
        decide_review_item(item, level=0, reason="No plan.", user=reviewer)
    for item, confidence, level in ((c, 0.9, 0), (d, 0.9, 2), (e, 0.5, 1), (f, 0.2, 0)):
        ReviewItem.objects.filter(pk=item.pk).update(
            machine_confidence=confidence, machine_level=level
        )
    return c, d, e, f


def _ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r"Review #(\d+)</a>", html)]


def test_usefulness_adds_uncertainty_and_rarity():
    assert usefulness(0.5, 1, [4, 2, 1]) == pytest.approx(1.0)
    assert usefulness(0.9, 0, [4, 2, 1]) == pytest.approx(0.1)
    assert usefulness(0.9, 2, [0, 0, 0]) == pytest.approx(0.1)  # no labels yet: all alike


def test_most_useful_first_orders_by_uncertainty_and_under_represented_levels(queue):
    c, d, e, f = queue
    assert [item.pk for item in most_useful_review_items()] == [e.pk, d.pk, f.pk, c.pk]
    assert [item.pk for item in most_useful_review_items(limit=2)] == [e.pk, d.pk]


def test_the_queue_page_offers_both_orders_and_keeps_the_choice(reviewer_client, queue):
    c, d, e, f = queue
    oldest = reviewer_client.get(reverse("review:queue")).content.decode()
    assert _ids(oldest) == [c.pk, d.pk, e.pk, f.pk]
    assert 'aria-current="true" data-order="oldest"' in oldest
    assert 'aria-current="true" data-order="useful"' not in oldest

    useful = reviewer_client.get(reverse("review:queue") + "?order=useful").content.decode()
    assert _ids(useful) == [e.pk, d.pk, f.pk, c.pk]
    assert 'aria-current="true" data-order="useful"' in useful
    assert f'href="/review/items/{e.pk}/?order=useful"' in useful
    assert "Most useful first:" in useful

    # After a decision the reviewer goes on to the next most useful item, in the same order.
    response = reviewer_client.post(
        reverse("review:item", args=[e.pk]) + "?order=useful",
        {"level": "1", "reason": "Apology, no time."},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("review:item", args=[d.pk]) + "?order=useful"


def test_an_unknown_order_falls_back_to_oldest_first(reviewer_client, queue):
    c, d, e, f = queue
    page = reviewer_client.get(reverse("review:queue") + "?order=random").content.decode()
    assert _ids(page) == [c.pk, d.pk, e.pk, f.pk]
