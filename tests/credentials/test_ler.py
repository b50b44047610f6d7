"""The learner's record: one-time email links, the list, downloads, share links, CLR export."""

import hashlib
import json
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from credentials import services
from credentials.models import LearnerRecord, LerAccessToken, ShareLink
from credentials.verification import verify_credential
from tests.credentials.conftest import issue_for, take_attempt
from tests.support.outbox import send_queued_emails


def sign_in(client: Client, record: LearnerRecord) -> None:
    token = services.create_ler_token(record, timedelta(minutes=5))
    response = client.post(f"/ler/open/{token}")
    assert response.status_code == 302


@pytest.fixture
def signed_in(client, credential) -> Client:
    sign_in(client, credential.record)
    return client


def test_sign_in_link_is_emailed_only_for_a_known_address_with_the_same_answer(client, credential):
    known = client.post("/ler/sign-in", {"email": "ADA@example.com "})
    unknown = client.post("/ler/sign-in", {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 200
    assert b"If <strong>" in known.content and b"If <strong>" in unknown.content
    assert send_queued_emails("ler:") == 1
    [message] = mail.outbox
    assert message.to == ["ADA@example.com"]
    link = re.search(r"http://testserver(/ler/open/\S+)", message.body).group(1)
    token = link.rsplit("/", 1)[1]
    stored = LerAccessToken.objects.get(token_hash=hashlib.sha256(token.encode()).hexdigest())
    assert stored.record == credential.record
    assert token not in json.dumps(list(LerAccessToken.objects.values()), default=str)


def test_sign_in_links_are_rate_limited(client, credential, settings):
    settings.LER_LINKS_PER_HOUR = 3  # the link in the credential's own email counts too
    for _ in range(4):
        client.post("/ler/sign-in", {"email": "ada@example.com"})
    assert send_queued_emails("ler:") == 2
    assert len(mail.outbox) == 2


def test_a_link_opens_the_record_once_after_a_confirmation(client, credential):
    token = services.create_ler_token(credential.record, timedelta(minutes=5))
    confirm = client.get(f"/ler/open/{token}")  # what a mail scanner fetches: no sign-in
    assert b"Open my record" in confirm.content
    assert "credentials_ler_record" not in client.session
    assert client.post(f"/ler/open/{token}").status_code == 302
    assert client.session["credentials_ler_record"] == str(credential.record.public_id)
    other = Client()
    reused = other.post(f"/ler/open/{token}")
    assert reused.status_code == 400
    assert b"already been used" in reused.content


def test_an_expired_link_does_not_open_the_record(client, credential):
    token = services.create_ler_token(credential.record, timedelta(minutes=5))
    LerAccessToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.post(f"/ler/open/{token}")
    assert response.status_code == 400
    assert b"expired" in response.content


def test_the_record_lists_credentials_with_skills_levels_issuer_dates_and_status(
    signed_in, credential
):
    page = signed_in.get("/ler/")
    html = page.content.decode()
    assert "Ada Candidate" in html
    assert "Small support scenario" in html
    assert "Judgement" in html and "Writing" in html and "Advanced" in html
    assert "Issued by Acme Hiring" in html
    assert credential.issued_at.strftime("%B %Y") in html
    assert ">Active<" in html


def test_without_a_session_the_record_asks_for_an_email(client, credential):
    page = client.get("/ler/")
    assert b"Email me a sign-in link" in page.content
    page = client.get(f"/ler/credentials/{credential.public_id}/")
    assert b"Sign in to your record" in page.content
    assert client.get(f"/ler/credentials/{credential.public_id}/credential.json").status_code == 404


def test_after_signing_in_from_a_credential_link_the_browser_returns_to_it(client, credential):
    client.get(f"/ler/credentials/{credential.public_id}/")
    token = services.create_ler_token(credential.record, timedelta(minutes=5))
    response = client.post(f"/ler/open/{token}")
    assert response["Location"] == f"/ler/credentials/{credential.public_id}/"


def test_download_returns_the_signed_bytes(signed_in, credential):
    response = signed_in.get(f"/ler/credentials/{credential.public_id}/credential.json")
    assert response.status_code == 200
    assert response.content.decode() == credential.document
    assert "attachment" in response["Content-Disposition"]


def test_another_candidates_credential_is_out_of_reach(signed_in, version):
    other = issue_for(take_attempt(version, email="bob@example.com", name="Bob")[1])
    assert signed_in.get(f"/ler/credentials/{other.public_id}/").status_code == 404
    assert signed_in.get(f"/ler/credentials/{other.public_id}/credential.json").status_code == 404
    assert signed_in.post(f"/ler/credentials/{other.public_id}/share").status_code == 404
    share, _token = services.create_share_link(other)
    assert signed_in.post(f"/ler/shares/{share.pk}/delete").status_code == 404
    assert ShareLink.objects.filter(pk=share.pk).exists()


def test_share_link_page_verifies_live_and_counts_views(signed_in, credential):
    response = signed_in.post(
        f"/ler/credentials/{credential.public_id}/share",
        {"label": "Acme application", "expires_in_days": "30"},
    )
    assert response.status_code == 302
    share = ShareLink.objects.get()
    assert share.label == "Acme application"
    assert (share.expires_at - timezone.now()).days in (29, 30)
    shown = signed_in.get(response["Location"]).context["new_share"]
    token = shown["url"].removeprefix("http://testserver/c/").rstrip("/")

    public = Client()
    page = public.get(f"/c/{token}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    assert 'data-outcome="verified"' in html
    assert "Complete the scenario assessment" in html  # the criteria
    assert "Making Decisions and Solving Problems" in html  # an alignment
    assert "O*NET" in html and "ESCO" in html
    assert "Advanced" in html and "Score <strong>100</strong>" in html  # result per skill
    public.get(f"/c/{token}/")
    share.refresh_from_db()
    assert share.view_count == 2
    download = public.get(f"/c/{token}/credential.json")
    assert download.content.decode() == credential.document


def test_linkedin_link_encodes_every_parameter_and_points_to_the_share_page(signed_in, credential):
    _share, token = services.create_share_link(credential)
    page = Client().get(f"/c/{token}/")
    url = page.context["linkedin_url"]
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://www.linkedin.com/profile/add"
    query = parse_qs(parts.query)
    assert query["startTask"] == ["CERTIFICATION_NAME"]
    assert query["name"] == ["Small support scenario"]
    assert query["organizationName"] == ["Acme Hiring"]
    assert query["issueYear"] == [str(credential.issued_at.year)]
    assert query["issueMonth"] == [str(credential.issued_at.month)]
    assert query["expirationYear"] == [str(credential.valid_until.year)]
    assert query["certUrl"] == [f"http://testserver/c/{token}/"]
    assert query["certId"] == [str(credential.public_id)]
    assert "urn:uuid" not in url
    assert " " not in url and "Small%20support%20scenario" in url
    assert "http%3A%2F%2Ftestserver%2Fc%2F" in url


def test_deleting_a_share_link_takes_effect_immediately(signed_in, credential):
    share, token = services.create_share_link(credential)
    public = Client()
    assert public.get(f"/c/{token}/").status_code == 200
    response = signed_in.post(f"/ler/shares/{share.pk}/delete")
    assert response.status_code == 302
    gone = public.get(f"/c/{token}/")
    assert gone.status_code == 404
    assert b"deleted it" in gone.content
    assert public.get(f"/c/{token}/credential.json").status_code == 404
    assert "no-store" in gone["Cache-Control"]


def test_an_expired_share_link_stops_working(credential, client):
    share, token = services.create_share_link(credential, expires_in_days=1)
    ShareLink.objects.filter(pk=share.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.get(f"/c/{token}/")
    assert response.status_code == 404
    assert b"expired" in response.content


def test_a_revoked_credential_shows_revoked_on_its_share_page(credential, client):
    from django.contrib.auth import get_user_model

    _share, token = services.create_share_link(credential)
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    services.revoke_credential(credential, reason="fraud", user=admin)
    page = client.get(f"/c/{token}/")
    assert b'data-outcome="failed"' in page.content
    assert b"revoked this credential" in page.content


def test_clr_export_holds_the_credentials_and_verifies(signed_in, credential, version):
    second = issue_for(take_attempt(version, email="ada@example.com")[1])
    assert second.record == credential.record
    response = signed_in.post("/ler/export")
    assert response.status_code == 200
    clr = json.loads(response.content)
    assert clr["@context"][:2] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
    ]
    assert clr["type"] == ["VerifiableCredential", "ClrCredential"]
    subject = clr["credentialSubject"]
    assert subject["type"] == ["ClrSubject"]
    ids = {inner["id"] for inner in subject["verifiableCredential"]}
    assert ids == {credential.urn, second.urn}
    report = verify_credential(response.content)
    assert report.verified, report.summary
    assert report.check("embedded").status == "passed"
    # A changed credential inside breaks the CLR's own proof and its own.
    subject["verifiableCredential"][0]["name"] = "Changed"
    tampered = verify_credential(json.dumps(clr))
    assert tampered.check("proof").status == "failed"
    assert tampered.check("embedded").status == "failed"


def test_a_holder_did_names_the_subject_of_later_credentials(signed_in, credential, version):
    did = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    response = signed_in.post("/ler/settings", {"subject_did": did})
    assert response.status_code == 302
    later = issue_for(take_attempt(version, email="ada@example.com")[1])
    assert json.loads(later.document)["credentialSubject"]["id"] == did
    assert verify_credential(later.document).verified
    bad = signed_in.post("/ler/settings", {"subject_did": "not a did"}, follow=True)
    assert b"A DID looks like" in bad.content


def test_public_assessment_page_shows_the_rubric_but_no_keys_or_answers(client, credential):
    page = client.get("/assessments/small-support/v1/")
    html = page.content.decode()
    assert "Judgement" in html and "Writing" in html
    assert "Not yet (0)" in html and "Strong (2)" in html  # rubric levels with points
    assert "Making Decisions and Solving Problems" in html
    assert "at least 50 / 100" in html
    for secret in (
        "Check the payment log",  # option text
        "Facts first.",  # option rationale
        "What do you do first?",  # prompt
        "Sound judgement.",  # level descriptor
        "You put the customer first.",  # feedback
        "Apologise and refund today",
    ):
        assert secret not in html, secret
    assert client.get("/assessments/small-support/v9/").status_code == 404


def test_a_verifier_can_check_the_holders_email_against_the_hash(credential, client):
    _share, token = services.create_share_link(credential)
    match = client.post(f"/c/{token}/holder", {"email": " Ada@Example.com"})
    assert match.context["holder_check"]["matches"] is True
    assert b"It matches" in match.content
    other = client.post(f"/c/{token}/holder", {"email": "eve@example.com"})
    assert other.context["holder_check"]["matches"] is False
    assert b"It does not match" in other.content


def test_erasing_a_record_deletes_it_with_its_links_but_keeps_credentials(credential):
    services.create_share_link(credential)
    services.create_ler_token(credential.record, timedelta(minutes=5))
    services.set_subject_did(credential.record, "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2Qt")
    removed = services.erase_learner_record("Ada@Example.com")
    # Two sign-in links: this one and the one the credential's email carried.
    assert removed == {"record": True, "share_links": 1, "sign_in_links": 2}
    assert not LearnerRecord.objects.exists()
    credential.refresh_from_db()
    assert credential.record is None
    assert verify_credential(credential.document).verified
    assert services.erase_learner_record("nobody@example.com")["record"] is False
