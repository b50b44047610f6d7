"""Request limits: an oversized body is refused before it is read, and one verification request
has one time budget however many credentials a CLR holds."""

import io
import json
import time

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.test import Client

from tests.credentials.test_proofs_safety import minimal_credential, poison_graph, sign_with

MB = 1024 * 1024


class UnreadableBody(io.RawIOBase):
    """A request body that fails the test if anything reads it."""

    def read(self, size=-1):
        raise AssertionError("the oversized body was read")

    readline = read


def post_declaring(path: str, size: int):
    """POST a multipart form whose Content-Length says `size`, with CSRF checks on (the CSRF
    middleware parses the form before any view, which is where a late check would be)."""
    return Client(enforce_csrf_checks=True).generic(
        "POST",
        path,
        data=b"x",
        content_type="multipart/form-data; boundary=xyz",
        CONTENT_LENGTH=str(size),
        **{"wsgi.input": UnreadableBody()},
    )


def test_a_60_mb_upload_to_the_verifier_is_refused_before_it_is_read(db):
    response = post_declaring("/verify/", 60 * MB)
    assert response.status_code == 413
    html = response.content.decode()
    assert "You sent 60.0\xa0MB" in html
    assert "refused before any of it was read" in html


def test_the_verifier_refuses_anything_much_larger_than_a_credential(db):
    assert post_declaring("/verify/", 2 * MB).status_code == 413


def test_every_other_page_has_a_cap_too(db, settings):
    response = post_declaring("/ler/sign-in", settings.MAX_REQUEST_BYTES + 1)
    assert response.status_code == 413


def test_upload_settings_are_capped(settings):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= MB
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= MB


# --- One time budget per verification request ---------------------------------------------------


def slow_credential(key: Ed25519PrivateKey) -> dict:
    """A credential whose canonicalisation runs into the per-document time limit."""
    signed = sign_with(key, minimal_credential())
    signed["credentialSubject"] = poison_graph(9)["@graph"]
    return signed


@pytest.fixture
def slow_clr() -> str:
    """A CLR (unsigned: its own proof fails at once) holding 20 slow credentials."""
    key = Ed25519PrivateKey.generate()
    return json.dumps(
        {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential", "ClrCredential"],
            "issuer": "did:example:anyone",
            "credentialSubject": {
                "type": ["ClrSubject"],
                "verifiableCredential": [slow_credential(key) for _ in range(20)],
            },
        }
    )


def test_a_20_credential_clr_is_cut_off_within_the_request_budget(db, settings, slow_clr, tmp_path):
    settings.VERIFY_REQUEST_SECONDS = 1.0
    path = tmp_path / "clr.json"
    path.write_text(slow_clr)
    out = io.StringIO()
    started = time.monotonic()
    with pytest.raises(SystemExit):
        call_command("verify_credential", str(path), stdout=out)
    elapsed = time.monotonic() - started
    # The budget, the worker's kill grace and a margin for a loaded machine; it was 20 times 2 s.
    assert elapsed < 4.0
    report = json.loads(out.getvalue())
    assert report["outcome"] == "failed"
    embedded = next(check for check in report["checks"] if check["name"] == "embedded")
    assert embedded["status"] == "failed"
    assert "#1 " in embedded["detail"]
    assert "Credentials #2 to #20 were not checked" in embedded["detail"]


def test_anonymous_callers_get_fewer_embedded_credentials_checked(client, db, settings, slow_clr):
    settings.VERIFY_MAX_EMBEDDED_ANONYMOUS = 10
    started = time.monotonic()
    body = client.post("/api/credentials/verify", slow_clr, content_type="application/json").json()
    assert time.monotonic() - started < 2.0
    embedded = next(check for check in body["checks"] if check["name"] == "embedded")
    assert embedded["status"] == "unchecked"
    assert "holds 20 credentials, more than the 10" in embedded["detail"]
    assert body["verified"] is False
