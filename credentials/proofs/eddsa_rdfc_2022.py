"""Data Integrity proofs with the `eddsa-rdfc-2022` cryptosuite (W3C vc-di-eddsa v1.0).

hashData = SHA-256(canonical proof configuration) || SHA-256(canonical document), both
canonicalised with RDFC-1.0; the Ed25519 signature of hashData is the proofValue, multibase
base58btc. Every step is a function here so the W3C test vectors can be checked one by one.
"""

import copy
import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .errors import InvalidDocumentError, KeyResolutionError, ProofError, UnsafeDocumentError
from .multikey import multibase_decode, multibase_encode
from .rdfc import (
    DEFAULT_LIMITS,
    VERIFY_LIMITS,
    Limits,
    canonicalize_all,
    check_document,
    parse_document,
)

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"


@dataclass(frozen=True)
class ResolvedKey:
    """A resolved verification method whose controller is not simply the id before `#`."""

    public_key: Ed25519PublicKey
    controller: str


KeyResolver = Callable[[str], Ed25519PublicKey | ResolvedKey]
"""Maps a verificationMethod id to its Ed25519 key (or `ResolvedKey`), else raises
`KeyResolutionError`. It must return only keys published by their controller."""

# XML Schema dateTimeStamp: a dateTime that must carry a time zone.
_DATETIME_STAMP = re.compile(
    r"^-?\d{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?"
    r"(Z|[+-]((0\d|1[0-3]):[0-5]\d|14:00))$"
)


@dataclass(frozen=True)
class HashedDocument:
    """The intermediate values of the cryptosuite's transformation and hashing steps."""

    canonical_document: str
    canonical_proof_config: str
    document_hash: bytes
    proof_hash: bytes

    @property
    def hash_data(self) -> bytes:
        """What is signed: the proof configuration hash, then the document hash."""
        return self.proof_hash + self.document_hash


def encode_proof_value(signature: bytes) -> str:
    """The proofValue of a signature: multibase base58btc (`z…`)."""
    return multibase_encode(signature)


def decode_proof_value(proof_value: str) -> bytes:
    """The 64-byte Ed25519 signature in a proofValue, or `InvalidDocumentError`."""
    try:
        signature = multibase_decode(proof_value)
    except ValueError as exc:
        raise InvalidDocumentError(f"The proofValue is not valid: {exc}.") from exc
    if len(signature) != 64:
        raise InvalidDocumentError(
            f"The proofValue holds {len(signature)} bytes; an Ed25519 signature has 64."
        )
    return signature


def format_created(moment: datetime) -> str:
    """An aware datetime as the XML Schema dateTimeStamp `created` expects (UTC, seconds)."""
    if moment.tzinfo is None:
        raise ValueError("created must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def proof_configuration(
    document: Mapping[str, Any], proof_options: Mapping[str, Any]
) -> dict[str, Any]:
    """The proof configuration: the proof options without proofValue, in the document's @context."""
    if "@context" not in document:
        raise InvalidDocumentError("The document has no @context, so it cannot carry a proof.")
    if proof_options.get("type") != PROOF_TYPE or proof_options.get("cryptosuite") != CRYPTOSUITE:
        raise InvalidDocumentError(
            f"The proof is not a {PROOF_TYPE} with the {CRYPTOSUITE} cryptosuite "
            f"(type {proof_options.get('type')!r}, cryptosuite "
            f"{proof_options.get('cryptosuite')!r})."
        )
    created = proof_options.get("created")
    if created is not None and not (isinstance(created, str) and _DATETIME_STAMP.match(created)):
        raise InvalidDocumentError(
            f"The proof's created value {created!r} is not a date-time with a time zone."
        )
    config = {key: value for key, value in proof_options.items() if key != "proofValue"}
    config["@context"] = copy.deepcopy(document["@context"])
    return config


def hash_document(
    unsecured_document: Mapping[str, Any],
    proof_config: Mapping[str, Any],
    limits: Limits = DEFAULT_LIMITS,
    check: bool = True,
) -> HashedDocument:
    """Canonicalise (RDFC-1.0) and hash a document without proof and its proof configuration."""
    canonical_document, canonical_proof_config = canonicalize_all(
        [unsecured_document, proof_config], limits, check
    )
    return HashedDocument(
        canonical_document=canonical_document,
        canonical_proof_config=canonical_proof_config,
        document_hash=hashlib.sha256(canonical_document.encode("utf-8")).digest(),
        proof_hash=hashlib.sha256(canonical_proof_config.encode("utf-8")).digest(),
    )


def create_proof(
    document: Mapping[str, Any],
    private_key: Ed25519PrivateKey,
    verification_method: str,
    created: str | datetime,
    proof_purpose: str = "assertionMethod",
    limits: Limits = DEFAULT_LIMITS,
) -> dict[str, Any]:
    """A DataIntegrityProof (eddsa-rdfc-2022) over `document`, which must carry no proof yet."""
    if "proof" in document:
        raise UnsafeDocumentError(
            "The document already carries a proof; sign the document without it."
        )
    if ":" not in verification_method:
        raise InvalidDocumentError(
            f"The verification method {verification_method!r} is not an absolute IRI."
        )
    options = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": format_created(created) if isinstance(created, datetime) else created,
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }
    hashed = hash_document(document, proof_configuration(document, options), limits)
    return {**options, "proofValue": encode_proof_value(private_key.sign(hashed.hash_data))}


def sign(
    document: Mapping[str, Any],
    private_key: Ed25519PrivateKey,
    verification_method: str,
    created: str | datetime,
    proof_purpose: str = "assertionMethod",
    limits: Limits = DEFAULT_LIMITS,
) -> dict[str, Any]:
    """A copy of `document` with `proof` set to an array of one eddsa-rdfc-2022 proof."""
    proof = create_proof(document, private_key, verification_method, created, proof_purpose, limits)
    # Open Badges 3.0's JSON Schema requires `proof` to be an array.
    return {**copy.deepcopy(dict(document)), "proof": [proof]}


CheckStatus = Literal["passed", "failed", "skipped"]

CHECK_NAMES = (
    "document",
    "proof",
    "proofPurpose",
    "verificationMethod",
    "issuer",
    "canonicalization",
    "signature",
)


@dataclass(frozen=True)
class Check:
    """One step of verification and what it found."""

    name: str
    status: CheckStatus
    detail: str


@dataclass(frozen=True)
class VerificationResult:
    """Outcome of `verify`: every check, and on failure a sentence saying why."""

    verified: bool
    checks: tuple[Check, ...]
    reason: str | None = None
    error: ProofError | None = None
    verification_method: str | None = None
    proof: dict[str, Any] | None = field(default=None, repr=False)

    def check(self, name: str) -> Check:
        """The check called `name` (see `CHECK_NAMES`)."""
        return next(check for check in self.checks if check.name == name)


class _Failed(Exception):
    def __init__(self, check: str, reason: str, error: ProofError | None = None) -> None:
        super().__init__(reason)
        self.check = check
        self.reason = reason
        self.error = error


def _single_proof(document: Mapping[str, Any]) -> dict[str, Any]:
    proof = document.get("proof")
    if proof is None:
        raise _Failed("proof", "The document has no proof.")
    if isinstance(proof, list):
        if len(proof) != 1:
            raise _Failed(
                "proof",
                f"The document has {len(proof)} proofs; only a single proof is supported.",
            )
        proof = proof[0]
    if not isinstance(proof, dict):
        raise _Failed("proof", "The proof is not a JSON object.")
    return proof


def _unsecured_document(document: Mapping[str, Any], proof: Mapping[str, Any]) -> dict[str, Any]:
    unsecured = {key: value for key, value in document.items() if key != "proof"}
    proof_context = proof.get("@context")
    if proof_context is not None:
        # vc-di-eddsa: a proof that names its own @context must name a prefix of the
        # document's, which then becomes the context the document is verified in.
        document_context = unsecured.get("@context")
        proof_list = proof_context if isinstance(proof_context, list) else [proof_context]
        document_list = (
            document_context if isinstance(document_context, list) else [document_context]
        )
        if document_list[: len(proof_list)] != proof_list:
            raise _Failed(
                "proof", "The proof's @context does not match the start of the document's."
            )
        unsecured["@context"] = proof_context
    return unsecured


def _check_issuer(document: Mapping[str, Any], controller: str, required: bool) -> Check:
    issuer = document.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    if not required:
        return Check("issuer", "skipped", "Not required: the key's controller was not compared.")
    if issuer_id is None:
        return Check("issuer", "passed", "The document names no issuer.")
    if issuer_id != controller:
        raise _Failed(
            "issuer",
            f"The proof was made with a key of {controller!r}, not of the issuer it names "
            f"({issuer_id!r}).",
            KeyResolutionError(f"{controller!r} is not the issuer {issuer_id!r}"),
        )
    return Check("issuer", "passed", f"The key belongs to the issuer, {issuer_id}.")


def verify(
    document: Mapping[str, Any] | str | bytes,
    resolve_key: KeyResolver,
    expected_proof_purpose: str = "assertionMethod",
    limits: Limits = VERIFY_LIMITS,
    require_issuer_key: bool = True,
) -> VerificationResult:
    """Verify the eddsa-rdfc-2022 proof of a document (a dict or its JSON text); never raises
    for a bad document, key or proof: the result says which check failed and why.

    With `require_issuer_key`, the key's controller must be the document's `issuer`: a valid
    signature by someone else's key proves nothing about the issuer it names.
    """
    passed: list[Check] = []
    proof: dict[str, Any] | None = None
    method: str | None = None

    def ok(name: str, detail: str) -> None:
        passed.append(Check(name, "passed", detail))

    try:
        try:
            parsed = (
                parse_document(document, limits) if isinstance(document, str | bytes) else document
            )
            check_document(parsed, limits)
        except ProofError as exc:
            raise _Failed("document", str(exc), exc) from exc
        ok("document", "Plain JSON within the size, depth and character limits.")

        proof = _single_proof(parsed)
        try:
            signature = decode_proof_value(proof.get("proofValue"))
            unsecured = _unsecured_document(parsed, proof)
            config = proof_configuration(unsecured, proof)
        except InvalidDocumentError as exc:
            raise _Failed("proof", str(exc), exc) from exc
        ok("proof", f"A {PROOF_TYPE} using {CRYPTOSUITE}.")

        purpose = proof.get("proofPurpose")
        if purpose != expected_proof_purpose:
            raise _Failed(
                "proofPurpose",
                f"The proof's purpose is {purpose!r}, not {expected_proof_purpose!r}.",
            )
        ok("proofPurpose", f"The proof is for {purpose}.")

        method = proof.get("verificationMethod")
        if not isinstance(method, str):
            raise _Failed("verificationMethod", "The proof names no verification method.")
        try:
            resolved = resolve_key(method)
        except ProofError as exc:
            raise _Failed("verificationMethod", str(exc), exc) from exc
        if isinstance(resolved, ResolvedKey):
            public_key, controller = resolved.public_key, resolved.controller
        else:
            public_key, controller = resolved, method.partition("#")[0]
        if not isinstance(public_key, Ed25519PublicKey):
            raise _Failed(
                "verificationMethod",
                f"The verification method {method!r} did not resolve to an Ed25519 key.",
                KeyResolutionError(f"{method!r} did not resolve to an Ed25519 key"),
            )
        ok("verificationMethod", f"Resolved {method}.")

        passed.append(_check_issuer(parsed, controller, require_issuer_key))

        try:
            # `parsed` passed check_document, and it contains everything in both.
            hashed = hash_document(unsecured, config, limits, check=False)
        except ProofError as exc:
            raise _Failed("canonicalization", str(exc), exc) from exc
        ok("canonicalization", "The document and proof configuration canonicalised (RDFC-1.0).")

        try:
            public_key.verify(signature, hashed.hash_data)
        except InvalidSignature:
            raise _Failed(
                "signature",
                "The signature does not match: the credential or its proof was changed after "
                "signing, or was signed with a different key.",
            ) from None
        ok("signature", "The Ed25519 signature matches the document and proof.")
    except _Failed as failure:
        ran = {check.name for check in passed}
        failed = Check(failure.check, "failed", failure.reason)
        skipped = [
            Check(name, "skipped", "Not checked after an earlier failure.")
            for name in CHECK_NAMES
            if name not in ran and name != failure.check
        ]
        return VerificationResult(
            verified=False,
            checks=(*passed, failed, *skipped),
            reason=failure.reason,
            error=failure.error,
            verification_method=method,
            proof=proof,
        )
    return VerificationResult(
        verified=True, checks=tuple(passed), verification_method=method, proof=proof
    )
