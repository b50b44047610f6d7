"""The audit log's writes: recording an event, and sequencing pending events into the log.

Writers only insert (no lock, no read of the log's end), so recording never serialises
requests or jobs. One sequencer at a time then appends committed events to the log: gapless
sequence numbers, the previous event's hash, the RFC 9162 Merkle tree and a signed tree head.
Imports no other app, so every app may call it.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from audit import anchors
from audit.canonical import canonical_json, sha256_hex
from audit.exceptions import LogMismatch
from audit.merkle import Frontier, leaf_hash
from audit.models import AuditEvent, TreeHead

logger = logging.getLogger(__name__)

GENESIS_HASH = "0" * 64
# Held by sequencers only, never by writers: two sequencers would fork the log.
_SEQUENCER_LOCK_KEY = 0x5C11_9A0F
# Events per transaction (and per signed tree head) when many are pending.
SEQUENCER_BATCH_SIZE = 2000


class Action:
    """Names of audited actions, defined once."""

    VERSION_PUBLISHED = "version.published"
    INVITATION_CREATED = "invitation.created"
    INVITATION_SENT = "invitation.sent"
    CONSENT_GIVEN = "attempt.consent"
    ATTEMPT_STARTED = "attempt.started"
    ATTEMPT_SUBMITTED = "attempt.submitted"
    ATTEMPT_AUTO_SUBMITTED = "attempt.auto_submitted"
    SCORE_RUN_STORED = "score_run.stored"
    SCORE_RUN_SUPERSEDED = "score_run.superseded"
    SCORING_FAILED = "scoring.failed"
    INVITATION_RENEWED = "invitation.renewed"
    # A CSV of candidates (#18): subject ``invitation_import:<id>``; payloads count rows, never
    # list names or addresses.
    INVITATION_IMPORT_STARTED = "invitation_import.started"
    INVITATION_IMPORT_FINISHED = "invitation_import.finished"
    ACCOMMODATION_REQUESTED = "accommodation.requested"
    ACCOMMODATION_DECIDED = "accommodation.decided"
    # Recorded by the review queue, model training and credentials. A review decision's
    # subject is ``attempt:<public_id>``, its actor the reviewer and its payload carries the
    # ``reason`` (and the new ``run`` id), so audit exports can list it per attempt.
    REVIEW_DECIDED = "review.decided"
    MODEL_TRAINED = "model.trained"
    MODEL_ACTIVATED = "model.activated"
    MODEL_DEACTIVATED = "model.deactivated"
    MODEL_PINNED = "model.pinned"
    MODEL_UNPINNED = "model.unpinned"
    MODEL_ROLLED_BACK = "model.rolled_back"
    CREDENTIAL_ISSUED = "credential.issued"
    CREDENTIAL_REVOKED = "credential.revoked"
    ISSUER_KEY_ROTATED = "issuer_key.rotated"
    # Recorded by compliance (reports, data rights) and by the candidate's data download.
    REPORT_EXPORTED = "report.exported"
    DATA_EXPORTED = "data.exported"
    DATA_ERASED = "data.erased"
    # A bias audit published as a public summary (#17); subject ``assessment:<slug>``, payload
    # its number, audit date and the sha256 of the published document.
    BIAS_AUDIT_PUBLISHED = "bias_audit.published"
    # A named retention policy created or changed (its period, coverage or assessments).
    RETENTION_POLICY_CHANGED = "retention_policy.changed"
    STAFF_LOGIN = "staff.login"
    # A wrong password or authenticator code; its subject is the account tried (or
    # ``user:unknown``), its payload the factor that failed and the client's address.
    STAFF_LOGIN_FAILED = "staff.login_failed"
    STAFF_AUTHENTICATOR_ADDED = "staff.authenticator_added"
    ROLE_CHANGED = "staff.role_changed"
    # The integration API (#16): subject ``api_key:<id>`` or ``webhook:<id>``; payloads name the
    # key (prefix, scopes, owner) or the subscription (url, events), never a secret.
    API_KEY_CREATED = "api_key.created"
    API_KEY_REVOKED = "api_key.revoked"
    INVITATION_CANCELLED = "invitation.cancelled"
    WEBHOOK_SUBSCRIBED = "webhook.subscribed"
    WEBHOOK_CHANGED = "webhook.changed"
    WEBHOOK_DELETED = "webhook.deleted"
    WEBHOOK_DISABLED = "webhook.disabled"
    # Human oversight (#17): the stop button of an assessment; subject ``assessment:<slug>``,
    # payload the pause's id and reason (and, on resume, how long it lasted).
    AUTOMATION_PAUSED = "automation.paused"
    AUTOMATION_RESUMED = "automation.resumed"
    # A candidate's explanation or correction request and each step staff take on it; subject
    # ``data_request:<public id>``.
    DATA_REQUEST_RECEIVED = "data_request.received"
    DATA_REQUEST_DRAFTED = "data_request.drafted"
    DATA_REQUEST_ANSWERED = "data_request.answered"


def actor_for_user(user) -> str:
    """The audit actor string for a staff user (or system when there is none)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return "system"
    return f"user:{user.pk}"


def hashed_fields(event: AuditEvent) -> dict[str, Any]:
    """The fields an event's hashes cover, as stored."""
    return {
        "seq": event.seq,
        "occurred_at": event.occurred_at.isoformat(),
        "actor": event.actor,
        "action": event.action,
        "subject": event.subject,
        "payload": event.payload,
        "prev_hash": event.prev_hash,
    }


def event_bytes(event: AuditEvent) -> bytes:
    """The canonical bytes of a sequenced event: what its hash, its leaf and receipts cover."""
    return canonical_json(hashed_fields(event))


def record_event(
    action: str, *, actor: str, subject: str, payload: dict | None = None
) -> AuditEvent:
    """Record one event, pending, inside the caller's transaction: it is in the log if and
    only if that transaction commits. The sequencer appends it within seconds."""
    return AuditEvent.objects.create(
        occurred_at=timezone.now(),
        actor=actor,
        action=action,
        subject=subject,
        payload=canonical_json(payload or {}).decode("utf-8"),
    )


def sequence_pending_events(*, wait: bool = False) -> int:
    """Append every committed pending event to the log and publish the signed tree heads.

    Returns how many events were sequenced. Without ``wait`` it does nothing while another
    sequencer runs (the beat task: that one will take them); with ``wait`` it queues behind it,
    for callers that must see their own events sequenced (exports, receipts, tests).
    """
    sequenced = 0
    while (count := _sequence_batch(wait=wait)) is not None:
        sequenced += count
        if count < SEQUENCER_BATCH_SIZE:
            break
    publish_tree_heads()
    return sequenced


def _sequence_batch(*, wait: bool) -> int | None:
    """One transaction: the next batch of pending events and its tree head (None: locked)."""
    with transaction.atomic():
        if not _take_sequencer_lock(wait=wait):
            return None
        # Only committed events are visible here, in the order they were inserted.
        pending = list(
            AuditEvent.objects.filter(seq__isnull=True).order_by("id")[:SEQUENCER_BATCH_SIZE]
        )
        if not pending:
            return 0
        frontier, seq, previous = _log_end()
        _check_against_published(frontier)
        leaves = []
        for event in pending:
            seq += 1
            event.seq, event.prev_hash = seq, previous
            data = event_bytes(event)
            event.event_hash, leaf = sha256_hex(data), leaf_hash(data)
            event.leaf_hash = leaf.hex()
            leaves.append(leaf)
            previous = event.event_hash
        AuditEvent.objects.bulk_update(
            pending, ["seq", "prev_hash", "event_hash", "leaf_hash"], batch_size=500
        )
        _store_tree_head(frontier.extended(leaves))
        return len(pending)


def _take_sequencer_lock(*, wait: bool) -> bool:
    if connection.vendor != "postgresql":
        # SQLite (development) already lets one writer at a time in.
        return True
    with connection.cursor() as cursor:
        if wait:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_SEQUENCER_LOCK_KEY])
            return True
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_SEQUENCER_LOCK_KEY])
        return cursor.fetchone()[0]


def _log_end() -> tuple[Frontier, int, str]:
    """The tree so far, the last sequence number and the last event's hash."""
    head = TreeHead.objects.order_by("-tree_size").first()
    frontier = (
        Frontier(head.tree_size, tuple(bytes.fromhex(h) for h in head.frontier))
        if head
        else Frontier()
    )
    # Every sequenced event is under a head: the sequencer numbers a batch and stores its
    # head in one transaction, and the database refuses any other numbering.
    last = AuditEvent.objects.filter(seq__isnull=False).order_by("-seq").first()
    if last is None:
        return frontier, 0, GENESIS_HASH
    return frontier, last.seq, last.event_hash


def _check_against_published(frontier: Frontier) -> None:
    """Refuse to extend a tree that no longer has the root last signed outside the database."""
    published = anchors.last_published_head()
    if published is None or published.tree_size != frontier.size:
        # An empty file, or the file behind after a crash: publish_tree_heads catches up.
        return
    if published.root_hash != frontier.root().hex():
        raise LogMismatch(
            f"The audit log's first {frontier.size} events no longer have the root signed in "
            f"{anchors.anchor_file_path()}: nothing more is signed until verify_audit_chain "
            "has been run and the log restored."
        )


def _store_tree_head(frontier: Frontier) -> TreeHead:
    signed = anchors.sign_tree_head(
        tree_size=frontier.size,
        root_hash=frontier.root().hex(),
        timestamp=int(timezone.now().timestamp() * 1000),
    )
    return TreeHead.objects.create(
        tree_size=signed.tree_size,
        root_hash=signed.root_hash,
        timestamp=signed.timestamp,
        signature=signed.signature,
        key_id=signed.key_id,
        frontier=[h.hex() for h in frontier.hashes],
    )


def publish_tree_heads() -> int:
    """Append to the anchor file every stored tree head it does not hold yet.

    Runs after the batch committed: a sequencer killed in between leaves the head in the
    database only, and the next run publishes it.
    """
    last = anchors.last_published_head()
    published = last.tree_size if last else 0
    heads = [
        anchors.SignedTreeHead.from_record(head)
        for head in TreeHead.objects.filter(tree_size__gt=published).order_by("tree_size")
    ]
    # The file checks again under its lock: another sequencer may have just published them.
    return anchors.append_tree_heads(heads) if heads else 0
