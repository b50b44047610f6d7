"""API keys: the key shown once and stored hashed; Bearer only; revoked, expired and unknown
keys refused; scopes enforced; creation and revocation audited."""

import hashlib
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from apikeys.models import ApiKey
from apikeys.services import create_api_key, revoke_api_key
from audit.models import AuditEvent
from tests.api.conftest import client_with, key_for

pytestmark = pytest.mark.django_db


def test_the_command_prints_the_key_alone_on_its_last_line(recruiter):
    out = StringIO()
    call_command(
        "create_api_key",
        "--name",
        "Greenhouse",
        "--scopes",
        "invite,results:read",
        "--expires-days",
        "30",
        "--owner",
        recruiter.username,
        stdout=out,
    )
    key = out.getvalue().strip().splitlines()[-1]
    stored = ApiKey.objects.get()
    assert key.startswith("skp_") and " " not in key
    assert stored.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in str(ApiKey.objects.values().get())  # only the hash is kept
    assert stored.scopes == ["invite", "results:read"]
    assert stored.owner == recruiter
    assert timedelta(days=29) < stored.expires_at - timezone.now() <= timedelta(days=30)
    assert client_with(key).get("/api/v1/assessments").status_code == 200


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--scopes", "invite,admin"], "Unknown scope admin"),
        (["--scopes", "invite", "--expires-days", "0"], "at least 1"),
        (["--scopes", "invite", "--owner", "nobody"], "No active staff user"),
    ],
)
def test_the_command_refuses_what_it_cannot_create(recruiter, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("create_api_key", "--name", "x", "--owner", recruiter.username, *arguments)
    assert not ApiKey.objects.exists()


def test_creation_and_revocation_are_audited_without_the_key(recruiter):
    api_key, key = create_api_key(name="Lever", owner=recruiter, scopes=["invite"], user=recruiter)
    revoke_api_key(api_key, user=recruiter)
    revoke_api_key(api_key, user=recruiter)  # idempotent: one event
    events = AuditEvent.objects.filter(subject=f"api_key:{api_key.pk}").order_by("pk")
    assert [event.action for event in events] == ["api_key.created", "api_key.revoked"]
    assert all(key not in event.payload for event in events)
    assert events[0].actor == f"user:{recruiter.pk}"


def _errors(response) -> list[dict]:
    return response.json()["errors"]


def test_without_a_key_the_answer_is_401_with_the_error_body(db):
    response = client_with(None).get("/api/v1/attempts")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert _errors(response) == [
        {"path": "", "message": "Authentication credentials were not provided."}
    ]


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        ("revoke", "This API key was revoked."),
        ("expire", "This API key has expired."),
        ("deactivate_owner", "The owner of this API key is no longer active."),
    ],
)
def test_a_revoked_or_expired_key_is_refused(recruiter, spoil, message):
    api_key, key = create_api_key(name="ATS", owner=recruiter, scopes=["results:read"])
    client = client_with(key)
    assert client.get("/api/v1/attempts").status_code == 200
    if spoil == "revoke":
        revoke_api_key(api_key)
    elif spoil == "expire":
        ApiKey.objects.filter(pk=api_key.pk).update(expires_at=timezone.now())
    else:
        recruiter.is_active = False
        recruiter.save()
    response = client.get("/api/v1/attempts")
    assert response.status_code == 401
    assert _errors(response) == [{"path": "", "message": message}]


@pytest.mark.parametrize("header", ["Bearer skp_not-a-key", "Bearer", "Bearer a b", "Token abc"])
def test_unknown_or_malformed_keys_are_refused(db, header):
    client = client_with(None)
    client.credentials(HTTP_AUTHORIZATION=header)
    assert client.get("/api/v1/attempts").status_code == 401


def test_a_key_without_the_scope_is_refused_with_403(recruiter):
    client = client_with(key_for(recruiter, ["results:read"]))
    response = client.get("/api/v1/invitations")
    assert response.status_code == 403
    assert _errors(response) == [
        {"path": "", "message": "This API key lacks the scope this endpoint needs: invite."}
    ]


def test_a_session_cannot_stand_in_for_a_key(client, recruiter):
    client.force_login(recruiter)
    assert client.get("/api/v1/attempts").status_code == 401
