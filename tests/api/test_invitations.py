"""Invitations through the API: the link once, the existing invitation service behind it
(email through the outbox, audit, notice), batches all or nothing with paths, cancel."""

import pytest
from django.test import Client

from assessments.models import Invitation
from audit.models import AuditEvent
from outbox.models import Email
from tests.api.conftest import invite

pytestmark = pytest.mark.django_db


def test_the_link_is_in_the_201_response_and_never_again(recruiter, recruiter_api, small_version):
    created = invite(recruiter_api, external_id="gh-4711")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["invitation_url"].startswith("http")
    assert body["external_id"] == "gh-4711"
    assert body["status"] == "pending"
    assert body["assessment"] == "small-support" and body["version"] == 1
    read = recruiter_api.get(f"/api/v1/invitations/{body['id']}").json()
    listed = recruiter_api.get("/api/v1/invitations").json()["results"]
    assert "invitation_url" not in read and all("invitation_url" not in i for i in listed)
    assert read == {key: value for key, value in body.items() if key != "invitation_url"}
    # The link is a real one: the candidate's landing page opens.
    path = body["invitation_url"].split("://", 1)[1].split("/", 1)[1]
    assert Client().get("/" + path).status_code == 200
    invitation = Invitation.objects.get(public_id=body["id"])
    assert invitation.created_by == recruiter
    assert AuditEvent.objects.filter(
        action="invitation.created", subject=f"invitation:{invitation.public_id}"
    ).exists()


def test_send_email_goes_through_the_invitation_service(recruiter_api, small_version):
    assert invite(recruiter_api).json()["sent_at"] is None
    assert not Email.objects.exists()
    body = invite(recruiter_api, email="grace@example.com", send_email=True).json()
    assert body["sent_at"] is not None
    email = Email.objects.get()
    assert email.to == ["grace@example.com"] and email.reference == f"invitation:{body['id']}"


def test_invalid_fields_are_named_by_path(recruiter_api, small_version):
    response = invite(recruiter_api, email="not-an-address", name=" ", valid_days=0)
    assert response.status_code == 400
    paths = {error["path"] for error in response.json()["errors"]}
    assert paths == {"email", "name", "valid_days"}
    assert not Invitation.objects.exists()


def test_a_batch_is_all_or_nothing_with_indexed_paths(recruiter_api, small_version):
    people = [
        {"assessment": "small-support", "name": "A", "email": "a@example.com"},
        {"assessment": "small-support", "name": "B", "email": "broken"},
        {"assessment": "no-such-thing", "name": "C", "email": "c@example.com"},
    ]
    response = recruiter_api.post(
        "/api/v1/invitations/batch", {"invitations": people}, format="json"
    )
    assert response.status_code == 400
    assert {error["path"] for error in response.json()["errors"]} == {
        "invitations.1.email",
        "invitations.2.assessment",
    }
    assert not Invitation.objects.exists()
    good = [people[0], people[0] | {"name": "D", "email": "d@example.com"}]
    created = recruiter_api.post("/api/v1/invitations/batch", {"invitations": good}, format="json")
    assert created.status_code == 201
    assert [item["email"] for item in created.json()["invitations"]] == [
        "a@example.com",
        "d@example.com",
    ]
    assert all(item["invitation_url"] for item in created.json()["invitations"])


def test_cancel_withdraws_the_link_and_is_audited(recruiter_api, small_version):
    body = invite(recruiter_api).json()
    response = recruiter_api.post(f"/api/v1/invitations/{body['id']}/cancel")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    again = recruiter_api.post(f"/api/v1/invitations/{body['id']}/cancel")
    assert again.status_code == 200
    path = "/" + body["invitation_url"].split("://", 1)[1].split("/", 1)[1]
    page = Client().get(path)
    assert page.status_code in (403, 404, 410) and b"withdrew" in page.content
    assert AuditEvent.objects.filter(action="invitation.cancelled").count() == 1


def test_a_started_invitation_cannot_be_cancelled(recruiter_api, small_version):
    body = invite(recruiter_api).json()
    path = "/" + body["invitation_url"].split("://", 1)[1].split("/", 1)[1]
    assert Client().post(path + "start", {"consent": "yes"}).status_code == 302
    response = recruiter_api.post(f"/api/v1/invitations/{body['id']}/cancel")
    assert response.status_code == 400
    assert response.json()["errors"][0]["path"] == "id"
    assert recruiter_api.get(f"/api/v1/invitations/{body['id']}").json()["status"] == "started"


def test_filters_by_assessment_and_external_id(recruiter_api, small_version):
    invite(recruiter_api, external_id="one")
    invite(recruiter_api, external_id="two", email="b@example.com")
    listed = recruiter_api.get("/api/v1/invitations", {"external_id": "two"}).json()["results"]
    assert [item["external_id"] for item in listed] == ["two"]
    assert recruiter_api.get("/api/v1/invitations", {"assessment": "other"}).json()["results"] == []
