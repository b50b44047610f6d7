"""The issuer's Ed25519 signing keys: generated on first use, rotated by command, never in a column.

A secret key lives either in a file `<ISSUER_KEY_DIR>/<kid>.key` (multibase, mode 0600, written
once with O_EXCL) or in the ISSUER_SECRET_KEY environment variable. The database records only
the public half (`IssuerKey`), which the DID document publishes for as long as credentials
signed with it exist. Several web and worker processes can race to make the first key: a
PostgreSQL advisory lock makes exactly one of them do it. With more than one machine, the key
directory must be shared (or ISSUER_SECRET_KEY set on every machine).
"""

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.db import connection, transaction
from django.utils import timezone

from credentials import conf
from credentials.exceptions import IssuerKeyError
from credentials.models import IssuerKey
from credentials.proofs import (
    KeyFormatError,
    private_key_from_multibase,
    private_key_to_multibase,
    public_key_to_multibase,
)

_KEY_LOCK = 0x5C11_C0DE


def did_web(site_url: str) -> str:
    """The did:web DID of a site URL: its host, `%3A` before a port, `:` between path segments."""
    parts = urlsplit(site_url)
    if not parts.hostname:
        raise IssuerKeyError(f"SITE_URL {site_url!r} has no host to derive a did:web from.")
    host = parts.hostname.encode("idna").decode("ascii").lower()
    if ":" in host:  # an IPv6 literal cannot be a did:web host
        raise IssuerKeyError(f"SITE_URL {site_url!r}: did:web needs a host name or IPv4 address.")
    did = "did:web:" + host + (f"%3A{parts.port}" if parts.port else "")
    for segment in (part for part in parts.path.split("/") if part):
        did += ":" + quote(segment, safe="")
    return did


def issuer_id() -> str:
    """The issuer's identifier: the did:web of SITE_URL."""
    return did_web(conf.site_url())


def kid_for(public_key: Ed25519PublicKey) -> str:
    """A short, stable key id derived from the public key (`key-` + 16 hex digits)."""
    return "key-" + hashlib.sha256(public_key.public_bytes_raw()).hexdigest()[:16]


def verification_method(key: IssuerKey, controller: str | None = None) -> str:
    """The verification method id of a key: `<issuer DID>#<kid>`."""
    return f"{controller or issuer_id()}#{key.kid}"


@dataclass(frozen=True)
class SigningKey:
    """The active key with its secret half, ready to sign."""

    record: IssuerKey
    private_key: Ed25519PrivateKey

    @property
    def verification_method(self) -> str:
        # Always under the current issuer DID, which every credential names as its issuer.
        return verification_method(self.record)


def _key_path(kid: str) -> Path:
    return conf.issuer_key_dir() / f"{kid}.key"


def _write_key_file(private_key: Ed25519PrivateKey, kid: str) -> None:
    directory = conf.issuer_key_dir()
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        # O_EXCL: a key file is written once and never overwritten.
        fd = os.open(_key_path(kid), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(private_key_to_multibase(private_key) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        raise IssuerKeyError(f"Cannot write the issuer key file in {directory}: {exc}") from exc


def _read_key_file(key: IssuerKey) -> Ed25519PrivateKey:
    path = _key_path(key.kid)
    try:
        private_key = private_key_from_multibase(path.read_text(encoding="ascii").strip())
    except OSError as exc:
        raise IssuerKeyError(
            f"The secret key of {key.kid} is not readable at {path} ({exc.strerror}); "
            "set ISSUER_KEY_DIR to the directory that holds it, or rotate to a new key."
        ) from exc
    except KeyFormatError as exc:
        raise IssuerKeyError(f"The key file {path} is not an Ed25519 secret key: {exc}") from exc
    if public_key_to_multibase(private_key.public_key()) != key.public_key_multibase:
        raise IssuerKeyError(f"The key file {path} does not hold the secret of {key.kid}.")
    return private_key


def _environment_key() -> Ed25519PrivateKey | None:
    value = conf.issuer_secret_key()
    if not value:
        return None
    try:
        return private_key_from_multibase(value)
    except KeyFormatError as exc:
        raise IssuerKeyError(
            f"ISSUER_SECRET_KEY is not an Ed25519 multibase secret: {exc}"
        ) from exc


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_KEY_LOCK])


def _activate(private_key: Ed25519PrivateKey, storage: str) -> IssuerKey:
    """Record a new key as the active one and retire the previous (caller holds the lock)."""
    public_key = private_key.public_key()
    kid = kid_for(public_key)
    IssuerKey.objects.filter(is_active=True).update(is_active=False, retired_at=timezone.now())
    existing = IssuerKey.objects.filter(kid=kid).first()
    if existing is not None:  # an environment key set back to an earlier value
        existing.is_active, existing.retired_at = True, None
        existing.save(update_fields=["is_active", "retired_at"])
        return existing
    return IssuerKey.objects.create(
        kid=kid,
        public_key_multibase=public_key_to_multibase(public_key),
        controller=issuer_id(),
        storage=storage,
    )


def _secret_of(key: IssuerKey) -> Ed25519PrivateKey:
    if key.storage == IssuerKey.Storage.ENVIRONMENT:
        private_key = _environment_key()
        if private_key is None or kid_for(private_key.public_key()) != key.kid:
            raise IssuerKeyError(f"ISSUER_SECRET_KEY no longer holds the secret of {key.kid}.")
        return private_key
    return _read_key_file(key)


def signing_key() -> SigningKey:
    """The active signing key, generating (or adopting ISSUER_SECRET_KEY) on first use."""
    environment_key = _environment_key()
    active = IssuerKey.objects.filter(is_active=True).first()
    wanted = kid_for(environment_key.public_key()) if environment_key else None
    if active is not None and (wanted is None or active.kid == wanted):
        return SigningKey(active, _secret_of(active))
    with transaction.atomic():
        _lock()
        active = IssuerKey.objects.filter(is_active=True).first()
        if environment_key is not None:
            if active is None or active.kid != wanted:
                # A new ISSUER_SECRET_KEY value is a rotation: the old key stays published.
                active = _activate(environment_key, IssuerKey.Storage.ENVIRONMENT)
        elif active is None:
            private_key = Ed25519PrivateKey.generate()
            _write_key_file(private_key, kid_for(private_key.public_key()))
            active = _activate(private_key, IssuerKey.Storage.FILE)
    return SigningKey(active, _secret_of(active))


def rotate() -> IssuerKey:
    """Make a new file key the signing key; earlier keys stay published and keep verifying."""
    if conf.issuer_secret_key():
        raise IssuerKeyError(
            "ISSUER_SECRET_KEY is set, so the signing key comes from the environment: rotate "
            "by setting it to a new key (python manage.py rotate_issuer_key --print-new-secret "
            "prints one)."
        )
    with transaction.atomic():
        _lock()
        private_key = Ed25519PrivateKey.generate()
        _write_key_file(private_key, kid_for(private_key.public_key()))
        return _activate(private_key, IssuerKey.Storage.FILE)


def new_secret_multibase() -> str:
    """A fresh Ed25519 secret key as multibase text, for ISSUER_SECRET_KEY."""
    return private_key_to_multibase(Ed25519PrivateKey.generate())


def published_keys() -> list[IssuerKey]:
    """Every key the DID document lists: the active one first, then retired ones."""
    return list(IssuerKey.objects.order_by("-is_active", "-created_at", "-pk"))
