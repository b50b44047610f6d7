"""Pure cryptographic core for verifiable credentials: no Django, no database, no network.

- `eddsa_rdfc_2022`: sign and verify Data Integrity proofs (W3C vc-di-eddsa v1.0).
- `rdfc`: bounded RDFC-1.0 canonicalisation that refuses what a signature would not cover.
- `loader`: the bundled JSON-LD contexts and the offline document loader.
- `multikey`: Ed25519 Multikey values and offline did:key resolution.
- `status_list`: Bitstring Status List v1.0 bitstrings.
"""

from .eddsa_rdfc_2022 import (
    CRYPTOSUITE,
    PROOF_TYPE,
    Check,
    HashedDocument,
    KeyResolver,
    ResolvedKey,
    VerificationResult,
    create_proof,
    decode_proof_value,
    encode_proof_value,
    hash_document,
    proof_configuration,
    sign,
    verify,
)
from .errors import (
    CanonicalizationTimeout,
    DocumentTooLarge,
    InvalidDocumentError,
    KeyFormatError,
    KeyResolutionError,
    ProofError,
    ResourceLimitExceeded,
    StatusListError,
    UnknownContextError,
    UnsafeDocumentError,
)
from .loader import CONTEXT_FILES, clear_context_cache, document_loader
from .multikey import (
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
from .rdfc import (
    DEFAULT_LIMITS,
    VERIFY_LIMITS,
    Limits,
    canonicalize,
    check_document,
    parse_document,
)
from .status_list import MIN_BITS, StatusBitstring

__all__ = [
    "CONTEXT_FILES",
    "CRYPTOSUITE",
    "DEFAULT_LIMITS",
    "MIN_BITS",
    "PROOF_TYPE",
    "VERIFY_LIMITS",
    "CanonicalizationTimeout",
    "Check",
    "DocumentTooLarge",
    "HashedDocument",
    "InvalidDocumentError",
    "KeyFormatError",
    "KeyResolutionError",
    "KeyResolver",
    "Limits",
    "ProofError",
    "ResolvedKey",
    "ResourceLimitExceeded",
    "StatusBitstring",
    "StatusListError",
    "UnknownContextError",
    "UnsafeDocumentError",
    "VerificationResult",
    "canonicalize",
    "check_document",
    "clear_context_cache",
    "create_proof",
    "decode_proof_value",
    "did_key",
    "did_key_verification_method",
    "document_loader",
    "encode_proof_value",
    "hash_document",
    "key_id",
    "multikey_verification_method",
    "parse_document",
    "private_key_from_multibase",
    "private_key_to_multibase",
    "proof_configuration",
    "public_key_from_multibase",
    "public_key_to_multibase",
    "resolve_did_key",
    "sign",
    "verify",
]
