"""The optional daily digest email: only for subscribers, only what is new, once a day."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from results.models import DigestSubscription
from results.services import send_due_digests
from results.tasks import send_results_digests
from tests.support.outbox import send_queued_emails

pytestmark = pytest.mark.django_db


def test_a_recruiter_switches_the_digest_on_and_off(client, recruiter):
    client.force_login(recruiter)
    client.post(reverse("results:digest"), {"digest": "on"})
    assert DigestSubscription.objects.filter(user=recruiter).exists()
    client.post(reverse("results:digest"), {"digest": "off"})
    assert not DigestSubscription.objects.exists()


def test_reviewers_cannot_subscribe(client, reviewer):
    client.force_login(reviewer)
    assert client.post(reverse("results:digest"), {"digest": "on"}).status_code == 403
    assert not DigestSubscription.objects.exists()


def test_the_digest_lists_new_results_once_a_day(recruiter, other_recruiter, scored):
    DigestSubscription.objects.create(user=recruiter)
    DigestSubscription.objects.create(user=other_recruiter)  # sees no assessment: no email
    DigestSubscription.objects.update(created_at=timezone.now() - timedelta(days=1))
    scored.take(name="Ada Lovelace")
    scored.take(name="Alan Turing")

    assert send_results_digests() == 1
    assert send_queued_emails() == 1  # queued in the outbox, sent by the email task
    [email] = mail.outbox
    assert email.to == [recruiter.email]
    assert "Small support scenario: 2 candidates scored or reviewed" in email.body
    assert "/results/small-support/" in email.body

    assert send_due_digests() == 0  # already sent today
    scored.take(name="Grace Hopper")
    assert send_due_digests(now=timezone.now() + timedelta(days=1)) == 1
    assert send_queued_emails() == 1
    assert "1 candidate scored" in mail.outbox[1].body
