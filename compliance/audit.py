"""The one door to the audit chain. Imports no other app, so every app may call it."""

import json
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from compliance.canonical import canonical_json, sha256_hex
from compliance.models import AuditEvent

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
class ChainReport:
    """The outcome of verifying the chain."""

    count: int
    head_hash: str
    first_broken_seq: int | None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.first_broken_seq is None


def verify_chain() -> ChainReport:
    """Walk the chain in sequence order and name the first link that does not hold."""
    expected_prev, expected_seq, count = GENESIS_HASH, 1, 0
    for event in AuditEvent.objects.order_by("seq").iterator(chunk_size=2000):
        if event.seq != expected_seq:
            return ChainReport(
                count, expected_prev, expected_seq, f"sequence {expected_seq} is missing"
            )
        if event.prev_hash != expected_prev:
            return ChainReport(count, expected_prev, event.seq, "previous hash does not match")
        if event_hash(hashed_fields(event)) != event.event_hash:
            return ChainReport(
                count, expected_prev, event.seq, "event content does not match its hash"
            )
        try:
            json.loads(event.payload)
        except ValueError:
            return ChainReport(count, expected_prev, event.seq, "payload is not JSON")
        expected_prev, expected_seq, count = event.event_hash, expected_seq + 1, count + 1
    return ChainReport(count, expected_prev, None)
