"""Idempotency-Key on every POST: a repeat returns the first response and does nothing more;
the same key with another request is refused; keys are per API key."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apikeys.models import IdempotentRequest
from apikeys.tasks import forget_old_idempotent_responses
from assessments.models import Invitation
from tests.api.conftest import client_with, invite, key_for

pytestmark = pytest.mark.django_db


def test_a_repeated_post_returns_the_first_response_and_invites_once(recruiter_api, small_version):
    first = invite(recruiter_api, HTTP_IDEMPOTENCY_KEY="ats-req-1")
    second = invite(recruiter_api, HTTP_IDEMPOTENCY_KEY="ats-req-1")
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()  # the link too: the ATS may have lost the first answer
    assert second["Idempotent-Replayed"] == "true"
    assert Invitation.objects.count() == 1


def test_the_same_key_with_another_body_is_refused(recruiter_api, small_version):
    invite(recruiter_api, HTTP_IDEMPOTENCY_KEY="k")
    response = invite(recruiter_api, email="other@example.com", HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "Idempotency-Key"
    assert Invitation.objects.count() == 1


def test_without_the_header_every_post_acts(recruiter_api, small_version):
    invite(recruiter_api)
    invite(recruiter_api)
    assert Invitation.objects.count() == 2


def test_idempotency_keys_belong_to_one_api_key(recruiter, recruiter_api, small_version):
    other = client_with(key_for(recruiter))
    invite(recruiter_api, HTTP_IDEMPOTENCY_KEY="same")
    invite(other, HTTP_IDEMPOTENCY_KEY="same")
    assert Invitation.objects.count() == 2


@pytest.mark.parametrize("path", ["/api/v1/webhooks", "/api/v1/invitations/batch"])
def test_every_post_honours_the_key(recruiter_api, small_version, path, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    bodies = {
        "/api/v1/webhooks": {"url": "http://127.0.0.1:9/hook", "events": ["attempt.scored"]},
        "/api/v1/invitations/batch": {
            "invitations": [{"assessment": "small-support", "name": "A", "email": "a@x.org"}]
        },
    }
    first = recruiter_api.post(path, bodies[path], format="json", HTTP_IDEMPOTENCY_KEY="p")
    second = recruiter_api.post(path, bodies[path], format="json", HTTP_IDEMPOTENCY_KEY="p")
    assert first.status_code == 201 and second.json() == first.json()


def test_a_key_older_than_a_day_acts_again(recruiter_api, small_version):
    invite(recruiter_api, HTTP_IDEMPOTENCY_KEY="yesterday")
    IdempotentRequest.objects.update(created_at=timezone.now() - timedelta(hours=25))
    again = invite(recruiter_api, HTTP_IDEMPOTENCY_KEY="yesterday")
    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert Invitation.objects.count() == 2
    assert IdempotentRequest.objects.count() == 1  # the old response is gone


def test_beat_forgets_old_responses_of_keys_that_never_post_again(recruiter_api, small_version):
    invite(recruiter_api, HTTP_IDEMPOTENCY_KEY="old")
    invite(recruiter_api, HTTP_IDEMPOTENCY_KEY="fresh")
    IdempotentRequest.objects.filter(key="old").update(
        created_at=timezone.now() - timedelta(hours=25)
    )
    assert forget_old_idempotent_responses.apply().get() == 1
    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == ["fresh"]
