"""Ed25519 keys as Multikey values (multicodec + multibase base58btc) and offline did:key.

The public-key encoding itself is the audit log's (audit.multikey), shared with its signed
tree heads."""

from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from audit.multikey import (
    ED25519_PUBLIC_PREFIX,
    multibase_decode,
    multibase_encode,
    public_key_to_multibase,
)

from .errors import KeyFormatError, KeyResolutionError

# Multicodec ed25519-priv (0x1300) as an unsigned varint; the public one is audit's.
ED25519_PRIVATE_PREFIX = b"\x80\x26"
DID_KEY_PREFIX = "did:key:"


def _decode_with_prefix(value: str, prefix: bytes, what: str) -> bytes:
    try:
        data = multibase_decode(value)
    except ValueError as exc:
        raise KeyFormatError(f"The {what} {value!r} is not valid: {exc}.") from exc
    if not data.startswith(prefix) or len(data) != len(prefix) + 32:
        raise KeyFormatError(
            f"The {what} {value!r} is not an Ed25519 key "
            f"(expected the multicodec prefix 0x{prefix.hex()} and 32 key bytes)."
        )
    return data[len(prefix) :]


def public_key_from_multibase(value: str) -> Ed25519PublicKey:
    """The Ed25519 public key of a `publicKeyMultibase` value (`z6Mk…`)."""
    return Ed25519PublicKey.from_public_bytes(
        _decode_with_prefix(value, ED25519_PUBLIC_PREFIX, "public key")
    )


def private_key_to_multibase(private_key: Ed25519PrivateKey) -> str:
    """The `secretKeyMultibase` of an Ed25519 key: 0x8026 prefix and the 32-byte seed."""
    seed = private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return multibase_encode(ED25519_PRIVATE_PREFIX + seed)


def private_key_from_multibase(value: str) -> Ed25519PrivateKey:
    """The Ed25519 private key of a multibase secret key value (0x8026 prefix)."""
    return Ed25519PrivateKey.from_private_bytes(
        _decode_with_prefix(value, ED25519_PRIVATE_PREFIX, "private key")
    )


def key_id(controller: str, public_key: Ed25519PublicKey) -> str:
    """Verification method id `<controller>#<publicKeyMultibase>`, the usual Multikey id."""
    return f"{controller}#{public_key_to_multibase(public_key)}"


def multikey_verification_method(
    controller: str, public_key: Ed25519PublicKey, method_id: str | None = None
) -> dict[str, Any]:
    """A `Multikey` verification method object, as published in a controller document."""
    return {
        "id": method_id or key_id(controller, public_key),
        "type": "Multikey",
        "controller": controller,
        "publicKeyMultibase": public_key_to_multibase(public_key),
    }


def did_key(public_key: Ed25519PublicKey) -> str:
    """The did:key DID of an Ed25519 public key (`did:key:z6Mk…`)."""
    return DID_KEY_PREFIX + public_key_to_multibase(public_key)


def did_key_verification_method(public_key: Ed25519PublicKey) -> str:
    """The did:key verification method id (`did:key:z6Mk…#z6Mk…`)."""
    return key_id(did_key(public_key), public_key)


def resolve_did_key(verification_method: str) -> Ed25519PublicKey:
    """Offline key resolution of `did:key:z6Mk…#z6Mk…` (the fragment must repeat the key)."""
    if not isinstance(verification_method, str) or not verification_method.startswith(
        DID_KEY_PREFIX
    ):
        raise KeyResolutionError(
            f"{verification_method!r} is not a did:key verification method; only did:key "
            "is resolved offline."
        )
    did, _, fragment = verification_method.partition("#")
    multibase = did[len(DID_KEY_PREFIX) :]
    if fragment != multibase:
        raise KeyResolutionError(
            f"The did:key verification method {verification_method!r} must have the form "
            "did:key:<key>#<key>, with the fragment repeating the key."
        )
    try:
        return public_key_from_multibase(multibase)
    except KeyFormatError as exc:
        raise KeyResolutionError(f"Cannot resolve {verification_method!r}: {exc}") from exc
