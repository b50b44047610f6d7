"""Reads of API keys."""

from django.utils import timezone

from apikeys.models import ApiKey


def key_refusal(api_key: ApiKey | None) -> str | None:
    """Why a presented key is refused (None: it may be used)."""
    if api_key is None:
        return "Unknown API key."
    if api_key.revoked_at is not None:
        return "This API key was revoked."
    if api_key.expires_at is not None and api_key.expires_at <= timezone.now():
        return "This API key has expired."
    if not api_key.owner.is_active:
        return "The owner of this API key is no longer active."
    return None


def key_by_hash(key_hash: str) -> ApiKey | None:
    """The key with this hash, with its owner."""
    return ApiKey.objects.select_related("owner").filter(key_hash=key_hash).first()
