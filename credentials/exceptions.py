"""The credentials app's error tree (the pure core's errors are `credentials.proofs.ProofError`)."""

from web import pages


class CredentialsError(Exception):
    """Base class for every failure of the credentials domain."""


class IssuerKeyError(CredentialsError):
    """The issuer's signing key cannot be read, written or rotated."""


class PermanentIssuanceError(CredentialsError):
    """Issuing cannot succeed by retrying (bad stored data, a document that will not sign)."""


class AccessDenied(CredentialsError):
    """The request may not see or change this record, credential or share link."""


class LinkUnavailable(CredentialsError, pages.LinkUnavailable):
    """A one-time link or share link is unknown, used, expired or deleted."""


class InvalidInput(CredentialsError):
    """Something a user typed or uploaded cannot be used; the message says why."""
