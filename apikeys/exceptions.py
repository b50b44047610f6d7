"""The integration API's error tree."""


class ApiKeyError(Exception):
    """Base class for every error of API keys."""


class InvalidKeyRequest(ApiKeyError):
    """A key cannot be created as asked (unknown scope, no owner, bad expiry)."""
