"""The reference at /api/docs/ (bundled assets, no inline script or style: the strict CSP
holds) and the schema naming every endpoint; the admin shows a new key and a new signing
secret once, and revokes keys."""

import re

import pytest
import yaml
from django.contrib.auth.models import User

from apikeys.models import ApiKey
from audit.models import AuditEvent
from webhooks.models import Subscription

pytestmark = pytest.mark.django_db

OPERATIONS = {
    ("get", "/api/v1/assessments"),
    ("get", "/api/v1/assessments/{slug}"),
    ("get", "/api/v1/assessments/{slug}/bias-audit"),
    ("get", "/api/v1/invitations"),
    ("post", "/api/v1/invitations"),
    ("post", "/api/v1/invitations/batch"),
    ("get", "/api/v1/invitations/{public_id}"),
    ("post", "/api/v1/invitations/{public_id}/cancel"),
    ("get", "/api/v1/attempts"),
    ("get", "/api/v1/attempts/{public_id}"),
    ("get", "/api/v1/credentials"),
    ("post", "/api/v1/credentials/{public_id}/revoke"),
    ("get", "/api/v1/webhooks"),
    ("post", "/api/v1/webhooks"),
    ("get", "/api/v1/webhooks/{id}"),
    ("patch", "/api/v1/webhooks/{id}"),
    ("delete", "/api/v1/webhooks/{id}"),
}


def test_the_schema_documents_every_endpoint_with_its_errors(client):
    schema = yaml.safe_load(client.get("/api/schema/").content)
    documented = {
        (method, path)
        for path, operations in schema["paths"].items()
        if path.startswith("/api/v1/")
        for method in operations
    }
    assert documented == OPERATIONS
    create = schema["paths"]["/api/v1/invitations"]["post"]
    assert {"201", "400", "401", "403", "422", "429"} <= set(create["responses"])
    assert create["responses"]["429"]["headers"]["Retry-After"]
    assert any(p["name"] == "Idempotency-Key" for p in create["parameters"])
    assert create["requestBody"]["content"]["application/json"]["examples"]
    assert schema["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"


def test_the_reference_page_loads_bundled_assets_and_no_inline_code(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<style" not in html and not re.search(r"<script>\s*\S", html)
    sources = re.findall(r'<script src="([^"]+)"', html)
    assert any("swagger-ui-bundle" in source for source in sources)
    assert all(source.startswith("/") for source in sources)  # nothing from a CDN
    assert "script-src 'self'" in response["Content-Security-Policy"]
    start_up = client.get("/api/docs/?script")
    assert start_up.status_code == 200 and b"/api/schema/" in start_up.content


def test_the_admin_shows_a_new_key_once_and_revokes_it(client, recruiter):
    client.force_login(recruiter)
    response = client.post(
        "/admin/apikeys/apikey/add/",
        {"name": "Greenhouse", "owner": recruiter.pk, "scopes": ["invite", "results:read"]},
        follow=True,
    )
    api_key = ApiKey.objects.get()
    [message] = [str(m) for m in response.context["messages"] if "shown this once" in str(m)]
    key = message.rsplit(" ", 1)[1]
    assert key.startswith("skp_") and api_key.prefix in key
    assert key not in client.get(f"/admin/apikeys/apikey/{api_key.pk}/change/").content.decode()
    client.post("/admin/apikeys/apikey/", {"action": "revoke", "_selected_action": [api_key.pk]})
    api_key.refresh_from_db()
    assert api_key.revoked_at is not None
    assert list(
        AuditEvent.objects.filter(subject=f"api_key:{api_key.pk}").values_list("action", flat=True)
    ) == ["api_key.created", "api_key.revoked"]


def test_staff_cannot_give_a_key_to_someone_else(client, recruiter):
    other = User.objects.create_superuser("boss", "boss@example.com", "pw")
    client.force_login(recruiter)
    response = client.post(
        "/admin/apikeys/apikey/add/",
        {"name": "Sneaky", "owner": other.pk, "scopes": ["compliance:read"]},
    )
    assert response.status_code == 200  # the form again, with the error
    assert not ApiKey.objects.exists()


def test_the_admin_shows_a_new_signing_secret_once(client, recruiter, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    client.force_login(recruiter)
    response = client.post(
        "/admin/webhooks/subscription/add/",
        {
            "owner": recruiter.pk,
            "url": "http://127.0.0.1:9/hook",
            "events": ["attempt.scored"],
            "description": "",
            "active": "on",
        },
        follow=True,
    )
    subscription = Subscription.objects.get()
    [message] = [str(m) for m in response.context["messages"] if "shown this once" in str(m)]
    assert message.endswith(subscription.secret)
    page = client.get(f"/admin/webhooks/subscription/{subscription.pk}/change/").content
    assert subscription.secret.encode() not in page
    assert AuditEvent.objects.filter(action="webhook.subscribed").exists()
