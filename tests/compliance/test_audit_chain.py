"""The audit chain: links, the append-only trigger, and tamper detection (with anchors)."""

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from audit.anchors import append_anchor, verify_audit_chain
from audit.models import AuditEvent
from audit.services import GENESIS_HASH, Action, chain_head, record_event, verify_chain
from tests.compliance.helpers import audit_trigger_disabled, rehash_from

pytestmark = pytest.mark.django_db


def _events(count: int) -> list[AuditEvent]:
    return [
        record_event("test.event", actor="system", subject=f"thing:{i}", payload={"i": i})
        for i in range(1, count + 1)
    ]


def test_each_event_holds_the_hash_of_the_one_before():
    first, second, third = _events(3)
    assert first.seq == 1 and first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.event_hash
    assert third.prev_hash == second.event_hash
    assert chain_head().seq == 3 and chain_head().event_hash == third.event_hash


def test_intact_chain_verifies_with_count_and_head():
    events = _events(5)
    report = verify_chain()
    assert report.ok
    assert report.count == 5
    assert report.head_hash == events[-1].event_hash


def test_empty_chain_verifies():
    report = verify_chain()
    assert report.ok and report.count == 0 and report.head_hash == GENESIS_HASH


def test_trigger_refuses_an_ordinary_update():
    _events(2)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(seq=1).update(payload='{"i":99}')
    assert AuditEvent.objects.get(seq=1).payload == '{"i":1}'


def test_trigger_refuses_an_ordinary_delete():
    _events(2)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(seq=2).delete()
    assert AuditEvent.objects.count() == 2


def test_trigger_refuses_raw_sql_too():
    _events(1)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE compliance_auditevent SET actor = 'someone-else'")


def test_model_save_of_an_existing_event_is_refused_by_the_database():
    (event,) = _events(1)
    event.actor = "user:666"
    with pytest.raises(IntegrityError), transaction.atomic():
        event.save()


def test_an_edited_payload_is_named_by_its_sequence_number():
    _events(6)
    with audit_trigger_disabled():
        AuditEvent.objects.filter(seq=4).update(payload='{"i":400}')
    report = verify_chain()
    assert not report.ok
    assert report.first_broken_seq == 4
    assert report.count == 3
    assert "does not match its hash" in report.reason


def test_an_edited_actor_is_detected():
    _events(3)
    with audit_trigger_disabled():
        AuditEvent.objects.filter(seq=2).update(actor="user:1")
    assert verify_chain().first_broken_seq == 2


def test_a_deleted_row_is_named_by_its_sequence_number():
    _events(6)
    with audit_trigger_disabled():
        AuditEvent.objects.filter(seq=3).delete()
    report = verify_chain()
    assert report.first_broken_seq == 3
    assert "missing" in report.reason


def test_a_deleted_row_with_renumbered_successors_breaks_the_link():
    _events(5)
    with audit_trigger_disabled():
        AuditEvent.objects.filter(seq=3).delete()
        for seq in (4, 5):
            AuditEvent.objects.filter(seq=seq).update(seq=seq - 1)
    report = verify_chain()
    assert report.first_broken_seq == 3
    assert not report.ok


def test_reordered_rows_are_detected():
    _events(5)
    with audit_trigger_disabled():
        # Swap events 2 and 3 (through a free number, seq is unique).
        AuditEvent.objects.filter(seq=2).update(seq=1000)
        AuditEvent.objects.filter(seq=3).update(seq=2)
        AuditEvent.objects.filter(seq=1000).update(seq=3)
    report = verify_chain()
    assert report.first_broken_seq == 2
    assert report.count == 1


def test_a_fully_recomputed_chain_verifies_alone_but_not_against_the_anchors():
    _events(4)
    anchor = append_anchor()
    assert anchor is not None and anchor.seq == 4
    _events(2)
    with audit_trigger_disabled():
        AuditEvent.objects.filter(seq=2).update(payload='{"i":"rewritten"}')
    rehash_from(2)
    # The rewrite is consistent: on its own, the chain verifies...
    assert verify_chain().ok
    # ...but it no longer ends in the hash that was signed and kept outside the database.
    verification = verify_audit_chain()
    assert not verification.ok
    assert verification.chain.first_broken_seq == 4
    assert "anchored outside the database" in verification.chain.reason


def test_events_removed_from_the_end_are_caught_by_an_anchor():
    _events(5)
    append_anchor()
    with audit_trigger_disabled():
        AuditEvent.objects.filter(seq__gte=4).delete()
    assert verify_chain().ok  # the shorter chain is consistent by itself
    verification = verify_audit_chain()
    assert not verification.ok
    assert verification.chain.first_broken_seq == 4
    assert "anchored up to sequence 5" in verification.chain.reason


def test_verification_with_anchors_counts_the_checkpoints():
    _events(2)
    append_anchor()
    _events(2)
    append_anchor()
    verification = verify_audit_chain()
    assert verification.ok
    assert verification.chain.checkpoints_checked == 2
    assert verification.last_anchor.seq == 4


def test_command_prints_count_and_head_and_exits_zero(capsys):
    events = _events(3)
    append_anchor()
    call_command("verify_audit_chain")
    out = capsys.readouterr().out
    assert "count: 3" in out
    assert f"head: {events[-1].event_hash}" in out
    assert "anchors: 1 of 1" in out


def test_command_names_the_first_broken_sequence_and_exits_one(capsys):
    _events(4)
    with audit_trigger_disabled():
        AuditEvent.objects.filter(seq=3).update(subject="thing:other")
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_audit_chain")
    assert exit_info.value.code == 1
    assert "BROKEN at sequence 3" in capsys.readouterr().err


def test_action_names_are_distinct_and_include_every_audited_action():
    names = {key: value for key, value in vars(Action).items() if key.isupper()}
    assert len(set(names.values())) == len(names)
    for required in (
        "VERSION_PUBLISHED",
        "INVITATION_CREATED",
        "INVITATION_SENT",
        "CONSENT_GIVEN",
        "ATTEMPT_STARTED",
        "ATTEMPT_SUBMITTED",
        "ATTEMPT_AUTO_SUBMITTED",
        "SCORE_RUN_STORED",
        "SCORE_RUN_SUPERSEDED",
        "REVIEW_DECIDED",
        "MODEL_TRAINED",
        "MODEL_ACTIVATED",
        "CREDENTIAL_ISSUED",
        "CREDENTIAL_REVOKED",
        "REPORT_EXPORTED",
        "DATA_EXPORTED",
        "DATA_ERASED",
        "STAFF_LOGIN",
        "ROLE_CHANGED",
    ):
        assert required in names


def test_an_attempt_leaves_its_trail_in_the_chain(scored):
    attempt = scored.take()
    actions = list(
        AuditEvent.objects.filter(subject=f"attempt:{attempt.public_id}").values_list(
            "action", flat=True
        )
    )
    assert actions == [
        Action.CONSENT_GIVEN,
        Action.ATTEMPT_STARTED,
        Action.ATTEMPT_SUBMITTED,
        Action.SCORE_RUN_STORED,
    ]
    assert verify_chain().ok
