"""What an attacker with write access to the database could do to the audit log."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

from audit.canonical import sha256_hex
from audit.merkle import Frontier, leaf_hash
from audit.models import AuditEvent, TreeHead
from audit.services import GENESIS_HASH, event_bytes, record_event


@contextmanager
def audit_trigger_disabled() -> Iterator[None]:
    """Lift the append-only triggers as a superuser would, inside the test's transaction."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = origin")


def record(count: int, start: int = 1) -> list[AuditEvent]:
    """``count`` pending test events."""
    return [
        record_event("test.event", actor="system", subject=f"thing:{i}", payload={"i": i})
        for i in range(start, start + count)
    ]


def recompute_log() -> None:
    """Recompute every link, hash and leaf in sequence order, and the stored tree heads' roots
    (everything but their signatures, which need the key kept outside the database)."""
    previous, frontier, roots = GENESIS_HASH, Frontier(), {}
    with audit_trigger_disabled():
        for event in AuditEvent.objects.filter(seq__isnull=False).order_by("seq"):
            event.prev_hash = previous
            data = event_bytes(event)
            event.event_hash, event.leaf_hash = sha256_hex(data), leaf_hash(data).hex()
            AuditEvent.objects.filter(pk=event.pk).update(
                prev_hash=event.prev_hash, event_hash=event.event_hash, leaf_hash=event.leaf_hash
            )
            previous = event.event_hash
            frontier = frontier.extended([leaf_hash(data)])
            roots[frontier.size] = (frontier.root().hex(), [h.hex() for h in frontier.hashes])
        for head in TreeHead.objects.all():
            root, hashes = roots.get(head.tree_size, (head.root_hash, head.frontier))
            TreeHead.objects.filter(pk=head.pk).update(root_hash=root, frontier=hashes)
