"""The exception tree of the proofs core: every error it raises is a `ProofError`."""


class ProofError(Exception):
    """Base class: something about a document, key or proof is not acceptable."""


class UnknownContextError(ProofError):
    """A JSON-LD context URL that is not bundled with the code (nothing is fetched)."""

    def __init__(self, url: str) -> None:
        self.url = url
        super().__init__(
            f"The JSON-LD context {url!r} is not one of the bundled contexts; "
            "contexts are never fetched over the network."
        )


class InvalidDocumentError(ProofError):
    """The document is not valid JSON or JSON-LD, or lacks what a proof needs."""


class UnsafeDocumentError(ProofError):
    """Signing or verifying would silently leave part of the document out of the signature."""


class ResourceLimitExceeded(ProofError):
    """Processing the document would exceed a configured limit."""


class DocumentTooLarge(ResourceLimitExceeded):
    """The document is bigger, deeper or references more contexts than allowed."""


class CanonicalizationTimeout(ResourceLimitExceeded):
    """RDF canonicalisation did not finish within its time budget."""


class KeyFormatError(ProofError):
    """A key, multibase value or did:key identifier is malformed or of the wrong type."""


class KeyResolutionError(ProofError):
    """A verification method could not be resolved to a public key."""


class StatusListError(ProofError):
    """A status list bitstring is malformed, too short, too big, or an index is out of range."""
