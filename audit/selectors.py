"""Reads of the audit log: what is pending, the latest signed tree head, receipts."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Min
from django.utils import timezone

from audit import anchors
from audit.merkle import MerkleTree
from audit.models import AuditEvent, TreeHead
from audit.multikey import public_key_to_multibase
from audit.services import event_bytes


@dataclass(frozen=True)
class PendingEvents:
    """Events recorded but not sequenced yet, and how long the oldest has waited."""

    count: int
    oldest_age: timedelta | None

    @property
    def oldest_age_seconds(self) -> float | None:
        return round(self.oldest_age.total_seconds(), 3) if self.oldest_age else None


def pending_events() -> PendingEvents:
    """How many events wait for the sequencer (a partial index answers it)."""
    found = AuditEvent.objects.filter(seq__isnull=True).aggregate(
        count=Count("id"), oldest=Min("occurred_at")
    )
    oldest = found["oldest"]
    return PendingEvents(found["count"], timezone.now() - oldest if oldest else None)


def latest_tree_head() -> anchors.SignedTreeHead | None:
    """The newest signed tree head the sequencer stored (None while the log is empty)."""
    head = TreeHead.objects.order_by("-tree_size").first()
    return anchors.SignedTreeHead.from_record(head) if head else None


def tree_head_summary(head: anchors.SignedTreeHead | None) -> dict | None:
    """A tree head as exports and receipts state it."""
    if head is None:
        return None
    return {
        "tree_size": head.tree_size,
        "root_hash": head.root_hash,
        "timestamp": head.timestamp,
        "signature": head.signature,
        "public_key_multibase": public_key_to_multibase(anchors.load_signing_key().public_key()),
    }


def receipt_entries(events, head: anchors.SignedTreeHead) -> list[dict]:
    """Each of ``events`` that ``head`` covers, in log order, with its canonical bytes and its
    inclusion proof under that head (the entries of a receipt)."""
    covered = AuditEvent.objects.filter(seq__isnull=False, seq__lte=head.tree_size)
    tree = MerkleTree(
        [
            bytes.fromhex(leaf)
            for leaf in covered.order_by("seq").values_list("leaf_hash", flat=True).iterator()
        ]
    )
    return [
        {
            "leaf_index": event.seq - 1,
            "event_bytes": base64.b64encode(event_bytes(event)).decode("ascii"),
            "leaf_hash": event.leaf_hash,
            "inclusion_proof": [
                node.hex() for node in tree.inclusion_proof(event.seq - 1, head.tree_size)
            ],
        }
        for event in events.filter(seq__isnull=False, seq__lte=head.tree_size).order_by("seq")
    ]


def audit_receipt(subject: str) -> dict:
    """Every sequenced event of ``subject`` with its inclusion proof under the latest head.

    With the public key, anyone can check the receipt without the database: each event's bytes
    hash to its leaf, its proof leads to ``root_hash`` (RFC 9162 §2.1.3.2), and the signature over
    ``{"root_hash", "timestamp", "tree_size"}`` verifies.
    """
    head = latest_tree_head()
    if head is None:
        return {"subject": subject, "tree_size": 0, "entries": []}
    entries = receipt_entries(AuditEvent.objects.filter(subject=subject), head)
    return {
        "subject": subject,
        "tree_size": head.tree_size,
        "root_hash": head.root_hash,
        "signed_tree_head": tree_head_summary(head),
        "entries": entries,
    }
