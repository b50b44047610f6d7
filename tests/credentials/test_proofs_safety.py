"""What the proofs core refuses: unknown contexts, unsigned data, unsafe characters, big input."""

import json
import re
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pyld import jsonld

from credentials.proofs import (
    CONTEXT_FILES,
    DEFAULT_LIMITS,
    VERIFY_LIMITS,
    CanonicalizationTimeout,
    DocumentTooLarge,
    InvalidDocumentError,
    Limits,
    UnknownContextError,
    UnsafeDocumentError,
    canonicalize,
    clear_context_cache,
    did_key,
    did_key_verification_method,
    document_loader,
    resolve_did_key,
    sign,
    verify,
)
from credentials.proofs.examples import example_achievement_credential
from credentials.proofs.loader import OB_V3P0, OB_V3P0_EXTENSIONS, VC_V2, jsonld_options

CREATED = "2025-03-01T09:30:00Z"


@pytest.fixture
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def sign_with(key: Ed25519PrivateKey, document: dict) -> dict:
    """Sign as the issuer the document names: make that issuer the key's did:key."""
    issuer = did_key(key.public_key())
    if isinstance(document.get("issuer"), dict):
        document = {**document, "issuer": {**document["issuer"], "id": issuer}}
    else:
        document = {**document, "issuer": issuer}
    return sign(document, key, did_key_verification_method(key.public_key()), CREATED)


def minimal_credential(**changes) -> dict:
    credential = {
        "@context": [VC_V2],
        "id": "urn:uuid:0b1c2d3e-0000-4000-8000-000000000001",
        "type": ["VerifiableCredential"],
        "issuer": "https://skillproof.example/issuers/acme",
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:candidate"},
    }
    credential.update(changes)
    return credential


# --- The offline document loader --------------------------------------------------------------


EXPECTED_URLS = {
    "https://www.w3.org/ns/credentials/v2",
    "https://www.w3.org/ns/credentials/examples/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
    "https://w3id.org/security/data-integrity/v1",
    "https://www.w3.org/ns/did/v1",
    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
}


def test_loader_serves_exactly_the_bundled_contexts():
    assert set(CONTEXT_FILES) == EXPECTED_URLS
    for url in EXPECTED_URLS:
        remote = document_loader(url)
        assert remote["documentUrl"] == url
        assert "@context" in remote["document"]


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/context.json",
        "http://www.w3.org/ns/credentials/v2",  # not the exact URL
        "https://www.w3.org/ns/credentials/v2/",
        "https://www.w3.org/2018/credentials/v1",  # VC 1.1: not bundled
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",
    ],
)
def test_loader_refuses_any_other_url(url):
    with pytest.raises(UnknownContextError, match="not one of the bundled contexts") as raised:
        document_loader(url)
    assert raised.value.url == url


def test_loader_hands_out_copies():
    document_loader(VC_V2)["document"]["@context"]["name"] = "https://evil.example/name"
    assert document_loader(VC_V2)["document"]["@context"]["name"] == "https://schema.org/name"


def test_unknown_context_raises_when_canonicalising_and_signing(key):
    credential = minimal_credential(**{"@context": [VC_V2, "https://example.com/ctx.json"]})
    with pytest.raises(UnknownContextError, match=re.escape("example.com/ctx.json")):
        canonicalize(credential)
    with pytest.raises(UnknownContextError):
        sign_with(key, credential)


def test_unknown_context_fails_verification_with_the_error(key):
    signed = sign_with(key, minimal_credential())
    signed["@context"].append("https://example.com/ctx.json")
    result = verify(signed, resolve_did_key)
    assert result.check("canonicalization").status == "failed"
    assert isinstance(result.error, UnknownContextError)
    assert "https://example.com/ctx.json" in result.reason


def test_an_unknown_context_imported_by_an_inline_context_is_refused():
    credential = minimal_credential(
        **{"@context": [VC_V2, {"@import": "https://example.com/ctx.json"}]}
    )
    with pytest.raises(UnknownContextError):
        canonicalize(credential)


def test_pyld_default_network_loader_is_never_used(key, monkeypatch):
    def network(url, options=None):
        raise AssertionError(f"pyld's default loader was asked for {url}")

    monkeypatch.setattr(jsonld, "_default_document_loader", network)
    clear_context_cache()
    signed = sign_with(key, example_achievement_credential())
    assert verify(signed, resolve_did_key, limits=DEFAULT_LIMITS).verified


def test_context_cache_can_be_cleared_without_changing_results():
    credential = example_achievement_credential()
    warm = canonicalize(credential)
    clear_context_cache()
    assert canonicalize(credential) == warm


# --- Data the signature would not cover -------------------------------------------------------


def test_an_undefined_term_is_refused_by_name(key):
    credential = minimal_credential(favouriteColour="blue")
    with pytest.raises(UnsafeDocumentError, match=r"'favouriteColour'.*\$\.favouriteColour"):
        sign_with(key, credential)


def test_an_undefined_nested_term_is_refused_with_its_path(key):
    credential = example_achievement_credential()
    credential["credentialSubject"]["achievement"]["difficulty"] = "hard"
    with pytest.raises(
        UnsafeDocumentError, match=r"'difficulty'.*\$\.credentialSubject\.achievement\.difficulty"
    ):
        sign_with(key, credential)


def test_several_undefined_terms_are_all_named():
    credential = minimal_credential(alpha=1, credentialSubject={"id": "did:ex:1", "beta": 2})
    with pytest.raises(UnsafeDocumentError, match="The terms 'alpha', 'beta' are not defined"):
        canonicalize(credential)


def test_a_keyword_like_property_is_refused():
    with pytest.raises(UnsafeDocumentError, match="'@secret'"):
        canonicalize(minimal_credential(**{"@secret": "x"}))


def test_a_term_mapped_to_null_is_refused():
    credential = minimal_credential(
        **{"@context": [VC_V2, {"hidden": None}], "hidden": "not signed"}
    )
    with pytest.raises(UnsafeDocumentError, match="mapped to null"):
        canonicalize(credential)


def test_an_example_credential_has_no_undefined_terms(key):
    signed = sign_with(key, example_achievement_credential())
    assert verify(signed, resolve_did_key).verified


@pytest.mark.parametrize(
    "changes",
    [
        {"id": "credentials/42"},
        {"id": ""},
        {"issuer": "acme"},
        {"type": ["VerifiableCredential", "SkillCredential"]},
        {"credentialSubject": {"id": "../candidates/7"}},
    ],
)
def test_a_relative_iri_is_refused(key, changes):
    with pytest.raises(UnsafeDocumentError, match="relative IRI"):
        sign(
            minimal_credential(**changes),
            key,
            did_key_verification_method(key.public_key()),
            CREATED,
        )


def test_a_relative_iri_fails_verification(key):
    signed = sign_with(key, minimal_credential())
    signed["credentialSubject"]["id"] = "candidates/7"
    result = verify(signed, resolve_did_key)
    assert result.check("canonicalization").status == "failed"
    assert "relative IRI 'candidates/7'" in result.reason


def test_an_embedded_base_is_refused():
    # With "@base": null pyld would drop relative IRIs silently instead of resolving them.
    credential = minimal_credential(**{"@context": [VC_V2, {"@base": None}], "id": "x"})
    with pytest.raises(UnsafeDocumentError, match="@base"):
        canonicalize(credential)


# --- Characters and numbers other processors would canonicalise differently -------------------


@pytest.mark.parametrize(
    "character", ["\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x0e", "\x1f", "\x7f", "\ud800"]
)
def test_a_character_pyld_cannot_escape_is_refused_in_values(key, character):
    credential = minimal_credential(name=f"Incident{character}Response")
    with pytest.raises(UnsafeDocumentError, match=f"U\\+{ord(character):04X}") as raised:
        sign_with(key, credential)
    assert "$.name" in str(raised.value)


def test_a_control_character_is_refused_in_property_names():
    credential = minimal_credential(**{"na\x01me": "x"})
    with pytest.raises(UnsafeDocumentError, match="property name"):
        canonicalize(credential)


def test_a_control_character_fails_verification(key):
    signed = sign_with(key, minimal_credential(name="Incident response"))
    signed["name"] = "Incident\x08response"
    result = verify(signed, resolve_did_key)
    assert result.check("document").status == "failed"
    assert "U+0008" in result.reason


def test_tab_newline_and_carriage_return_are_signed_and_verified(key):
    signed = sign_with(key, minimal_credential(description="Line one\r\nLine two\tend"))
    assert verify(signed, resolve_did_key).verified
    assert "Line one\\r\\nLine two\\tend" in canonicalize(
        {k: v for k, v in signed.items() if k != "proof"}
    )


def test_pyld_still_writes_backspace_raw():
    """Pins the pyld behaviour the refusal works around; if this fails, revisit the list."""
    credential = minimal_credential(name="a\bb")
    nquads = jsonld.normalize(
        credential, jsonld_options(algorithm="URDNA2015", format="application/n-quads")
    )
    assert '"a\bb"' in nquads


def test_an_integer_beyond_2_to_the_53_is_refused():
    credential = example_achievement_credential()
    credential["credentialSubject"]["creditsEarned"] = 2**53 + 1
    with pytest.raises(UnsafeDocumentError, match="2\\^53"):
        canonicalize(credential)


def test_non_finite_numbers_and_non_json_values_are_refused():
    with pytest.raises(InvalidDocumentError, match="not finite"):
        canonicalize(minimal_credential(extra=float("nan")))
    with pytest.raises(InvalidDocumentError, match="tuple"):
        canonicalize(minimal_credential(type=("VerifiableCredential",)))
    result = verify('{"a": NaN}', resolve_did_key)
    assert result.check("document").status == "failed"


# --- Size, depth and time ---------------------------------------------------------------------


def test_an_oversized_document_is_refused(key):
    credential = minimal_credential(description="x" * (256 * 1024))
    with pytest.raises(DocumentTooLarge, match="262144 bytes"):
        sign_with(key, credential)


def test_oversized_input_fails_verification_before_parsing():
    text = json.dumps(minimal_credential(description="x" * 300_000))
    result = verify(text, resolve_did_key)
    assert not result.verified
    assert result.check("document").status == "failed"
    assert isinstance(result.error, DocumentTooLarge)
    assert "limit is 262144 bytes" in result.reason


def test_the_size_limit_is_configurable(key):
    signed = sign_with(key, example_achievement_credential())
    result = verify(signed, resolve_did_key, limits=Limits(max_bytes=2048, isolate=True))
    assert isinstance(result.error, DocumentTooLarge)


def test_a_deeply_nested_document_is_refused():
    nested: dict = {"id": "did:example:leaf"}
    for _ in range(40):
        nested = {"id": "did:example:node", "credentialSubject": nested}
    with pytest.raises(DocumentTooLarge, match="deeper than 32 levels"):
        canonicalize(minimal_credential(credentialSubject=nested))


def test_too_many_context_references_are_refused():
    credential = minimal_credential(**{"@context": [VC_V2, OB_V3P0] * 200})
    with pytest.raises(DocumentTooLarge, match="more than 256 JSON-LD contexts"):
        canonicalize(credential)


def poison_graph(size: int) -> dict:
    """Blank nodes all linked to each other: RDFC-1.0 must try every permutation."""
    nodes = [
        {
            "@id": f"_:n{i}",
            "https://example.org/p": [{"@id": f"_:n{j}"} for j in range(size) if j != i],
        }
        for i in range(size)
    ]
    return {"@graph": nodes}


def test_a_poison_graph_times_out_in_process():
    started = time.monotonic()
    with pytest.raises(CanonicalizationTimeout, match=re.escape("0.3 s")):
        canonicalize(poison_graph(9), Limits(max_seconds=0.3))
    assert time.monotonic() - started < 1.0


def many_values_on_one_property(count: int) -> dict:
    """pyld's node map scans a property's values for duplicates: n values cost n²."""
    return minimal_credential(
        **{"@context": [VC_V2, OB_V3P0]},
        credentialSubject=[{"id": f"did:example:{i}"} for i in range(count)],
    )


def test_work_pyld_cannot_interrupt_is_stopped_by_killing_the_worker():
    limits = Limits(max_seconds=0.5, isolate=True)
    canonicalize(minimal_credential(), limits)  # the worker is running
    started = time.monotonic()
    with pytest.raises(CanonicalizationTimeout, match="was stopped"):
        canonicalize(many_values_on_one_property(6000), limits)
    assert time.monotonic() - started < 2.0
    # The next call starts a new worker.
    assert canonicalize(minimal_credential(), limits) == canonicalize(minimal_credential())


def test_a_poison_graph_fails_verification_within_the_budget(key):
    signed = sign_with(key, minimal_credential())
    signed["credentialSubject"] = poison_graph(9)["@graph"]
    started = time.monotonic()
    result = verify(signed, resolve_did_key, limits=Limits(max_seconds=0.5, isolate=True))
    assert isinstance(result.error, CanonicalizationTimeout)
    assert time.monotonic() - started < 2.0


def test_worker_and_in_process_errors_are_the_same():
    credential = minimal_credential(favouriteColour="blue")
    with pytest.raises(UnsafeDocumentError) as in_process:
        canonicalize(credential)
    with pytest.raises(UnsafeDocumentError) as in_worker:
        canonicalize(credential, VERIFY_LIMITS)
    assert str(in_worker.value) == str(in_process.value)


def test_a_credential_schema_needs_the_ob_extensions_context():
    schema = {
        "id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json",
        "type": "1EdTechJsonSchemaValidator2019",
    }
    credential = example_achievement_credential()
    credential["credentialSchema"] = [schema]
    with pytest.raises(UnsafeDocumentError, match="'1EdTechJsonSchemaValidator2019'"):
        canonicalize(credential)
    credential["@context"] = [VC_V2, OB_V3P0, OB_V3P0_EXTENSIONS]
    assert "1EdTechJsonSchemaValidator2019" in canonicalize(credential)


def test_concurrent_canonicalisation_gives_the_same_answer():
    credentials = [
        example_achievement_credential(status_index=index, credential_id=f"urn:uuid:{index}")
        for index in range(24)
    ]
    expected = [canonicalize(credential) for credential in credentials]
    clear_context_cache()
    with ThreadPoolExecutor(max_workers=6) as pool:
        assert list(pool.map(canonicalize, credentials)) == expected
