"""The scope and object-permission matrix of every endpoint: no key is 401, a key without the
endpoint's scope is 403, a key whose owner may not see the object finds nothing (404, an
empty list, or a 400 naming the assessment), and the owner's key succeeds."""

from dataclasses import dataclass
from types import SimpleNamespace

import pytest

from apikeys.models import Scope
from assessments.services import publish_document
from audit.roles import Role
from tests.api.conftest import ALL_SCOPES, client_with, key_for
from tests.credentials.conftest import issue_for, issuer_settings, keyed_document, take_attempt
from tests.support.factories import staff_in_roles
from webhooks import services as webhooks

pytestmark = pytest.mark.django_db
_ = issuer_settings  # the credentials' fixture: keys in a temporary directory


@pytest.fixture
def world(recruiter, compliance_user, settings, issuer_settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    version = publish_document(keyed_document(validity_days=365), user=recruiter)
    attempt, run = take_attempt(version)
    subscription = webhooks.subscribe(
        owner=recruiter, url="http://127.0.0.1:9/hook", events=["attempt.scored"]
    )
    return SimpleNamespace(
        slug=version.assessment.slug,
        invitation=attempt.invitation.public_id,
        attempt=attempt.public_id,
        credential=issue_for(run).public_id,
        webhook=subscription.pk,
        owner=recruiter,
        stranger=staff_in_roles("other-recruiter", Role.RECRUITER),
        compliance=compliance_user,
    )


@dataclass
class Endpoint:
    method: str
    path: str
    scopes: tuple[str, ...]
    ok: int
    # What the key of a recruiter who may not see the object gets: a status, or "empty".
    stranger: int | str
    body: dict | None = None


def _invitation(w):
    return {"assessment": w.slug, "name": "Grace", "email": "grace@example.com"}


ENDPOINTS = [
    Endpoint("get", "/api/v1/assessments", (Scope.INVITE, Scope.RESULTS_READ), 200, "empty"),
    Endpoint("get", "/api/v1/assessments/{slug}", (Scope.INVITE, Scope.RESULTS_READ), 200, 404),
    Endpoint("get", "/api/v1/invitations", (Scope.INVITE,), 200, "empty"),
    Endpoint("post", "/api/v1/invitations", (Scope.INVITE,), 201, 400, body=_invitation),
    Endpoint(
        "post",
        "/api/v1/invitations/batch",
        (Scope.INVITE,),
        201,
        400,
        body=lambda w: {"invitations": [_invitation(w)]},
    ),
    Endpoint("get", "/api/v1/invitations/{invitation}", (Scope.INVITE,), 200, 404),
    # Started, so the owner's cancel is refused as a request (400) rather than as access.
    Endpoint("post", "/api/v1/invitations/{invitation}/cancel", (Scope.INVITE,), 400, 404),
    Endpoint("get", "/api/v1/attempts", (Scope.RESULTS_READ,), 200, "empty"),
    Endpoint("get", "/api/v1/attempts/{attempt}", (Scope.RESULTS_READ,), 200, 404),
    Endpoint("get", "/api/v1/credentials", (Scope.CREDENTIALS_MANAGE,), 200, "empty"),
    Endpoint(
        "post",
        "/api/v1/credentials/{credential}/revoke",
        (Scope.CREDENTIALS_MANAGE,),
        200,
        404,
        body=lambda w: {"reason": "Issued by mistake"},
    ),
    Endpoint("get", "/api/v1/webhooks", (Scope.WEBHOOKS_MANAGE,), 200, "empty"),
    Endpoint("get", "/api/v1/webhooks/{webhook}", (Scope.WEBHOOKS_MANAGE,), 200, 404),
    Endpoint(
        "patch",
        "/api/v1/webhooks/{webhook}",
        (Scope.WEBHOOKS_MANAGE,),
        200,
        404,
        body=lambda w: {"active": False},
    ),
    Endpoint("delete", "/api/v1/webhooks/{webhook}", (Scope.WEBHOOKS_MANAGE,), 204, 404),
    # Compliance: the owner's role decides; a recruiter's key with the scope is refused.
    Endpoint("get", "/api/v1/assessments/{slug}/bias-audit", (Scope.COMPLIANCE_READ,), 400, 403),
]


def _call(client, endpoint: Endpoint, w):
    path = endpoint.path.format(**vars(w))
    body = endpoint.body(w) if endpoint.body else None
    return getattr(client, endpoint.method)(path, body, format="json")


def _ids(endpoint: Endpoint) -> str:
    return f"{endpoint.method.upper()} {endpoint.path}"


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=_ids)
def test_scope_and_object_access(world, endpoint):
    """In one world per endpoint (issuing its credential is the slow part), the owner's
    call last, as it may change the object."""
    assert _call(client_with(None), endpoint, world).status_code == 401

    others = [scope for scope in ALL_SCOPES if scope not in endpoint.scopes]
    response = _call(client_with(key_for(world.owner, others)), endpoint, world)
    assert response.status_code == 403
    assert "lacks the scope" in response.json()["errors"][0]["message"]

    response = _call(client_with(key_for(world.stranger)), endpoint, world)
    if endpoint.stranger == "empty":
        assert response.status_code == 200 and response.json()["results"] == []
    else:
        assert response.status_code == endpoint.stranger, response.content

    owner = world.compliance if "bias-audit" in endpoint.path else world.owner
    response = _call(client_with(key_for(owner, endpoint.scopes)), endpoint, world)
    assert response.status_code == endpoint.ok, response.content
    if endpoint.stranger == "empty":
        assert len(response.json()["results"]) == 1


def test_compliance_reads_every_attempt_but_invites_to_nothing(world):
    client = client_with(key_for(world.compliance))
    assert client.get(f"/api/v1/attempts/{world.attempt}").status_code == 200
    refused = client.post("/api/v1/invitations", _invitation(world), format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["path"] == "assessment"


def test_sharing_an_assessment_opens_it_to_the_colleagues_key(world):
    from assessments.models import Assessment

    client = client_with(key_for(world.stranger))
    assert client.get(f"/api/v1/attempts/{world.attempt}").status_code == 404
    Assessment.objects.get(slug=world.slug).shared_with.add(world.stranger)
    assert client.get(f"/api/v1/attempts/{world.attempt}").status_code == 200
