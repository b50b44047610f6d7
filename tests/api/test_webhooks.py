"""Webhooks end to end: a real receiver on 127.0.0.1 and a real Celery worker. Signatures are
checked with the `standardwebhooks` library and with an implementation of the scheme written
here; a 500 is retried; the admin redelivers; an endpoint that keeps failing is disabled and
its owner told; private targets are refused in production mode."""

import base64
import hashlib
import hmac
import json
import time

import pytest
from django.contrib.auth.models import User
from django.test import Client
from standardwebhooks.webhooks import Webhook

from assessments.services import publish_document
from audit.models import AuditEvent
from outbox.models import Email, OutboxJob
from tests.api.conftest import client_with, invite, key_for
from tests.api.receiver import start_receiver
from tests.support.documents import small_document
from tests.support.journeys import take_small_assessment, wait_until
from tests.support.worker import running_worker
from webhooks import services, targets
from webhooks.exceptions import TargetRefused
from webhooks.models import Delivery, Subscription
from webhooks.tasks import deliver_webhook

# Retries within seconds, and disabling after three failures, for the worker's process.
WORKER_ENV = {
    "WEBHOOK_ALLOW_PRIVATE": "1",
    "WEBHOOK_RETRY_BASE_SECONDS": "1",
    "WEBHOOK_DISABLE_AFTER_FAILURES": "3",
}


@pytest.fixture
def receiver():
    receiver = start_receiver()
    yield receiver
    receiver.server.shutdown()


@pytest.fixture
def webhook_worker(transactional_db, clean_broker, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    with running_worker(clean_broker, extra_env=WORKER_ENV) as worker:
        yield worker


@pytest.fixture
def ats(webhook_worker, recruiter):
    """The recruiter's ATS: an API key and the small assessment the recruiter owns."""
    publish_document(small_document(), user=recruiter)
    return client_with(key_for(recruiter))


def subscribe(client, url: str, events: list[str]) -> dict:
    response = client.post("/api/v1/webhooks", {"url": url, "events": events}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def independent_signature(secret: str, headers: dict, body: bytes) -> str:
    """The Standard Webhooks scheme, from its specification, without the app's code."""
    key = base64.b64decode(secret.split("_", 1)[1])
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def test_an_event_arrives_signed_as_standard_webhooks_specifies(ats, receiver):
    created = subscribe(ats, receiver.url, ["invitation.created"])
    assert created["secret"].startswith("whsec_")
    assert "secret" not in ats.get(f"/api/v1/webhooks/{created['id']}").json()
    invitation = invite(ats, external_id="gh-1").json()

    request = receiver.wait_for(1)[0]
    assert request.path == "/hooks/skillproof"
    assert request.headers["webhook-signature"] == independent_signature(
        created["secret"], request.headers, request.body
    )
    # The reference library accepts it too (and checks the timestamp is fresh).
    payload = Webhook(created["secret"]).verify(request.body, request.headers)
    assert payload["type"] == "invitation.created"
    assert payload["data"]["invitation"] == invitation["id"]
    assert payload["data"]["external_id"] == "gh-1"
    assert abs(int(request.headers["webhook-timestamp"]) - time.time()) < 60
    # A tampered body fails both checks.
    forged = request.body.replace(b"gh-1", b"gh-2")
    assert request.headers["webhook-signature"] != independent_signature(
        created["secret"], request.headers, forged
    )
    with pytest.raises(Exception, match="No matching signature"):
        Webhook(created["secret"]).verify(forged, request.headers)
    delivery = Delivery.objects.get()
    wait_until(lambda: Delivery.objects.get().state == OutboxJob.State.DONE)
    delivery.refresh_from_db()
    assert delivery.last_status_code == 200 and delivery.delivered_at is not None
    assert [attempt.status_code for attempt in delivery.log.all()] == [200]


def test_a_500_is_retried_with_the_same_message(ats, receiver):
    subscribe(ats, receiver.url, ["invitation.created"])
    receiver.answer(500, 503)
    invite(ats)
    first, second, third = receiver.wait_for(3)
    assert (
        first.headers["webhook-id"] == second.headers["webhook-id"] == third.headers["webhook-id"]
    )
    assert first.body == second.body == third.body
    wait_until(lambda: Delivery.objects.get().state == OutboxJob.State.DONE)
    delivery = Delivery.objects.get()
    log = list(delivery.log.values_list("status_code", flat=True))
    assert log == [500, 503, 200] and delivery.attempts == 3 and delivery.retries == 2
    assert all(attempt.duration_ms >= 0 for attempt in delivery.log.all())
    assert Subscription.objects.get().consecutive_failures == 0  # a success resets the count


def test_the_admin_redelivers_an_event(ats, receiver, recruiter, client):
    subscribe(ats, receiver.url, ["invitation.created"])
    invite(ats)
    receiver.wait_for(1)
    wait_until(lambda: Delivery.objects.get().state == OutboxJob.State.DONE)
    delivery = Delivery.objects.get()
    client.force_login(User.objects.create_superuser("admin", "admin@example.com", "pw"))
    response = client.post(
        "/admin/webhooks/delivery/",
        {"action": "redeliver", "_selected_action": [delivery.pk]},
    )
    assert response.status_code == 302
    first, again = receiver.wait_for(2)
    assert again.headers["webhook-id"] == first.headers["webhook-id"]
    assert again.body == first.body
    wait_until(lambda: Delivery.objects.filter(state=OutboxJob.State.DONE).count() == 2)
    assert AuditEvent.objects.filter(action="webhook.changed").exists()


def test_an_endpoint_that_keeps_failing_is_disabled_and_its_owner_told(ats, receiver, recruiter):
    created = subscribe(ats, receiver.url, ["invitation.created"])
    receiver.answer(*[500] * 10)
    invite(ats)
    invite(ats, email="second@example.com")
    wait_until(lambda: not Subscription.objects.get().active, timeout=90)
    subscription = Subscription.objects.get()
    assert subscription.consecutive_failures == 3
    assert "3 failed deliveries in a row" in subscription.disabled_reason
    wait_until(lambda: not Delivery.objects.filter(state=OutboxJob.State.PENDING).exists())
    assert set(Delivery.objects.values_list("state", flat=True)) == {OutboxJob.State.FAILED}
    email = Email.objects.get(reference=f"webhook:{subscription.pk}")
    assert email.to == [recruiter.email]
    assert AuditEvent.objects.filter(
        action="webhook.disabled", subject=f"webhook:{subscription.pk}"
    ).exists()
    # Nothing more is sent to it; turning it on again resets the count.
    sent = len(receiver.received)
    invite(ats, email="third@example.com")
    time.sleep(2)
    assert len(receiver.received) == sent
    turned_on = ats.patch(f"/api/v1/webhooks/{created['id']}", {"active": True}, format="json")
    assert turned_on.json()["active"] is True
    assert Subscription.objects.get().consecutive_failures == 0


# --- Server-side request forgery -----------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://[::1]/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
    ],
)
def test_private_targets_are_refused_in_production_mode(db, recruiter, settings, url):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    response = client_with(key_for(recruiter)).post(
        "/api/v1/webhooks", {"url": url, "events": ["attempt.scored"]}, format="json"
    )
    assert response.status_code == 400, response.content
    [error] = response.json()["errors"]
    assert error["path"] == "url" and "public addresses only" in error["message"]
    assert not Subscription.objects.exists()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.com/hook", "must start with https://"),
        ("file:///etc/passwd", "Enter a valid URL"),
        ("https://user:pw@example.com/hook", "no user name or password"),
    ],
)
def test_only_http_urls_without_credentials_are_accepted(db, recruiter, settings, url, message):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    response = client_with(key_for(recruiter)).post(
        "/api/v1/webhooks", {"url": url, "events": ["attempt.scored"]}, format="json"
    )
    assert response.status_code == 400
    assert message in response.json()["errors"][0]["message"]


def test_the_address_is_checked_again_at_delivery(db, recruiter, settings, receiver):
    """Saved while private targets were allowed (or before a DNS answer changed): the
    delivery task refuses it, fails the delivery for good and sends nothing."""
    settings.WEBHOOK_ALLOW_PRIVATE = True
    subscription = services.subscribe(
        owner=recruiter, url=receiver.url, events=["invitation.created"]
    )
    publish_document(small_document(), user=recruiter)
    invite(client_with(key_for(recruiter)))
    delivery = Delivery.objects.get(subscription=subscription)
    settings.WEBHOOK_ALLOW_PRIVATE = False
    deliver_webhook.apply(args=[delivery.pk])
    delivery.refresh_from_db()
    assert delivery.state == OutboxJob.State.FAILED
    assert "public addresses only" in delivery.last_error
    assert "public addresses only" in delivery.log.get().error
    assert receiver.received == []


def test_a_slow_receiver_times_out_and_a_large_answer_is_read_only_to_the_cap(
    db, settings, receiver
):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    receiver.delay = 3
    answer = targets.post(targets.resolve(receiver.url), b"{}", {})
    assert answer.status is None and "timed out" in answer.error
    assert 900 <= answer.duration_ms < 2500
    receiver.delay = 0
    receiver.response_bytes = 50 * 1024 * 1024
    started = time.monotonic()
    answer = targets.post(targets.resolve(receiver.url), b"{}", {})
    assert answer.ok and time.monotonic() - started < 5


def test_a_public_address_is_accepted_in_production_mode(settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    assert targets._public("93.184.215.14") and not targets._public("100.64.0.1")
    with pytest.raises(TargetRefused):
        targets.resolve("http://127.0.0.1/")


def test_payloads_carry_no_answer_text(ats, receiver):
    subscribe(ats, receiver.url, ["attempt.submitted", "attempt.scored"])
    body = invite(ats).json()
    secret_words = "My private reply about the refund"
    take_small_assessment(
        Client(), body["invitation_url"].rstrip("/").rsplit("/", 1)[1], text=secret_words
    )
    received = receiver.wait_for(2)
    assert {json.loads(r.body)["type"] for r in received} == {"attempt.submitted", "attempt.scored"}
    assert all(secret_words.encode() not in r.body for r in received)
