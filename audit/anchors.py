"""Signed checkpoints of the audit chain, kept outside the database.

Anyone who can write to the database can edit an event and recompute every later hash, and the
chain alone would verify again. So at intervals (a beat task and `anchor_audit_chain`) the head
of the chain is signed with an Ed25519 key that lives in a file, and the signed checkpoint is
appended to a file the database user cannot rewrite (by default both under
``SKILLPROOF_DATA_DIR``; point ``AUDIT_ANCHOR_FILE`` at an append-only location, e.g. a file
with ``chattr +a`` or a volume shipped to write-once storage). Verification checks the chain
against every anchor: a rewritten chain no longer ends in the anchored hash.

Each anchor line is canonical JSON: ``{"format", "seq", "event_hash", "anchored_at",
"prev_anchor", "key_id", "signature"}``. ``prev_anchor`` is the sha256 of the previous line's
signed body, so removing or reordering anchor lines is detected too. Like `audit.services`,
this module imports no other app.
"""

from __future__ import annotations

import base64
import fcntl
import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from django.conf import settings
from django.utils import timezone

from audit.canonical import canonical_json, sha256_hex
from audit.services import GENESIS_HASH, ChainReport, chain_head, verify_chain

logger = logging.getLogger(__name__)

ANCHOR_FORMAT = "skillproof/audit-anchor@1"
_SIGNED_FIELDS = ("format", "seq", "event_hash", "anchored_at", "prev_anchor", "key_id")


class AnchorError(Exception):
    """The signing key or the anchor file cannot be used."""


def anchor_file_path() -> Path:
    """Where anchors are appended (setting ``AUDIT_ANCHOR_FILE``)."""
    configured = getattr(settings, "AUDIT_ANCHOR_FILE", None)
    return Path(configured) if configured else Path(settings.DATA_DIR) / "audit-anchors.jsonl"


def signing_key_path() -> Path:
    """The Ed25519 private key, PEM (setting ``AUDIT_SIGNING_KEY_FILE``)."""
    configured = getattr(settings, "AUDIT_SIGNING_KEY_FILE", None)
    return Path(configured) if configured else Path(settings.DATA_DIR) / "audit-signing-key.pem"


def key_id(public_key: Ed25519PublicKey) -> str:
    """A short, stable name for a public key: ``ed25519:`` and 16 hex digits of its sha256."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "ed25519:" + sha256_hex(raw)[:16]


def load_signing_key(*, create: bool = False) -> Ed25519PrivateKey:
    """The signing key from its file; with ``create``, a new key is written when there is none.

    The public half is written next to it (``.pub``) so an auditor can verify the anchors
    without the private key.
    """
    path = signing_key_path()
    if not path.exists():
        if not create:
            raise AnchorError(f"There is no audit signing key at {path}.")
        _create_key(path)
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError) as error:
        raise AnchorError(f"The audit signing key at {path} cannot be read: {error}") from error
    if not isinstance(key, Ed25519PrivateKey):
        raise AnchorError(f"The key at {path} is not an Ed25519 private key.")
    return key


def _create_key(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    try:
        # O_EXCL: two processes creating the key at once must not end up with different keys.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    path.with_suffix(path.suffix + ".pub").write_bytes(public_pem)


@dataclass(frozen=True)
class Anchor:
    """One signed checkpoint: the chain had ``seq`` events ending in ``event_hash``."""

    seq: int
    event_hash: str
    anchored_at: str
    prev_anchor: str
    key_id: str
    signature: str
    line_number: int = 0

    def body(self) -> dict:
        """The signed fields."""
        return {
            "format": ANCHOR_FORMAT,
            "seq": self.seq,
            "event_hash": self.event_hash,
            "anchored_at": self.anchored_at,
            "prev_anchor": self.prev_anchor,
            "key_id": self.key_id,
        }

    @property
    def body_hash(self) -> str:
        """What the next anchor's ``prev_anchor`` must be."""
        return sha256_hex(canonical_json(self.body()))

    @property
    def anchored_time(self) -> datetime:
        return datetime.fromisoformat(self.anchored_at)


@dataclass(frozen=True)
class AnchorLog:
    """The anchors read from the file, and whatever about them does not verify."""

    path: Path
    anchors: tuple[Anchor, ...] = ()
    problems: tuple[str, ...] = ()

    @property
    def last(self) -> Anchor | None:
        return self.anchors[-1] if self.anchors else None


@contextmanager
def _locked(path: Path, mode: str) -> Iterator:
    with open(path, mode) as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX if "a" in mode else fcntl.LOCK_SH)
        try:
            yield handle
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def read_anchors(path: Path | None = None) -> AnchorLog:
    """Parse and check every anchor: signature, format, links between lines, rising seq."""
    path = path or anchor_file_path()
    if not path.exists():
        return AnchorLog(path)
    with _locked(path, "r") as handle:
        lines = handle.read().splitlines()
    return _check_lines(path, lines)


def _check_lines(path: Path, lines: list[str]) -> AnchorLog:
    if not lines:
        return AnchorLog(path)
    try:
        public_key = load_signing_key().public_key()
    except AnchorError as error:
        return AnchorLog(path, (), (f"{error} The anchors in {path} cannot be verified.",))
    trusted_id = key_id(public_key)
    anchors: list[Anchor] = []
    problems: list[str] = []
    previous_hash, previous_seq = GENESIS_HASH, 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            anchor = _parse(line, number)
        except (ValueError, KeyError, TypeError) as error:
            problems.append(f"anchor line {number} cannot be read ({error}).")
            continue
        if anchor.key_id != trusted_id:
            problems.append(
                f"anchor line {number} is signed by {anchor.key_id}, not the trusted key "
                f"{trusted_id}."
            )
            continue
        try:
            public_key.verify(
                base64.b64decode(anchor.signature, validate=True),
                canonical_json(anchor.body()),
            )
        except (InvalidSignature, ValueError):
            problems.append(f"anchor line {number}: the signature does not verify.")
            continue
        if anchor.prev_anchor != previous_hash:
            problems.append(
                f"anchor line {number} does not follow the line before it (anchor lines were "
                "removed, reordered or inserted)."
            )
        if anchor.seq < previous_seq:
            problems.append(f"anchor line {number} goes back to sequence {anchor.seq}.")
        anchors.append(anchor)
        previous_hash, previous_seq = anchor.body_hash, anchor.seq
    return AnchorLog(path, tuple(anchors), tuple(problems))


def _parse(line: str, number: int) -> Anchor:
    data = json.loads(line)
    if data.get("format") != ANCHOR_FORMAT:
        raise ValueError(f"unknown format {data.get('format')!r}")
    return Anchor(
        seq=int(data["seq"]),
        event_hash=str(data["event_hash"]),
        anchored_at=str(data["anchored_at"]),
        prev_anchor=str(data["prev_anchor"]),
        key_id=str(data["key_id"]),
        signature=str(data["signature"]),
        line_number=number,
    )


def append_anchor(*, force: bool = False) -> Anchor | None:
    """Sign the current head and append it; None when the chain is empty or already anchored.

    The file is opened for appending only and locked, so concurrent runs never interleave.
    """
    head = chain_head()
    if head.seq == 0:
        return None
    key = load_signing_key(create=True)
    path = anchor_file_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with _locked(path, "a+") as handle:
        handle.seek(0)
        existing = [line for line in handle.read().splitlines() if line.strip()]
        previous = _last_parsed(existing)
        if previous is not None and previous.seq == head.seq and not force:
            return None
        anchor = Anchor(
            seq=head.seq,
            event_hash=head.event_hash,
            anchored_at=timezone.now().isoformat(),
            prev_anchor=previous.body_hash if previous else GENESIS_HASH,
            key_id=key_id(key.public_key()),
            signature="",
            line_number=len(existing) + 1,
        )
        signature = base64.b64encode(key.sign(canonical_json(anchor.body()))).decode("ascii")
        line = canonical_json({**anchor.body(), "signature": signature}).decode("utf-8")
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    # A second copy for whatever ships the logs off this machine.
    logger.info("audit chain anchored: %s", line)
    return Anchor(**{**anchor.__dict__, "signature": signature})


def _last_parsed(lines: list[str]) -> Anchor | None:
    for number in range(len(lines), 0, -1):
        try:
            return _parse(lines[number - 1], number)
        except (ValueError, KeyError, TypeError):
            continue
    return None


@dataclass(frozen=True)
class Verification:
    """The chain checked link by link and against every anchor."""

    chain: ChainReport
    anchors: AnchorLog
    problems: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return self.chain.ok and not self.problems

    @property
    def last_anchor(self) -> Anchor | None:
        return self.anchors.last


def verify_audit_chain() -> Verification:
    """Verify every link of the chain and check it against the signed anchors."""
    log = read_anchors()
    # Only anchors whose signature verifies are trusted as checkpoints.
    checkpoints: dict[int, str] = {}
    problems = list(log.problems)
    for anchor in log.anchors:
        known = checkpoints.get(anchor.seq)
        if known is not None and known != anchor.event_hash:
            problems.append(f"anchor line {anchor.line_number} contradicts an earlier anchor.")
        checkpoints.setdefault(anchor.seq, anchor.event_hash)
    return Verification(verify_chain(checkpoints), log, tuple(problems))
