"""The credentials app's settings, each read with a development default.

Every value can be set in hiring/settings.py; until it is, the environment variable of the same
name (where one is listed) and then the default apply.
"""

import os
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _setting(name: str, default):
    value = getattr(settings, name, None)
    if value is not None:
        return value
    return os.environ.get(name) or default


def _int_setting(name: str, default: int) -> int:
    return int(_setting(name, default))


def site_url() -> str:
    """The public base URL: credential links, the issuer's did:web and emails derive from it."""
    return settings.SITE_URL.rstrip("/")


def issuer_key_dir() -> Path:
    """Where the issuer's Ed25519 secret keys live, one file per key (ISSUER_KEY_DIR)."""
    return Path(_setting("ISSUER_KEY_DIR", Path(settings.DATA_DIR) / "keys"))


def issuer_secret_key() -> str:
    """A multibase Ed25519 secret key from the environment (ISSUER_SECRET_KEY), or ''.

    When set it is the signing key and no key file is written; setting a new value rotates.
    """
    return str(_setting("ISSUER_SECRET_KEY", "")).strip()


def issuer_name() -> str:
    """The organisation named as the issuer of every credential (ISSUER_NAME)."""
    return str(_setting("ISSUER_NAME", "Skillproof"))


def issuer_url() -> str:
    """The issuer's public website (ISSUER_URL), by default the site itself."""
    return str(_setting("ISSUER_URL", "") or site_url())


def issuer_email() -> str:
    """A contact address published in the issuer profile (ISSUER_EMAIL), or ''."""
    return str(_setting("ISSUER_EMAIL", ""))


def issuer_description() -> str:
    """One sentence about the issuer for its profile (ISSUER_DESCRIPTION)."""
    return str(
        _setting(
            "ISSUER_DESCRIPTION",
            "Issues skill credentials to candidates who pass its published, rubric-scored "
            "scenario assessments.",
        )
    )


def status_list_size() -> int:
    """Bits per status list; the specification's minimum is 131,072 (STATUS_LIST_SIZE)."""
    return _int_setting("STATUS_LIST_SIZE", 131_072)


def status_list_max_age() -> int:
    """Cache-Control max-age of a served status list, in seconds (STATUS_LIST_MAX_AGE)."""
    return _int_setting("STATUS_LIST_MAX_AGE", 60)


def ler_email_hash_key() -> str:
    """The secret that keys the learner records' email HMAC (LER_EMAIL_HASH_KEY).

    Defaults to SECRET_KEY. Set it on its own in production if SECRET_KEY may be rotated: a new
    key makes existing records unreachable by email (their credentials stay valid) until the
    records are re-keyed from their invitations' addresses, as migration 0003 does.
    """
    return str(_setting("LER_EMAIL_HASH_KEY", "") or settings.SECRET_KEY)


def ler_link_minutes() -> int:
    """Lifetime of a one-time LER sign-in link asked for on the site (LER_LINK_TTL_MINUTES)."""
    return _int_setting("LER_LINK_TTL_MINUTES", 60)


def ler_issuance_link_days() -> int:
    """Lifetime of the one-time LER link in the 'credential issued' email (days)."""
    return _int_setting("LER_ISSUANCE_LINK_TTL_DAYS", 7)


def ler_session_hours() -> int:
    """How long a session opened by a one-time link lasts (LER_SESSION_HOURS)."""
    return _int_setting("LER_SESSION_HOURS", 8)


def ler_links_per_hour() -> int:
    """Sign-in links one record may be sent per hour, against mail flooding."""
    return _int_setting("LER_LINKS_PER_HOUR", 5)


def verify_rate() -> str:
    """Verifications allowed per client address, API and page together (VERIFY_API_RATE)."""
    return str(_setting("VERIFY_API_RATE", "120/min"))


def verify_request_seconds() -> float:
    """Seconds one verification request may spend, shared by every document in it (a CLR and
    its credentials), so that nesting cannot multiply the cost (VERIFY_REQUEST_SECONDS)."""
    return float(_setting("VERIFY_REQUEST_SECONDS", 5.0))


def verify_max_embedded_anonymous() -> int:
    """Credentials inside a CLR checked for a caller who is not signed in; staff and
    `manage.py verify_credential` check more (VERIFY_MAX_EMBEDDED_ANONYMOUS)."""
    return _int_setting("VERIFY_MAX_EMBEDDED_ANONYMOUS", 10)


def verify_trusted_issuers() -> frozenset[str]:
    """DIDs of other issuers whose credentials this deployment vouches for, besides its own
    keys (VERIFY_TRUSTED_ISSUERS, comma-separated). Only offline-resolvable DIDs (did:key) can
    ever verify, since the verifier never fetches keys."""
    value = _setting("VERIFY_TRUSTED_ISSUERS", "")
    entries = value.split(",") if isinstance(value, str) else value
    dids = frozenset(entry.strip() for entry in entries if entry.strip())
    not_dids = sorted(did for did in dids if not did.startswith("did:"))
    if not_dids:
        raise ImproperlyConfigured(
            f"VERIFY_TRUSTED_ISSUERS lists {', '.join(map(repr, not_dids))}, which is not a DID: "
            "list issuers by DID (did:key:z6Mk…), never by name, since anyone can write any name "
            "into a credential."
        )
    return dids
