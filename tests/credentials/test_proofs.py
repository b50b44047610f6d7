"""eddsa-rdfc-2022 Data Integrity proofs: the W3C vectors step by step, signing and verifying."""

import copy
import json
from pathlib import Path

import base58
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pyld import jsonld

from credentials.proofs import (
    DEFAULT_LIMITS,
    VERIFY_LIMITS,
    CanonicalizationTimeout,
    KeyResolutionError,
    ResolvedKey,
    UnsafeDocumentError,
    canonicalize,
    decode_proof_value,
    did_key,
    did_key_verification_method,
    hash_document,
    key_id,
    private_key_from_multibase,
    proof_configuration,
    public_key_from_multibase,
    resolve_did_key,
    sign,
    verify,
)
from credentials.proofs.eddsa_rdfc_2022 import CHECK_NAMES
from credentials.proofs.examples import example_achievement_credential
from credentials.proofs.loader import jsonld_options

VECTORS = Path(__file__).parent / "vectors" / "vc-di-eddsa"
SUITE = VECTORS / "eddsa-rdfc-2022"


def read_text(name: str) -> str:
    return (SUITE / name).read_text(encoding="utf-8")


def read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def verify_vector(document, **options):
    """The W3C vector's issuer is not the controller of its did:key, so only the proof counts."""
    return verify(document, resolve_did_key, require_issuer_key=False, **options)


@pytest.fixture
def key_pair() -> dict:
    return read_json(VECTORS / "keyPair.json")


@pytest.fixture
def private_key(key_pair) -> Ed25519PrivateKey:
    return private_key_from_multibase(key_pair["privateKeyMultibase"])


@pytest.fixture
def unsigned() -> dict:
    return read_json(VECTORS / "unsigned.json")


@pytest.fixture
def proof_config() -> dict:
    return read_json(SUITE / "proofConfigDataInt.json")


@pytest.fixture
def signed() -> dict:
    return read_json(SUITE / "signedDataInt.json")


@pytest.fixture
def hashed(unsigned, proof_config):
    return hash_document(unsigned, proof_config)


# --- The W3C test vectors, one intermediate value at a time -----------------------------------


def test_vector_canonical_document_is_reproduced(hashed):
    assert hashed.canonical_document == read_text("canonDocDataInt.txt")


def test_vector_canonical_proof_config_is_reproduced(hashed):
    assert hashed.canonical_proof_config == read_text("proofCanonDataInt.txt")


def test_vector_hashes_are_reproduced(hashed):
    assert hashed.document_hash.hex() == read_text("docHashDataInt.txt").strip()
    assert hashed.proof_hash.hex() == read_text("proofHashDataInt.txt").strip()
    assert hashed.hash_data.hex() == read_text("combinedHashDataInt.txt").strip()


def test_vector_proof_configuration_is_built_from_the_proof_options(unsigned, proof_config):
    options = {key: value for key, value in proof_config.items() if key != "@context"}
    assert proof_configuration(unsigned, options) == proof_config


def test_vector_signature_is_reproduced(unsigned, proof_config, private_key):
    document = sign(
        unsigned,
        private_key,
        proof_config["verificationMethod"],
        proof_config["created"],
        proof_config["proofPurpose"],
    )
    proof_value = document["proof"][0]["proofValue"]
    assert decode_proof_value(proof_value).hex() == read_text("sigHexDataInt.txt").strip()
    assert proof_value == read_text("sigBTC58DataInt.txt").strip()


def test_vector_signed_document_is_reproduced_with_proof_as_array(
    unsigned, proof_config, private_key, signed
):
    document = sign(
        unsigned, private_key, proof_config["verificationMethod"], proof_config["created"]
    )
    assert document["proof"] == [signed["proof"]]
    assert {k: v for k, v in document.items() if k != "proof"} == unsigned


def test_vector_key_pair_matches(key_pair, private_key):
    public_key = public_key_from_multibase(key_pair["publicKeyMultibase"])
    assert private_key.public_key().public_bytes_raw() == public_key.public_bytes_raw()


def test_signed_vector_verifies_with_proof_as_single_object(signed):
    result = verify_vector(signed)
    assert result.verified, result.reason
    assert result.reason is None
    assert [check.name for check in result.checks] == list(CHECK_NAMES)
    assert result.check("issuer").status == "skipped"
    assert all(check.status == "passed" for check in result.checks if check.name != "issuer")
    assert result.verification_method == signed["proof"]["verificationMethod"]


def test_signed_vector_fails_the_issuer_check_by_default(signed):
    result = verify(signed, resolve_did_key)
    assert not result.verified
    assert result.check("issuer").status == "failed"
    assert "not of the issuer it names ('https://vc.example/issuers/5678')" in result.reason


def test_signed_vector_verifies_from_json_text_and_bytes(signed):
    text = json.dumps(signed, indent=2)
    assert verify_vector(text).verified
    assert verify_vector(text.encode()).verified


def test_signed_vector_verifies_in_process_too(signed):
    assert verify_vector(signed, limits=DEFAULT_LIMITS).verified


def test_signed_vector_verifies_after_reordering_its_json(signed):
    reordered = dict(reversed(list(signed.items())))
    reordered["type"] = list(reversed(signed["type"]))
    assert verify_vector(reordered).verified


# --- Tampering ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("name",), "Alumni Credential (forged)"),
        (("description",), "Something else."),
        (("issuer",), "https://vc.example/issuers/9999"),
        (("validFrom",), "2022-01-01T00:00:00Z"),
        (("id",), "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc34"),
        (("type",), ["VerifiableCredential", "ExampleDegreeCredential"]),
        (("credentialSubject", "id"), "did:example:someone-else"),
        (("credentialSubject", "alumniOf"), "The School of Forgery"),
    ],
)
def test_changing_a_signed_field_fails_on_the_signature(signed, path, value):
    target = signed
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    result = verify_vector(signed)
    assert not result.verified
    assert result.check("signature").status == "failed"
    assert "changed after signing" in result.reason


def test_adding_a_field_fails_on_the_signature(signed):
    signed["credentialSubject"]["degree"] = "PhD"  # defined by the examples context's @vocab
    result = verify_vector(signed)
    assert result.check("signature").status == "failed"


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("created", "2023-02-24T23:36:39Z"),
        ("proofValue", None),  # replaced below by a signature of other data
        ("verificationMethod", None),  # replaced below by another did:key
    ],
)
def test_changing_the_proof_fails_on_the_signature(signed, key, value):
    if key == "proofValue":
        other = Ed25519PrivateKey.generate().sign(b"something else")
        value = "z" + base58.b58encode(other).decode()
    if key == "verificationMethod":
        value = did_key_verification_method(Ed25519PrivateKey.generate().public_key())
    signed["proof"][key] = value
    result = verify_vector(signed)
    assert not result.verified
    assert result.check("signature").status == "failed"


@pytest.mark.parametrize(
    ("key", "value", "failed_check", "words"),
    [
        ("proofPurpose", "authentication", "proofPurpose", "not 'assertionMethod'"),
        ("cryptosuite", "eddsa-jcs-2022", "proof", "eddsa-rdfc-2022"),
        ("type", "Ed25519Signature2020", "proof", "DataIntegrityProof"),
        ("proofValue", "z1111", "proof", "64"),
        ("proofValue", "u2YwC8z3ap7yx", "proof", "multibase"),
        ("created", "yesterday", "proof", "time zone"),
        ("verificationMethod", "https://vc.example/keys/1", "verificationMethod", "did:key"),
    ],
)
def test_a_malformed_proof_fails_with_a_reason(signed, key, value, failed_check, words):
    signed["proof"][key] = value
    result = verify_vector(signed)
    assert not result.verified
    assert result.check(failed_check).status == "failed"
    assert words in result.reason
    assert result.check("signature").status == "skipped"


def test_an_undefined_term_added_to_the_proof_is_refused(signed):
    # The VC 2.0 context defines no `nonsense`, so it would not be covered by the signature.
    signed["@context"] = signed["@context"][:1]
    signed["type"] = ["VerifiableCredential"]
    signed["credentialSubject"] = {"id": "did:example:abcdefgh"}
    signed["proof"]["nonsense"] = "x"
    result = verify_vector(signed)
    assert result.check("canonicalization").status == "failed"
    assert "'nonsense'" in result.reason
    assert isinstance(result.error, UnsafeDocumentError)


def test_a_document_without_proof_fails(unsigned):
    result = verify_vector(unsigned)
    assert not result.verified
    assert result.reason == "The document has no proof."


def test_two_proofs_are_refused_with_a_reason(signed):
    signed["proof"] = [signed["proof"], signed["proof"]]
    result = verify_vector(signed)
    assert result.check("proof").status == "failed"
    assert "2 proofs" in result.reason


def test_a_key_the_resolver_does_not_know_fails_on_the_verification_method(signed):
    def resolve_nothing(method: str):
        raise KeyResolutionError(f"No key is published as {method}.")

    result = verify(signed, resolve_nothing, require_issuer_key=False)
    assert result.check("verificationMethod").status == "failed"
    assert "No key is published" in result.reason


def test_a_key_resolving_to_another_key_fails_on_the_signature(signed):
    other = Ed25519PrivateKey.generate().public_key()
    result = verify(signed, lambda method: other, require_issuer_key=False)
    assert result.check("signature").status == "failed"


def test_a_proof_context_must_prefix_the_document_context(signed):
    signed["proof"]["@context"] = ["https://www.w3.org/ns/credentials/examples/v2"]
    result = verify_vector(signed)
    assert result.check("proof").status == "failed"
    assert "@context" in result.reason


def test_a_proof_naming_the_document_context_still_verifies(signed):
    signed["proof"]["@context"] = copy.deepcopy(signed["@context"])
    assert verify_vector(signed).verified


# --- Open Badges 3.0 credentials signed with did:key -----------------------------------------


@pytest.fixture
def issuer_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def badge_issued_by(key: Ed25519PrivateKey) -> dict:
    return example_achievement_credential(issuer_id=did_key(key.public_key()))


@pytest.fixture
def signed_badge(issuer_key) -> dict:
    return sign(
        badge_issued_by(issuer_key),
        issuer_key,
        did_key_verification_method(issuer_key.public_key()),
        "2025-03-01T09:30:00Z",
    )


def test_did_key_signed_badge_verifies_offline(signed_badge):
    result = verify(signed_badge, resolve_did_key)
    assert result.verified, result.reason


def test_signed_badge_verifies_in_process_and_in_the_worker(signed_badge):
    assert verify(signed_badge, resolve_did_key, limits=DEFAULT_LIMITS).verified
    assert verify(signed_badge, resolve_did_key, limits=VERIFY_LIMITS).verified


def test_signed_badge_has_one_data_integrity_proof_in_an_array(signed_badge, issuer_key):
    (proof,) = signed_badge["proof"]
    assert proof["type"] == "DataIntegrityProof"
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["proofPurpose"] == "assertionMethod"
    assert proof["verificationMethod"] == did_key_verification_method(issuer_key.public_key())
    assert proof["proofValue"].startswith("z")


def test_sign_leaves_its_input_untouched():
    credential = example_achievement_credential()
    before = copy.deepcopy(credential)
    key = Ed25519PrivateKey.generate()
    signed = sign(
        credential, key, did_key_verification_method(key.public_key()), "2025-03-01T09:30:00Z"
    )
    assert credential == before
    signed["credentialSubject"]["achievement"]["name"] = "changed"
    assert credential == before


def test_sign_accepts_an_aware_datetime_for_created(issuer_key):
    from datetime import UTC, datetime

    signed = sign(
        badge_issued_by(issuer_key),
        issuer_key,
        did_key_verification_method(issuer_key.public_key()),
        datetime(2025, 3, 1, 9, 30, 15, 123456, tzinfo=UTC),
    )
    assert signed["proof"][0]["created"] == "2025-03-01T09:30:15Z"
    assert verify_vector(signed).verified


def test_signing_a_document_that_already_has_a_proof_is_refused(signed_badge, issuer_key):
    with pytest.raises(UnsafeDocumentError, match="already carries a proof"):
        sign(signed_badge, issuer_key, "did:key:x#x", "2025-03-01T09:30:00Z")


def test_a_badge_signed_by_a_key_of_someone_else_fails_the_issuer_check(issuer_key):
    # Claims Acme as issuer, but is signed with a did:key Acme does not control.
    signed = sign(
        example_achievement_credential(issuer_id="https://skillproof.example/issuers/acme"),
        issuer_key,
        did_key_verification_method(issuer_key.public_key()),
        "2025-03-01T09:30:00Z",
    )
    result = verify(signed, resolve_did_key)
    assert result.check("issuer").status == "failed"
    assert result.check("signature").status == "skipped"
    assert "https://skillproof.example/issuers/acme" in result.reason


def test_an_issuer_key_published_under_the_issuer_id_verifies(issuer_key):
    issuer_id = "https://skillproof.example/issuers/acme"
    public_key = issuer_key.public_key()
    method = key_id(issuer_id, public_key)
    published = {method: public_key}

    def resolve_published(verification_method: str):
        if verification_method not in published:
            raise KeyResolutionError(f"{verification_method} is not published.")
        return published[verification_method]

    signed = sign(
        example_achievement_credential(issuer_id=issuer_id),
        issuer_key,
        method,
        "2025-03-01T09:30:00Z",
    )
    result = verify(signed, resolve_published)
    assert result.verified, result.reason
    assert result.check("issuer").detail == f"The key belongs to the issuer, {issuer_id}."


def test_a_resolver_can_name_the_controller_of_a_key_kept_elsewhere(issuer_key):
    issuer_id = "https://skillproof.example/issuers/acme"
    signed = sign(
        example_achievement_credential(issuer_id=issuer_id),
        issuer_key,
        "https://keys.skillproof.example/2025#signing",
        "2025-03-01T09:30:00Z",
    )
    result = verify(signed, lambda method: ResolvedKey(issuer_key.public_key(), issuer_id))
    assert result.verified, result.reason


def test_tampered_badge_result_fails(signed_badge):
    signed_badge["credentialSubject"]["result"][1]["value"] = "99"
    result = verify(signed_badge, resolve_did_key)
    assert result.check("signature").status == "failed"


def test_our_bounded_canonicalisation_equals_pyld_normalize():
    credential = example_achievement_credential()
    expected = jsonld.normalize(
        credential, jsonld_options(algorithm="URDNA2015", format="application/n-quads")
    )
    assert canonicalize(credential) == expected


def test_canonicalisation_does_not_modify_the_document():
    credential = example_achievement_credential()
    before = copy.deepcopy(credential)
    canonicalize(credential)
    assert credential == before


def test_verification_reports_a_timeout_as_a_failed_canonicalization(signed, monkeypatch):
    def too_slow(*args, **kwargs):
        raise CanonicalizationTimeout("RDF canonicalisation did not finish within 2 s.")

    monkeypatch.setattr("credentials.proofs.eddsa_rdfc_2022.canonicalize_all", too_slow)
    result = verify_vector(signed)
    assert result.check("canonicalization").status == "failed"
    assert isinstance(result.error, CanonicalizationTimeout)
