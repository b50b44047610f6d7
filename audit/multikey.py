"""Ed25519 public keys as Multikey values: the multicodec prefix, then multibase base58btc.

The audit log's signed tree heads name their key this way and so do credentials' proofs, which
build did:key and private-key values on top (credentials.proofs.multikey): one encoding, on the
ground floor both may import. Pure: no Django.
"""

import base58
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

# Multicodec ed25519-pub (0xed) as an unsigned varint.
ED25519_PUBLIC_PREFIX = b"\xed\x01"
BASE58BTC = "z"


def multibase_encode(data: bytes) -> str:
    """Multibase base58btc: `z` followed by the Bitcoin-alphabet base58 of `data`."""
    return BASE58BTC + base58.b58encode(data).decode("ascii")


def multibase_decode(value: str) -> bytes:
    """Bytes of a multibase base58btc value (`z…`); `ValueError` when it is not one."""
    if not isinstance(value, str) or not value.startswith(BASE58BTC) or len(value) < 2:
        raise ValueError("not a multibase base58btc value (it must start with 'z')")
    # b58decode raises ValueError itself on a character outside the alphabet.
    return base58.b58decode(value[1:])


def public_key_to_multibase(public_key: Ed25519PublicKey) -> str:
    """The `publicKeyMultibase` of an Ed25519 key (`z6Mk…`)."""
    return multibase_encode(ED25519_PUBLIC_PREFIX + public_key.public_bytes_raw())
