"""Issuer keys: generated on first use outside the database, published as did:web, rotated."""

import io
import json
import stat

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from credentials import keys
from credentials.exceptions import IssuerKeyError
from credentials.models import IssuerKey
from credentials.proofs import private_key_from_multibase, public_key_to_multibase
from credentials.schemas import PROFILE, schema_errors
from credentials.verification import verify_credential
from tests.credentials.conftest import issue_for, take_attempt


@pytest.mark.parametrize(
    ("site_url", "did"),
    [
        ("https://hire.example.com", "did:web:hire.example.com"),
        ("http://127.0.0.1:8000", "did:web:127.0.0.1%3A8000"),
        ("https://Example.COM:8443/", "did:web:example.com%3A8443"),
        ("https://example.com/skillproof", "did:web:example.com:skillproof"),
    ],
)
def test_issuer_id_is_the_did_web_of_the_site_url(site_url, did):
    assert keys.did_web(site_url) == did


def test_key_is_made_on_first_use_in_a_private_file_not_in_the_database(db, settings):
    assert not IssuerKey.objects.exists()
    signing = keys.signing_key()
    record = IssuerKey.objects.get()
    path = settings.ISSUER_KEY_DIR / f"{record.kid}.key"
    secret = path.read_text().strip()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(settings.ISSUER_KEY_DIR.stat().st_mode) == 0o700
    assert public_key_to_multibase(private_key_from_multibase(secret).public_key()) == (
        record.public_key_multibase
    )
    assert record.public_key_multibase.startswith("z6Mk")
    # No column of any key row holds the secret.
    row = IssuerKey.objects.filter(pk=record.pk).values().get()
    assert secret not in json.dumps(row, default=str)
    assert signing.verification_method == f"did:web:testserver#{record.kid}"
    assert keys.signing_key().record == record  # the same key next time


def test_did_document_lists_every_key_as_a_multikey_assertion_method(client, db):
    first = keys.signing_key().record
    second = keys.rotate()
    response = client.get("/.well-known/did.json")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "max-age" in response["Cache-Control"]
    did = response.json()
    assert did["id"] == "did:web:testserver"
    methods = {method["id"]: method for method in did["verificationMethod"]}
    for key in (first, second):
        method = methods[f"did:web:testserver#{key.kid}"]
        assert method["type"] == "Multikey"
        assert method["controller"] == "did:web:testserver"
        assert method["publicKeyMultibase"] == key.public_key_multibase
        assert method["publicKeyMultibase"].startswith("z6Mk")
    assert set(did["assertionMethod"]) == set(methods)


def test_did_document_makes_the_first_key_when_none_exists(client, db):
    did = client.get("/.well-known/did.json").json()
    assert len(did["verificationMethod"]) == 1
    assert IssuerKey.objects.filter(is_active=True).count() == 1


def test_issuer_profile_validates_against_the_ob_profile_schema(client, db):
    response = client.get("/issuer")
    profile = response.json()
    assert profile["id"] == "did:web:testserver"
    assert profile["type"] == ["Profile"]
    assert profile["name"] == "Acme Hiring"
    assert schema_errors(profile, PROFILE) == []


def test_after_rotation_the_new_key_signs_and_old_credentials_still_verify(version):
    old = issue_for(take_attempt(version, email="old@example.com")[1])
    out = io.StringIO()
    call_command("rotate_issuer_key", stdout=out)
    assert "New signing key" in out.getvalue()
    new = issue_for(take_attempt(version, email="new@example.com")[1])
    assert old.issuer_key != new.issuer_key
    assert IssuerKey.objects.get(is_active=True) == new.issuer_key
    assert IssuerKey.objects.get(pk=old.issuer_key.pk).retired_at is not None
    for credential in (old, new):
        report = verify_credential(credential.document)
        assert report.verified, report.summary
    assert "retired key" in verify_credential(old.document).check("issuer").detail


def test_a_key_from_the_environment_signs_and_a_new_value_rotates(db, settings):
    settings.ISSUER_SECRET_KEY = keys.new_secret_multibase()
    first = keys.signing_key().record
    assert first.storage == IssuerKey.Storage.ENVIRONMENT
    assert not settings.ISSUER_KEY_DIR.exists()  # nothing written to disk
    with pytest.raises(IssuerKeyError, match="ISSUER_SECRET_KEY is set"):
        keys.rotate()
    settings.ISSUER_SECRET_KEY = keys.new_secret_multibase()
    second = keys.signing_key().record
    assert second != first
    assert list(IssuerKey.objects.filter(is_active=True)) == [second]
    assert IssuerKey.objects.count() == 2


def test_rotate_command_refuses_when_keys_come_from_the_environment(db, settings):
    settings.ISSUER_SECRET_KEY = keys.new_secret_multibase()
    with pytest.raises(CommandError, match="ISSUER_SECRET_KEY"):
        call_command("rotate_issuer_key")


def test_a_missing_key_file_is_a_clear_error(db, settings):
    record = keys.signing_key().record
    (settings.ISSUER_KEY_DIR / f"{record.kid}.key").unlink()
    with pytest.raises(IssuerKeyError, match="not readable"):
        keys.signing_key()
