"""The public verifier says "verified" only for issuers this deployment trusts, and never turns
a URL from a submitted credential into a script link.

Anyone can generate a did:key and sign a credential naming "Skillproof" as its issuer: the
signature is valid, but it proves nothing about who made it.
"""

import io
import json
import re

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command

from credentials.proofs import did_key, did_key_verification_method, sign
from credentials.proofs.examples import example_achievement_credential
from credentials.verification import verify_credential

UNTRUSTED_HEADLINE = "Signature valid, issuer not trusted"
HEADLINE = re.compile(r'class="report-title"[^>]*>([^<]*)<')
HREF = re.compile(r'href="([^"]*)"')


def forged_credential(**issuer_fields) -> tuple[str, str]:
    """A credential signed by a freshly generated did:key that calls itself "Skillproof"."""
    key = Ed25519PrivateKey.generate()
    issuer = did_key(key.public_key())
    document = example_achievement_credential(issuer_id=issuer)
    del document["credentialStatus"]  # nothing left that could not be checked
    document["issuer"].update({"name": "Skillproof", **issuer_fields})
    signed = sign(
        document, key, did_key_verification_method(key.public_key()), "2025-03-01T09:30:00Z"
    )
    return json.dumps(signed), issuer


@pytest.fixture
def forged(settings) -> tuple[str, str]:
    settings.ISSUER_NAME = "Skillproof"
    return forged_credential()


def test_a_forged_did_key_credential_named_after_this_issuer_is_not_verified(db, forged):
    credential, issuer = forged
    report = verify_credential(credential)
    assert not report.verified
    assert report.outcome == "untrusted"
    assert report.check("proof").status == "passed"
    assert report.check("trust").status == "failed"
    assert "Anyone can make such a key" in report.check("trust").detail
    assert "proves nothing" in report.check("trust").detail
    assert report.summary.startswith(UNTRUSTED_HEADLINE)
    assert issuer in report.summary
    # The name inside the document is never what a verdict announces.
    assert "Skillproof" not in report.summary


def test_the_verify_page_says_the_issuer_is_not_trusted(client, forged):
    credential, _issuer = forged
    page = client.post("/verify/", {"credential": credential})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-outcome="untrusted"' in html
    assert HEADLINE.findall(html) == [UNTRUSTED_HEADLINE]
    assert "<title>Issuer not trusted" in html
    assert "issued by Skillproof" not in html


def test_the_api_says_the_issuer_is_not_trusted(client, forged):
    credential, _issuer = forged
    body = client.post(
        "/api/credentials/verify", credential, content_type="application/json"
    ).json()
    assert body["verified"] is False
    assert body["outcome"] == "untrusted"
    assert body["summary"].startswith(UNTRUSTED_HEADLINE)
    trust = next(check for check in body["checks"] if check["name"] == "trust")
    assert trust["status"] == "failed"


def test_the_command_exits_one_for_an_untrusted_issuer(db, forged, tmp_path):
    credential, _issuer = forged
    path = tmp_path / "forged.json"
    path.write_text(credential)
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_credential", str(path), stdout=out)
    assert exit_info.value.code == 1
    assert json.loads(out.getvalue())["outcome"] == "untrusted"


def test_an_issuer_on_the_trust_list_verifies(db, forged, settings):
    credential, issuer = forged
    settings.VERIFY_TRUSTED_ISSUERS = [issuer]
    report = verify_credential(credential)
    assert report.verified, report.summary
    assert report.summary.startswith(f"Verified: issued by {issuer} (trusted)")


def test_a_trust_list_entry_that_is_not_a_did_is_refused(db, forged, settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.VERIFY_TRUSTED_ISSUERS = ["Skillproof"]
    with pytest.raises(ImproperlyConfigured, match="never by name"):
        verify_credential(forged[0])


@pytest.mark.parametrize("scheme", ["javascript", "JavaScript", "data"])
def test_a_script_url_in_a_submitted_credential_never_becomes_a_link(client, db, scheme):
    url = f"{scheme}:alert(document.cookie)"
    credential, _issuer = forged_credential(url=url)
    document = json.loads(credential)
    document["credentialSubject"]["achievement"]["alignment"][0]["targetUrl"] = url
    document["evidence"] = [
        {"id": url, "type": ["Evidence"], "name": "Portfolio"},
        {"id": "https://portfolio.example/ada", "type": ["Evidence"], "name": "Write-up"},
    ]
    page = client.post("/verify/", {"credential": json.dumps(document)})
    html = page.content.decode()
    assert "Skillproof" in html  # the claimed issuer is shown, as text
    links = HREF.findall(html)
    assert all(link.startswith(("/", "#", "http://", "https://")) for link in links), links
    assert "https://portfolio.example/ada" in links  # web links still work
