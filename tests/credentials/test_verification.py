"""Verification: every check reported on its own, and a human sentence for each rejection."""

import copy
import io
import json
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.utils import timezone

from credentials.proofs import did_key, did_key_verification_method, sign
from credentials.proofs.examples import example_achievement_credential
from credentials.verification import verify_credential

CHECKS = ["proof", "issuer", "trust", "status", "validity", "schema"]


def statuses(report) -> dict[str, str]:
    return {check.name: check.status for check in report.checks}


def test_an_issued_credential_passes_every_check(credential):
    report = verify_credential(credential.document)
    assert report.verified
    assert report.outcome == "verified"
    assert [check.name for check in report.checks] == CHECKS
    assert set(statuses(report).values()) == {"passed"}
    assert report.summary.startswith("Verified: issued by Acme Hiring (this service)")
    assert report.credential["id"] == credential.urn


def _set(document, path, value):
    target = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value


@pytest.mark.parametrize(
    ("field_class", "path", "value", "failed", "sentence"),
    [
        (
            "subject",
            ("credentialSubject", "identifier", 0, "identityHash"),
            "sha256$" + "0" * 64,
            "proof",
            "changed after it was signed",
        ),
        (
            "achievement",
            ("credentialSubject", "achievement", "name"),
            "Senior Staff Engineer",
            "proof",
            "changed after it was signed",
        ),
        (
            "result",
            ("credentialSubject", "result", 0, "value"),
            "99",
            "proof",
            "changed after it was signed",
        ),
        ("issuer", ("issuer", "name"), "Famous Corp", "proof", "changed after it was signed"),
        ("issuer id", ("issuer", "id"), "did:web:famous.example", "issuer", "issuer is unknown"),
        ("dates", ("validUntil",), "2099-01-01T00:00:00Z", "proof", "changed after it was signed"),
        ("dates", ("validFrom",), "2020-01-01T00:00:00Z", "proof", "changed after it was signed"),
        (
            "proof",
            ("proof", 0, "proofValue"),
            "z" + "1" * 86,
            "proof",
            "proof is not valid",
        ),
        (
            "proof",
            ("proof", 0, "created"),
            "2020-01-01T00:00:00Z",
            "proof",
            "changed after it was signed",
        ),
    ],
)
def test_tampering_with_any_field_class_is_rejected(
    document, field_class, path, value, failed, sentence
):
    tampered = copy.deepcopy(document)
    _set(tampered, path, value)
    report = verify_credential(json.dumps(tampered))
    assert not report.verified, field_class
    assert report.check(failed).status == "failed"
    assert report.summary.startswith("Not verified:")
    assert sentence in report.summary


def test_an_expired_credential_is_rejected_with_its_date(credential):
    later = credential.valid_until + timedelta(days=1)
    report = verify_credential(credential.document, now=later)
    assert statuses(report)["validity"] == "failed"
    assert statuses(report)["proof"] == "passed"
    assert "expired on" in report.summary
    assert credential.valid_until.strftime("%B %Y") in report.summary


def test_a_credential_not_yet_valid_is_rejected(credential):
    report = verify_credential(credential.document, now=credential.issued_at - timedelta(hours=1))
    assert statuses(report)["validity"] == "failed"
    assert "not valid before" in report.summary


def _did_key_credential(status: bool = False) -> tuple[str, str]:
    """A credential signed by a fresh did:key, and that DID."""
    key = Ed25519PrivateKey.generate()
    issuer = did_key(key.public_key())
    document = example_achievement_credential(issuer_id=issuer)
    if not status:
        del document["credentialStatus"]
    document["validUntil"] = "2999-01-01T00:00:00Z"
    signed = sign(
        document, key, did_key_verification_method(key.public_key()), "2025-03-01T09:30:00Z"
    )
    return json.dumps(signed), issuer


def test_a_did_key_credential_verifies_offline_when_its_issuer_is_trusted(db, settings):
    credential, issuer = _did_key_credential()
    settings.VERIFY_TRUSTED_ISSUERS = [issuer]
    report = verify_credential(credential)
    assert report.verified, report.summary
    assert statuses(report)["status"] == "not_applicable"
    assert "did:key" in report.check("issuer").detail
    assert report.summary.startswith(f"Verified: issued by {issuer} (trusted)")


def test_a_status_list_published_elsewhere_could_not_be_checked(db, settings):
    credential, issuer = _did_key_credential(status=True)
    settings.VERIFY_TRUSTED_ISSUERS = [issuer]
    report = verify_credential(credential)
    assert not report.verified
    assert report.outcome == "incomplete"
    assert statuses(report)["status"] == "unchecked"
    assert statuses(report)["proof"] == "passed"
    assert "could not be checked" in report.summary


def test_an_unknown_issuer_is_rejected_without_any_fetch(document, db):
    key = Ed25519PrivateKey.generate()
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    unsigned["issuer"] = {**unsigned["issuer"], "id": "did:web:impostor.example"}
    signed = sign(unsigned, key, "did:web:impostor.example#key-1", timezone.now())
    report = verify_credential(json.dumps(signed))
    assert statuses(report)["issuer"] == "failed"
    assert statuses(report)["proof"] == "unchecked"
    assert "impostor.example" in report.check("issuer").detail
    assert "never does" in report.check("issuer").detail
    assert "issuer is unknown" in report.summary


def test_a_key_this_issuer_never_published_is_rejected(document):
    key = Ed25519PrivateKey.generate()
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    signed = sign(unsigned, key, "did:web:testserver#key-forged", timezone.now())
    report = verify_credential(json.dumps(signed))
    assert statuses(report)["issuer"] == "failed"
    assert "not one this issuer has ever published" in report.check("issuer").detail


def test_a_credential_breaking_the_ob_schema_fails_that_check(document, db):
    key = Ed25519PrivateKey.generate()
    unsigned = {k: v for k, v in document.items() if k not in ("proof", "credentialStatus")}
    unsigned["issuer"] = {**unsigned["issuer"], "id": did_key(key.public_key())}
    unsigned["credentialSubject"]["achievement"]["achievementType"] = "NotAType"
    signed = sign(unsigned, key, did_key_verification_method(key.public_key()), timezone.now())
    report = verify_credential(json.dumps(signed))
    assert statuses(report)["proof"] == "passed"
    assert statuses(report)["schema"] == "failed"
    assert "achievementType" in report.check("schema").detail


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ("not json at all", "not valid JSON"),
        ("[1, 2]", "JSON object"),
        ('{"a": "' + "x" * 300_000 + '"}', "limit"),
    ],
)
def test_input_that_is_not_a_readable_credential_is_refused(db, data, reason):
    report = verify_credential(data)
    assert not report.verified
    assert set(statuses(report).values()) == {"unchecked"}
    assert reason in report.summary


def test_api_reports_every_check(client, credential):
    response = client.post(
        "/api/credentials/verify", credential.document, content_type="application/json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["verified"] is True
    assert [check["name"] for check in body["checks"]] == CHECKS
    assert {check["label"] for check in body["checks"]} >= {"Proof valid", "Issuer key known"}
    tampered = credential.document.replace("Small support scenario", "Large support scenario")
    body = client.post("/api/credentials/verify", tampered, content_type="application/json").json()
    assert body["verified"] is False
    assert body["outcome"] == "failed"


def test_api_refuses_a_body_over_the_limit(client, db):
    response = client.post(
        "/api/credentials/verify", "x" * 300_000, content_type="application/json"
    )
    assert response.status_code == 413
    assert response.json()["verified"] is False


def test_verify_command_prints_the_report_and_exits_zero_only_when_all_pass(
    credential, tmp_path, monkeypatch
):
    good = tmp_path / "good.json"
    good.write_text(credential.document)
    out = io.StringIO()
    call_command("verify_credential", str(good), stdout=out)
    assert json.loads(out.getvalue())["verified"] is True

    bad = tmp_path / "bad.json"
    bad.write_text(credential.document.replace("Acme Hiring", "Acme Hiring Ltd"))
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_credential", str(bad), stdout=out)
    assert exit_info.value.code == 1
    assert json.loads(out.getvalue())["verified"] is False

    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(credential.document.encode())))
    out = io.StringIO()
    call_command("verify_credential", "-", stdout=out)
    assert json.loads(out.getvalue())["outcome"] == "verified"


def test_export_command_writes_each_credential_as_uuid_json(version, credential, tmp_path):
    out = io.StringIO()
    call_command("export_credentials", "--output", str(tmp_path / "backup"), stdout=out)
    exported = tmp_path / "backup" / f"{credential.public_id}.json"
    assert exported.read_text() == credential.document
    assert verify_credential(exported.read_bytes()).verified


def test_verify_page_checks_pasted_json_an_upload_and_a_share_link(client, credential):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from credentials.services import create_share_link

    page = client.post("/verify/", {"credential": credential.document})
    assert page.status_code == 200
    assert page.context["report"].verified
    assert b'data-outcome="verified"' in page.content
    assert b"Judgement" in page.content  # the credential's display follows the report

    upload = SimpleUploadedFile("c.json", credential.document.encode(), "application/json")
    page = client.post("/verify/", {"file": upload})
    assert page.context["report"].verified

    _share, token = create_share_link(credential)
    page = client.post("/verify/", {"link": f"http://testserver/c/{token}/"})
    assert page.context["report"].verified
    page = client.get(f"/verify/?share={token}")
    assert page.context["report"].verified

    page = client.post("/verify/", {"link": "https://elsewhere.example/c/abc/"})
    assert page.status_code == 400
    assert "Only share links of this service" in page.context["error"]

    tampered = credential.document.replace('"100"', '"99"', 1)
    page = client.post("/verify/", {"credential": tampered})
    assert b'data-outcome="failed"' in page.content
    assert "Not verified" in page.context["report"].summary
