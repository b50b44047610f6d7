"""Multikey encoding of Ed25519 keys and offline did:key resolution."""

import json
from pathlib import Path

import base58
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from credentials.proofs import (
    KeyFormatError,
    KeyResolutionError,
    did_key,
    did_key_verification_method,
    key_id,
    multikey_verification_method,
    private_key_from_multibase,
    private_key_to_multibase,
    public_key_from_multibase,
    public_key_to_multibase,
    resolve_did_key,
)

KEY_PAIR = json.loads(
    (Path(__file__).parent / "vectors" / "vc-di-eddsa" / "keyPair.json").read_text()
)
PUBLIC = KEY_PAIR["publicKeyMultibase"]
PRIVATE = KEY_PAIR["privateKeyMultibase"]


def test_vector_keys_round_trip():
    assert public_key_to_multibase(public_key_from_multibase(PUBLIC)) == PUBLIC
    assert private_key_to_multibase(private_key_from_multibase(PRIVATE)) == PRIVATE


def test_vector_private_key_derives_the_vector_public_key():
    assert public_key_to_multibase(private_key_from_multibase(PRIVATE).public_key()) == PUBLIC


def test_multicodec_prefixes():
    assert base58.b58decode(PUBLIC[1:])[:2] == b"\xed\x01"
    assert base58.b58decode(PRIVATE[1:])[:2] == b"\x80\x26"


def test_generated_keys_round_trip_and_look_like_multikeys():
    private_key = Ed25519PrivateKey.generate()
    public = public_key_to_multibase(private_key.public_key())
    assert public.startswith("z6Mk")
    assert len(base58.b58decode(public[1:])) == 34
    restored = private_key_from_multibase(private_key_to_multibase(private_key))
    assert restored.sign(b"data") == private_key.sign(b"data")  # Ed25519 is deterministic


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2", "start with 'z'"),
        ("z0OIl", "not valid"),
        (PRIVATE, "not an Ed25519 key"),  # a private key where a public one belongs
        ("z" + base58.b58encode(b"\xed\x01" + bytes(31)).decode(), "32 key bytes"),
        ("z", "not valid"),
    ],
)
def test_malformed_public_keys_are_refused(value, words):
    with pytest.raises(KeyFormatError, match=words):
        public_key_from_multibase(value)


def test_a_public_key_is_not_accepted_as_a_private_key():
    with pytest.raises(KeyFormatError, match="0x8026"):
        private_key_from_multibase(PUBLIC)


def test_did_key_identifiers():
    public_key = public_key_from_multibase(PUBLIC)
    assert did_key(public_key) == f"did:key:{PUBLIC}"
    assert did_key_verification_method(public_key) == f"did:key:{PUBLIC}#{PUBLIC}"
    assert key_id("https://skillproof.example/issuers/acme", public_key) == (
        f"https://skillproof.example/issuers/acme#{PUBLIC}"
    )


def test_multikey_verification_method_document():
    public_key = public_key_from_multibase(PUBLIC)
    controller = "https://skillproof.example/issuers/acme"
    assert multikey_verification_method(controller, public_key) == {
        "id": f"{controller}#{PUBLIC}",
        "type": "Multikey",
        "controller": controller,
        "publicKeyMultibase": PUBLIC,
    }
    assert multikey_verification_method(controller, public_key, f"{controller}#key-1")["id"] == (
        f"{controller}#key-1"
    )


def test_did_key_resolves_offline():
    resolved = resolve_did_key(f"did:key:{PUBLIC}#{PUBLIC}")
    assert public_key_to_multibase(resolved) == PUBLIC


@pytest.mark.parametrize(
    "method",
    [
        f"did:key:{PUBLIC}",  # no fragment
        f"did:key:{PUBLIC}#key-1",  # fragment is not the key
        f"did:web:skillproof.example#{PUBLIC}",
        "https://skillproof.example/keys/1",
        "did:key:z6Mkzzzz#z6Mkzzzz",
    ],
)
def test_other_verification_methods_do_not_resolve_as_did_key(method):
    with pytest.raises(KeyResolutionError):
        resolve_did_key(method)
