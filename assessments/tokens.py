"""Invitation tokens: random, at least 128 bits, stored only as a hash."""

import hashlib
import hmac
import secrets

from django.conf import settings

TOKEN_BYTES = 24  # 192 bits


def new_token() -> str:
    """A fresh URL-safe random token."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    """The stored form of a token. SHA-256 suffices: a 192-bit random token cannot be guessed
    from its hash, and (unlike an HMAC keyed with SECRET_KEY) it survives a key rotation."""
    return hashlib.sha256(token.encode()).hexdigest()


def demo_token(label: str) -> str:
    """A token derived from SECRET_KEY, so `seed_demo` can print the same link on every run."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"demo:{label}".encode(), hashlib.sha256)
    return digest.hexdigest()[:32]
