"""Tampering with the log is caught and named: with the chain and the tree recomputed in the
database, only the tree heads signed outside it still tell."""

import json

import pytest
from django.utils import timezone

from audit.exceptions import LogMismatch
from audit.models import AuditEvent
from audit.services import sequence_pending_events
from audit.verify import verify_audit_chain
from tests.audit.helpers import audit_trigger_disabled, recompute_log, record

pytestmark = pytest.mark.django_db


@pytest.fixture
def log():
    """Eight events under two signed tree heads (sizes 4 and 8)."""
    for start in (1, 5):
        record(4, start=start)
        sequence_pending_events()


def _renumber(moves: list[tuple[int, int]]) -> None:
    with audit_trigger_disabled():
        for old, new in moves:
            AuditEvent.objects.filter(seq=old).update(seq=new)


def _broken(first_seq: int | None, *fragments: str) -> None:
    verification = verify_audit_chain()
    assert not verification.ok
    assert verification.first_broken_seq == first_seq, verification.problem
    for fragment in fragments:
        assert fragment in verification.problem


def test_the_intact_log_verifies_against_both_heads(log):
    verification = verify_audit_chain()
    assert verification.ok and verification.heads_checked == 2 and verification.count == 8


def test_an_edited_event_is_named_by_its_sequence_number(log):
    with audit_trigger_disabled():
        AuditEvent.objects.filter(seq=3).update(payload='{"i":300}')
    _broken(3, "event 3: event content does not match its hash")


def test_an_edited_event_with_everything_recomputed_breaks_the_head_that_covered_it(log):
    with audit_trigger_disabled():
        AuditEvent.objects.filter(seq=2).update(actor="user:1")
    recompute_log()
    _broken(1, "tree head on anchor line 1 (size 4) does not match the log: events 1 to 4")


def test_a_later_edit_with_everything_recomputed_fails_consistency_with_the_head_before(log):
    with audit_trigger_disabled():
        AuditEvent.objects.filter(seq=6).update(payload='{"i":"rewritten"}')
    recompute_log()
    _broken(
        5,
        "tree head on anchor line 2 (size 8) does not match the log as the head on line 1 "
        "(size 4) saw it (RFC 9162 consistency): events 5 to 8",
    )


def test_a_deleted_event_is_named(log):
    with audit_trigger_disabled():
        AuditEvent.objects.filter(seq=6).delete()
    _broken(6, "event 6: sequence 6 is missing")


def test_a_deleted_event_with_successors_renumbered_and_everything_recomputed(log):
    with audit_trigger_disabled():
        AuditEvent.objects.filter(seq=2).delete()
    _renumber([(n, n - 1) for n in range(3, 9)])
    recompute_log()
    _broken(1, "tree head on anchor line 1 (size 4) does not match the log")


def test_reordered_events_with_everything_recomputed(log):
    _renumber([(2, 1000), (3, 2), (1000, 3)])
    recompute_log()
    _broken(1, "tree head on anchor line 1 (size 4) does not match the log: events 1 to 4")


def test_an_inserted_event_with_everything_recomputed(log):
    _renumber([(n, n + 1) for n in range(8, 5, -1)])
    (forged,) = record(1, start=99)
    with audit_trigger_disabled():
        # Numbered straight into the gap, as only someone bypassing the trigger could.
        AuditEvent.objects.filter(pk=forged.pk).update(
            seq=6,
            occurred_at=timezone.now(),
            prev_hash="0" * 64,
            event_hash="f" * 64,
            leaf_hash="f" * 64,
        )
    recompute_log()
    _broken(5, "(size 8) does not match the log as the head on line 1 (size 4)", "events 5 to 8")


def test_a_tree_head_whose_signature_fails(log, anchor_files):
    lines = anchor_files.read_text().splitlines()
    head = json.loads(lines[1])
    head["root_hash"] = head["root_hash"][::-1]
    lines[1] = json.dumps(head)
    anchor_files.write_text("\n".join(lines) + "\n")
    _broken(None, "anchor line 2: the signature does not verify")


def test_a_truncated_log(log):
    with audit_trigger_disabled():
        AuditEvent.objects.filter(seq__gte=7).delete()
    _broken(
        7,
        "the tree head on anchor line 2 (size 8) signed more events than the log holds (6)",
    )


def test_the_sequencer_signs_nothing_over_a_recomputed_log(log):
    with audit_trigger_disabled():
        AuditEvent.objects.filter(seq=7).update(actor="user:1")
    recompute_log()
    record(1, start=9)
    with pytest.raises(LogMismatch, match="no longer have the root signed"):
        sequence_pending_events()
