"""Signed tree heads of the audit log, kept outside the database.

Anyone who can write to the database can edit an event and recompute every hash after it, and
the log alone would verify again. So the sequencer signs each tree head it makes (RFC 9162
§4.10: tree size, root hash, time) with an Ed25519 key that lives in a file, and appends it to
a file the database user cannot rewrite (by default both under ``SKILLPROOF_DATA_DIR``; point
``AUDIT_ANCHOR_FILE`` at an append-only location, e.g. a file with ``chattr +a`` or a volume
shipped to write-once storage). Verification checks the log against every head: a rewritten log
no longer has the signed roots.

The signature covers the canonical JSON of ``{"root_hash", "timestamp", "tree_size"}`` (sorted
keys, no spaces, UTF-8; the timestamp in milliseconds since the epoch), so anyone holding the
public key can check a head, or a receipt, without this code. Each line of the file is canonical
JSON: the three signed fields, ``format``, ``key_id`` and ``signature`` (base64). Like the rest
of `audit`, imports no other app.
"""

from __future__ import annotations

import base64
import fcntl
import json
import logging
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from django.conf import settings

from audit.canonical import canonical_json, sha256_hex
from audit.exceptions import AnchorError

logger = logging.getLogger(__name__)

TREE_HEAD_FORMAT = "skillproof/tree-head@1"


def anchor_file_path() -> Path:
    """Where anchors are appended (setting ``AUDIT_ANCHOR_FILE``)."""
    return Path(settings.AUDIT_ANCHOR_FILE)


def signing_key_path() -> Path:
    """The Ed25519 private key, PEM (setting ``AUDIT_SIGNING_KEY_FILE``)."""
    return Path(settings.AUDIT_SIGNING_KEY_FILE)


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


def signed_bytes(*, tree_size: int, root_hash: str, timestamp: int) -> bytes:
    """What a tree head's signature covers."""
    return canonical_json({"root_hash": root_hash, "timestamp": timestamp, "tree_size": tree_size})


@dataclass(frozen=True)
class SignedTreeHead:
    """The log's first ``tree_size`` events have ``root_hash``; signed at ``timestamp`` (ms)."""

    tree_size: int
    root_hash: str
    timestamp: int
    signature: str
    key_id: str
    line_number: int = 0

    @classmethod
    def from_record(cls, record) -> SignedTreeHead:
        """From anything holding the five fields (a stored `TreeHead`)."""
        return cls(
            record.tree_size, record.root_hash, record.timestamp, record.signature, record.key_id
        )

    def signed_bytes(self) -> bytes:
        return signed_bytes(
            tree_size=self.tree_size, root_hash=self.root_hash, timestamp=self.timestamp
        )

    def line(self) -> str:
        """The line appended to the anchor file."""
        return canonical_json(
            {
                "format": TREE_HEAD_FORMAT,
                "tree_size": self.tree_size,
                "root_hash": self.root_hash,
                "timestamp": self.timestamp,
                "key_id": self.key_id,
                "signature": self.signature,
            }
        ).decode("utf-8")

    @property
    def signed_at(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp / 1000, tz=UTC)


def sign_tree_head(*, tree_size: int, root_hash: str, timestamp: int) -> SignedTreeHead:
    """Sign a tree head with the audit key (created on first use)."""
    key = load_signing_key(create=True)
    signature = key.sign(
        signed_bytes(tree_size=tree_size, root_hash=root_hash, timestamp=timestamp)
    )
    return SignedTreeHead(
        tree_size,
        root_hash,
        timestamp,
        base64.b64encode(signature).decode("ascii"),
        key_id(key.public_key()),
    )


@dataclass(frozen=True)
class AnchorLog:
    """The signed heads read from the file, up to the first line that does not hold."""

    path: Path
    heads: tuple[SignedTreeHead, ...] = ()
    problem: str = ""

    @property
    def last(self) -> SignedTreeHead | None:
        return self.heads[-1] if self.heads else None


@contextmanager
def _locked(path: Path, mode: str) -> Iterator:
    with open(path, mode) as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX if "a" in mode else fcntl.LOCK_SH)
        try:
            yield handle
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def read_anchors(path: Path | None = None) -> AnchorLog:
    """Parse and check every line: format, key, signature, and heads that never go back."""
    path = path or anchor_file_path()
    if not path.exists():
        return AnchorLog(path)
    with _locked(path, "r") as handle:
        lines = [(n, line) for n, line in enumerate(handle.read().splitlines(), 1) if line.strip()]
    if not lines:
        return AnchorLog(path)
    try:
        public_key = load_signing_key().public_key()
    except AnchorError as error:
        return AnchorLog(
            path, problem=f"{error} The signed tree heads in {path} cannot be checked."
        )
    heads: list[SignedTreeHead] = []
    for number, line in lines:
        problem = _check_line(public_key, number, line, heads)
        if problem:
            return AnchorLog(path, tuple(heads), f"anchor line {number}: {problem}")
    return AnchorLog(path, tuple(heads))


def _check_line(
    public_key: Ed25519PublicKey,
    number: int,
    line: str,
    heads: list[SignedTreeHead],
) -> str:
    """Add the line's head, or say what does not hold about it."""
    try:
        data = json.loads(line)
        if data["format"] != TREE_HEAD_FORMAT:
            raise ValueError(f"unknown format {data['format']!r}")
        signature = base64.b64decode(data["signature"], validate=True)
        head = SignedTreeHead(
            int(data["tree_size"]),
            str(data["root_hash"]),
            int(data["timestamp"]),
            data["signature"],
            str(data["key_id"]),
            number,
        )
        body = head.signed_bytes()
    except (ValueError, KeyError, TypeError) as error:
        return f"cannot be read ({error})."
    trusted = key_id(public_key)
    if data["key_id"] != trusted:
        return f"signed by {data['key_id']}, not the trusted key {trusted}."
    try:
        public_key.verify(signature, body)
    except InvalidSignature:
        return "the signature does not verify."
    previous = heads[-1] if heads else None
    if previous and head.tree_size < previous.tree_size:
        return (
            f"the tree goes back from {previous.tree_size} to {head.tree_size} events (lines "
            "were reordered, or the log was rebuilt)."
        )
    if previous and head.timestamp < previous.timestamp:
        return "the tree head is older than the one before it (lines were reordered)."
    heads.append(head)
    return ""


def last_published_head() -> SignedTreeHead | None:
    """The last tree head in the anchor file, as written (None when there is none)."""
    path = anchor_file_path()
    if not path.exists():
        return None
    with _locked(path, "rb") as handle:
        return _last_head(handle)


def _last_head(handle) -> SignedTreeHead | None:
    """Read the file backwards a block at a time: it grows by a line a second, for years."""
    handle.seek(0, os.SEEK_END)
    end, tail = handle.tell(), b""
    while end > 0:
        start = max(0, end - 8192)
        handle.seek(start)
        tail = handle.read(end - start) + tail
        end = start
        # Until the start of the file is read, the first piece may be part of a longer line.
        first, *lines = tail.split(b"\n") if start else [b"", *tail.split(b"\n")]
        for line in reversed(lines):
            head = _parse_head(line)
            if head is not None:
                return head
        tail = first
    return None


def _parse_head(line: bytes) -> SignedTreeHead | None:
    try:
        data = json.loads(line)
        if data.get("format") != TREE_HEAD_FORMAT:
            return None
        return SignedTreeHead(
            int(data["tree_size"]),
            str(data["root_hash"]),
            int(data["timestamp"]),
            str(data["signature"]),
            str(data["key_id"]),
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def append_tree_heads(heads: Iterable[SignedTreeHead]) -> int:
    """Append the heads larger than the file's last one; returns how many were appended.

    The file is opened for appending only and locked, so concurrent sequencers never interleave
    lines or publish a head twice.
    """
    path = anchor_file_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with _locked(path, "ab+") as handle:
        last = _last_head(handle)
        published = last.tree_size if last else 0
        lines = [head.line() for head in heads if head.tree_size > published]
        if not lines:
            return 0
        handle.write("".join(line + "\n" for line in lines).encode("utf-8"))
        handle.flush()
        os.fsync(handle.fileno())
    for line in lines:
        # A second copy for whatever ships the logs off this machine.
        logger.info("audit tree head signed: %s", line)
    return len(lines)
