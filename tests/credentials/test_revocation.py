"""Revocation: Bitstring Status List v1.0, served signed and cacheable; revoked from the admin."""

import json

import pytest

from audit.models import AuditEvent
from audit.roles import Role
from credentials import services
from credentials.exceptions import AccessDenied, InvalidInput
from credentials.models import Credential, StatusList
from credentials.proofs import MIN_BITS, StatusBitstring
from credentials.verification import verify_credential
from tests.support.factories import staff_in_roles


def served_list(client, credential) -> tuple[dict, object]:
    response = client.get(f"/credentials/status/{credential.status_list_id}")
    assert response.status_code == 200
    return json.loads(response.content), response


def test_status_list_is_a_signed_credential_of_at_least_131072_bits(client, credential):
    document, response = served_list(client, credential)
    assert document["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert document["issuer"] == "did:web:testserver"
    subject = document["credentialSubject"]
    assert subject["type"] == "BitstringStatusList"
    assert subject["statusPurpose"] == "revocation"
    bits = StatusBitstring.decode(subject["encodedList"])
    assert len(bits) >= MIN_BITS
    assert not bits.get(credential.status_index)
    report = verify_credential(response.content)
    assert report.check("proof").status == "passed"
    assert report.check("issuer").status == "passed"


def test_status_list_has_caching_headers_and_answers_304(client, credential):
    _, response = served_list(client, credential)
    etag = response["ETag"]
    assert etag.startswith('"') and len(etag) == 66
    assert "max-age=60" in response["Cache-Control"]
    assert "public" in response["Cache-Control"]
    again = client.get(f"/credentials/status/{credential.status_list_id}", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again["ETag"] == etag


def test_revocation_round_trip(client, credential):
    compliance = staff_in_roles("staff", Role.COMPLIANCE)
    _, before = served_list(client, credential)
    services.revoke_credential(credential, reason="Identity fraud confirmed", user=compliance)

    report = verify_credential(credential.document)
    assert not report.verified
    assert report.check("status").status == "failed"
    assert report.check("proof").status == "passed"
    assert report.summary == "Not verified: the issuer has revoked this credential."

    document, after = served_list(client, credential)
    assert after["ETag"] != before["ETag"]
    assert StatusBitstring.decode(document["credentialSubject"]["encodedList"]).get(
        credential.status_index
    )
    assert verify_credential(after.content).check("proof").status == "passed"

    event = AuditEvent.objects.get(action="credential.revoked")
    payload = json.loads(event.payload)
    assert payload["reason"] == "Identity fraud confirmed"
    assert payload["credential"] == credential.urn
    assert event.actor == f"user:{compliance.pk}"
    # Revoking again changes nothing and records nothing.
    services.revoke_credential(credential, reason="again", user=compliance)
    assert AuditEvent.objects.filter(action="credential.revoked").count() == 1


def test_only_recruiters_and_compliance_may_revoke_and_a_reason_is_required(credential):
    with pytest.raises(AccessDenied):
        services.revoke_credential(
            credential, reason="x", user=staff_in_roles("reviewer", Role.REVIEWER)
        )
    with pytest.raises(InvalidInput):
        services.revoke_credential(
            credential, reason="  ", user=staff_in_roles("recruiter", Role.RECRUITER)
        )
    assert Credential.objects.get(pk=credential.pk).revoked_at is None


def test_admin_revoke_action_asks_for_a_reason_then_revokes(client, credential):
    recruiter = staff_in_roles("recruiter", Role.RECRUITER)
    client.force_login(recruiter)
    url = "/admin/credentials/credential/"
    assert client.get(url).status_code == 200
    page = client.post(url, {"action": "revoke", "_selected_action": [credential.pk]})
    assert page.status_code == 200
    assert b"Reason for revoking" in page.content
    client.post(
        url,
        {"action": "revoke", "_selected_action": [credential.pk], "confirm": "yes", "reason": ""},
    )
    assert Credential.objects.get(pk=credential.pk).revoked_at is None
    response = client.post(
        url,
        {
            "action": "revoke",
            "_selected_action": [credential.pk],
            "confirm": "yes",
            "reason": "Assessment taken by someone else",
        },
        follow=True,
    )
    assert b"1 credential(s) revoked" in response.content
    revoked = Credential.objects.get(pk=credential.pk)
    assert revoked.revocation_reason == "Assessment taken by someone else"
    assert revoked.revoked_by == recruiter
    assert not verify_credential(revoked.document).verified


def test_a_reviewer_cannot_open_the_credentials_admin(client, credential):
    client.force_login(staff_in_roles("reviewer", Role.REVIEWER))
    assert client.get("/admin/credentials/credential/").status_code == 403


def test_a_full_list_makes_way_for_a_new_one(version, settings):
    from tests.credentials.conftest import issue_for, take_attempt

    first = issue_for(take_attempt(version, email="a@example.com")[1])
    StatusList.objects.filter(pk=first.status_list_id).update(next_position=first.status_list.size)
    second = issue_for(take_attempt(version, email="b@example.com")[1])
    assert second.status_list_id != first.status_list_id
    assert verify_credential(second.document).verified


def test_index_positions_map_to_distinct_bits(db):
    status_list = services._new_status_list()
    indexes = {status_list.index_at(position) for position in range(4096)}
    assert len(indexes) == 4096
    assert all(0 <= index < status_list.size for index in indexes)
