"""Every write about API keys: create (the key shown once), revoke, note its use."""

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from apikeys.exceptions import InvalidKeyRequest
from apikeys.models import ApiKey, Scope
from audit.services import Action, actor_for_user, record_event

KEY_PREFIX = "skp_"
# How often a key's last use is written: every request would make a hot key one hot row.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_key(key: str) -> str:
    """The stored form of a key: SHA-256 suffices for 256 random bits (see assessments.tokens)."""
    return hashlib.sha256(key.encode()).hexdigest()


def parse_scopes(scopes) -> list[str]:
    """Scopes from a list or a comma/space separated string, checked, deduplicated, in order."""
    if isinstance(scopes, str):
        scopes = scopes.replace(",", " ").split()
    wanted = list(dict.fromkeys(scope.strip() for scope in scopes if scope.strip()))
    unknown = [scope for scope in wanted if scope not in Scope.values]
    if unknown:
        raise InvalidKeyRequest(
            f"Unknown scope {', '.join(unknown)}; choose from {', '.join(Scope.values)}."
        )
    if not wanted:
        raise InvalidKeyRequest(f"Give at least one scope: {', '.join(Scope.values)}.")
    return wanted


@transaction.atomic
def create_api_key(
    *, name: str, owner, scopes, expires_in: timedelta | None = None, user=None
) -> tuple[ApiKey, str]:
    """Create a key acting for ``owner``; returns the row and the only copy of the key."""
    name = (name or "").strip()
    if not name:
        raise InvalidKeyRequest("Give the key a name that says which integration uses it.")
    if owner is None or not owner.is_active or not owner.is_staff:
        raise InvalidKeyRequest("A key acts for an active staff user: choose its owner.")
    if expires_in is not None and expires_in <= timedelta(0):
        raise InvalidKeyRequest("A key's lifetime must be positive.")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    api_key = ApiKey.objects.create(
        name=name,
        owner=owner,
        prefix=key[: len(KEY_PREFIX) + 6],
        key_hash=hash_key(key),
        scopes=parse_scopes(scopes),
        expires_at=timezone.now() + expires_in if expires_in else None,
    )
    record_event(
        Action.API_KEY_CREATED,
        actor=actor_for_user(user),
        subject=f"api_key:{api_key.pk}",
        payload={
            "name": api_key.name,
            "owner": owner.pk,
            "prefix": api_key.prefix,
            "scopes": api_key.scopes,
            "expires_at": api_key.expires_at.isoformat() if api_key.expires_at else None,
        },
    )
    return api_key, key


@transaction.atomic
def revoke_api_key(api_key: ApiKey, *, user=None) -> ApiKey:
    """Revoke a key at once (idempotent: revoking a revoked key changes nothing)."""
    api_key = ApiKey.objects.select_for_update().get(pk=api_key.pk)
    if api_key.revoked_at is not None:
        return api_key
    api_key.revoked_at = timezone.now()
    api_key.save(update_fields=["revoked_at"])
    record_event(
        Action.API_KEY_REVOKED,
        actor=actor_for_user(user),
        subject=f"api_key:{api_key.pk}",
        payload={"name": api_key.name, "prefix": api_key.prefix},
    )
    return api_key


def note_key_used(api_key: ApiKey) -> None:
    """Record when a key was last used, at most once per LAST_USED_RESOLUTION."""
    now = timezone.now()
    if api_key.last_used_at and now - api_key.last_used_at < LAST_USED_RESOLUTION:
        return
    ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
    api_key.last_used_at = now
