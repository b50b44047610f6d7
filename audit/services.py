"""The one door to the audit chain. Imports no other app, so every app may call it."""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from audit.canonical import canonical_json, sha256_hex
from audit.models import AuditEvent

GENESIS_HASH = "0" * 64
# Serialises writers so that sequence numbers and prev_hash links never fork.
_CHAIN_LOCK_KEY = 0x5C11_9A0F


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
    ACCOMMODATION_REQUESTED = "accommodation.requested"
    ACCOMMODATION_DECIDED = "accommodation.decided"
    # Recorded by the review queue, model training and credentials. A review decision's
    # subject is ``attempt:<public_id>``, its actor the reviewer and its payload carries the
    # ``reason`` (and the new ``run`` id), so audit exports can list it per attempt.
    REVIEW_DECIDED = "review.decided"
    MODEL_TRAINED = "model.trained"
    MODEL_ACTIVATED = "model.activated"
    MODEL_DEACTIVATED = "model.deactivated"
    CREDENTIAL_ISSUED = "credential.issued"
    CREDENTIAL_REVOKED = "credential.revoked"
    ISSUER_KEY_ROTATED = "issuer_key.rotated"
    # Recorded by compliance (reports, data rights) and by the candidate's data download.
    REPORT_EXPORTED = "report.exported"
    DATA_EXPORTED = "data.exported"
    DATA_ERASED = "data.erased"
    STAFF_LOGIN = "staff.login"
    # A wrong password or authenticator code; its subject is the account tried (or
    # ``user:unknown``), its payload the factor that failed and the client's address.
    STAFF_LOGIN_FAILED = "staff.login_failed"
    STAFF_AUTHENTICATOR_ADDED = "staff.authenticator_added"
    ROLE_CHANGED = "staff.role_changed"


def actor_for_user(user) -> str:
    """The audit actor string for a staff user (or system when there is none)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return "system"
    return f"user:{user.pk}"


def event_hash(fields: dict[str, Any]) -> str:
    """The sha256 of an event's canonical fields (everything but its own hash)."""
    return sha256_hex(canonical_json(fields))


def hashed_fields(event: AuditEvent) -> dict[str, Any]:
    """The fields an event's hash covers, as stored."""
    return {
        "seq": event.seq,
        "occurred_at": event.occurred_at.isoformat(),
        "actor": event.actor,
        "action": event.action,
        "subject": event.subject,
        "payload": event.payload,
        "prev_hash": event.prev_hash,
    }


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])


@transaction.atomic
def record_event(
    action: str, *, actor: str, subject: str, payload: dict | None = None
) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction."""
    _lock_chain()
    head = AuditEvent.objects.order_by("-seq").only("seq", "event_hash").first()
    event = AuditEvent(
        seq=(head.seq + 1) if head else 1,
        occurred_at=timezone.now(),
        actor=actor,
        action=action,
        subject=subject,
        payload=canonical_json(payload or {}).decode("utf-8"),
        prev_hash=head.event_hash if head else GENESIS_HASH,
    )
    event.event_hash = event_hash(hashed_fields(event))
    event.save(force_insert=True)
    return event


@dataclass(frozen=True)
class ChainHead:
    """The newest event of the chain: how many events there are and the hash they end in."""

    seq: int
    event_hash: str

    @property
    def count(self) -> int:
        # Sequence numbers start at 1 and have no gaps in a chain that verifies.
        return self.seq


def chain_head() -> ChainHead:
    """The current head (seq 0 and the genesis hash while the chain is empty)."""
    head = AuditEvent.objects.order_by("-seq").values_list("seq", "event_hash").first()
    return ChainHead(*head) if head else ChainHead(0, GENESIS_HASH)


@dataclass(frozen=True)
class ChainReport:
    """The outcome of verifying the chain."""

    count: int
    head_hash: str
    first_broken_seq: int | None
    reason: str = ""
    # How many externally anchored checkpoints the walk compared.
    checkpoints_checked: int = 0

    @property
    def ok(self) -> bool:
        return self.first_broken_seq is None


def verify_chain(checkpoints: Mapping[int, str] | None = None) -> ChainReport:
    """Walk the chain in sequence order and name the first link that does not hold.

    ``checkpoints`` maps sequence numbers to the event hash recorded outside the database (the
    signed anchors): a chain recomputed after an edit links up again, but no longer ends in the
    hash that was anchored.
    """
    checkpoints = dict(checkpoints or {})
    expected_prev, expected_seq, count, checked = GENESIS_HASH, 1, 0, 0
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=2000):
        if event.seq != expected_seq:
            return ChainReport(
                count, expected_prev, expected_seq, f"sequence {expected_seq} is missing", checked
            )
        if event.prev_hash != expected_prev:
            return ChainReport(
                count, expected_prev, event.seq, "previous hash does not match", checked
            )
        if event_hash(hashed_fields(event)) != event.event_hash:
            return ChainReport(
                count, expected_prev, event.seq, "event content does not match its hash", checked
            )
        try:
            json.loads(event.payload)
        except ValueError:
            return ChainReport(count, expected_prev, event.seq, "payload is not JSON", checked)
        anchored = checkpoints.pop(event.seq, None)
        if anchored is not None:
            if anchored != event.event_hash:
                return ChainReport(
                    count,
                    expected_prev,
                    event.seq,
                    "the chain no longer matches the hash anchored outside the database at "
                    "this sequence number: an event at or before it was changed and the chain "
                    "recomputed",
                    checked,
                )
            checked += 1
        expected_prev, expected_seq, count = event.event_hash, expected_seq + 1, count + 1
    if checkpoints:
        # The chain is shorter than an anchor says it was: events were removed from its end.
        return ChainReport(
            count,
            expected_prev,
            expected_seq,
            f"sequence {expected_seq} is missing (the chain was anchored up to sequence "
            f"{max(checkpoints)})",
            checked,
        )
    return ChainReport(count, expected_prev, None, "", checked)
