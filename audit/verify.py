"""Verify the audit log: every link and leaf, every signed tree head, and that each head
extends the one before it (RFC 9162 §2.1.4). The first thing that does not hold is named."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from audit import anchors
from audit.canonical import sha256_hex
from audit.merkle import MerkleTree, leaf_hash, verify_consistency
from audit.models import AuditEvent
from audit.services import GENESIS_HASH, event_bytes


@dataclass(frozen=True)
class Verification:
    """The outcome: how much of the log holds, and the first thing that does not."""

    count: int
    head_hash: str
    heads: tuple[anchors.SignedTreeHead, ...]
    heads_checked: int
    anchor_file: Path
    problem: str = ""
    first_broken_seq: int | None = None

    @property
    def ok(self) -> bool:
        return not self.problem

    @property
    def last_head(self) -> anchors.SignedTreeHead | None:
        return self.heads[-1] if self.heads else None


@dataclass(frozen=True)
class _Walk:
    leaves: list[bytes]
    head_hash: str
    problem: str = ""
    broken_seq: int | None = None


def verify_audit_chain() -> Verification:
    """Check the file of signed heads, then the events in order, then the heads against them."""
    log = anchors.read_anchors()
    walk = _walk_events()
    tree = MerkleTree(walk.leaves)
    heads_problem, heads_checked, heads_broken_seq = _check_heads(log.heads, tree)
    # The file first (without a trusted key nothing else can be trusted), then the events.
    problem, broken_seq = next(
        (
            (text, seq)
            for text, seq in (
                (log.problem, None),
                (walk.problem, walk.broken_seq),
                (heads_problem, heads_broken_seq),
            )
            if text
        ),
        ("", None),
    )
    return Verification(
        count=tree.size,
        head_hash=walk.head_hash,
        heads=log.heads,
        heads_checked=heads_checked,
        anchor_file=log.path,
        problem=problem,
        first_broken_seq=broken_seq,
    )


def _walk_events() -> _Walk:
    """Sequence numbers, links, hashes and leaves, in order, up to the first that fails."""
    leaves: list[bytes] = []
    previous, expected = GENESIS_HASH, 1
    events = AuditEvent.objects.filter(seq__isnull=False).order_by("seq")
    for event in events.iterator(chunk_size=2000):
        problem = _event_problem(event, expected, previous)
        if problem:
            return _Walk(leaves, previous, f"event {expected}: {problem}", expected)
        leaves.append(bytes.fromhex(event.leaf_hash))
        previous, expected = event.event_hash, expected + 1
    return _Walk(leaves, previous)


def _event_problem(event: AuditEvent, expected: int, previous: str) -> str:
    if event.seq != expected:
        return f"sequence {expected} is missing"
    if event.prev_hash != previous:
        return "previous hash does not match the event before it"
    data = event_bytes(event)
    if sha256_hex(data) != event.event_hash:
        return "event content does not match its hash"
    if leaf_hash(data).hex() != event.leaf_hash:
        return "leaf hash does not match the event's content"
    try:
        json.loads(event.payload)
    except ValueError:
        return "payload is not JSON"
    return ""


def _check_heads(
    heads: tuple[anchors.SignedTreeHead, ...], tree: MerkleTree
) -> tuple[str, int, int | None]:
    """Each head's root against the log, through consistency with the head before it."""
    previous = None
    for checked, head in enumerate(heads):
        where = f"the tree head on anchor line {head.line_number} (size {head.tree_size})"
        if head.tree_size > tree.size:
            return (
                f"{where} signed more events than the log holds ({tree.size}): events were "
                "removed from its end",
                checked,
                tree.size + 1,
            )
        root = bytes.fromhex(head.root_hash)
        if previous is None:
            holds, first, against = tree.root(head.tree_size) == root, 1, "the log"
        else:
            holds = verify_consistency(
                previous.tree_size,
                head.tree_size,
                bytes.fromhex(previous.root_hash),
                root,
                tree.consistency_proof(previous.tree_size, head.tree_size),
            )
            first = previous.tree_size + 1
            against = (
                f"the log as the head on line {previous.line_number} (size "
                f"{previous.tree_size}) saw it (RFC 9162 consistency)"
            )
        if not holds:
            return (
                f"{where} does not match {against}: events {first} to {head.tree_size} were "
                "changed, removed, reordered or inserted since it was signed",
                checked,
                first,
            )
        previous = head
    return "", len(heads), None
