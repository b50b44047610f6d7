"""The audit log: writers record pending events, the sequencer links them; the trigger."""

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from audit.models import AuditEvent, TreeHead
from audit.selectors import pending_events
from audit.services import GENESIS_HASH, Action, sequence_pending_events
from audit.verify import verify_audit_chain
from tests.audit.helpers import audit_trigger_disabled, record

pytestmark = pytest.mark.django_db


def _sequenced(count: int) -> list[AuditEvent]:
    events = record(count)
    sequence_pending_events(wait=True)
    return list(AuditEvent.objects.filter(pk__in=[e.pk for e in events]).order_by("seq"))


def test_a_recorded_event_is_pending_until_the_sequencer_runs():
    (event,) = record(1)
    assert (event.seq, event.event_hash, event.prev_hash, event.leaf_hash) == (None, None, "", "")
    assert pending_events().count == 1
    assert sequence_pending_events() == 1
    event.refresh_from_db()
    assert event.seq == 1 and len(event.leaf_hash) == 64
    assert pending_events().count == 0 and pending_events().oldest_age is None


def test_each_sequenced_event_holds_the_hash_of_the_one_before():
    first, second, third = _sequenced(3)
    assert [first.seq, second.seq, third.seq] == [1, 2, 3]
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.event_hash
    assert third.prev_hash == second.event_hash


def test_events_are_sequenced_in_the_order_they_were_recorded_across_runs():
    record(2)
    sequence_pending_events()
    record(3, start=3)
    assert sequence_pending_events() == 3
    subjects = list(AuditEvent.objects.order_by("seq").values_list("subject", flat=True))
    assert subjects == [f"thing:{i}" for i in range(1, 6)]


def test_each_run_stores_a_signed_tree_head_and_an_empty_run_none():
    record(2)
    sequence_pending_events()
    assert sequence_pending_events() == 0
    record(1, start=3)
    sequence_pending_events()
    assert list(TreeHead.objects.values_list("tree_size", flat=True)) == [2, 3]


def test_pending_counts_and_ages_the_oldest():
    record(3)
    pending = pending_events()
    assert pending.count == 3
    assert 0 <= pending.oldest_age_seconds < 60


def test_intact_log_verifies_with_count_and_head():
    events = _sequenced(5)
    verification = verify_audit_chain()
    assert verification.ok, verification.problem
    assert verification.count == 5
    assert verification.head_hash == events[-1].event_hash
    assert verification.heads_checked == 1


def test_empty_log_verifies():
    verification = verify_audit_chain()
    assert verification.ok and verification.count == 0
    assert verification.head_hash == GENESIS_HASH


def test_pending_events_do_not_break_verification():
    _sequenced(2)
    record(2, start=3)
    assert verify_audit_chain().ok


def test_trigger_refuses_an_ordinary_update():
    _sequenced(2)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(seq=1).update(payload='{"i":99}')
    assert AuditEvent.objects.get(seq=1).payload == '{"i":1}'


def test_trigger_refuses_editing_a_pending_event_too():
    (event,) = record(1)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(actor="user:666")


def test_trigger_refuses_sequencing_an_event_twice():
    _sequenced(1)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(seq=1).update(seq=7)


def test_trigger_refuses_an_ordinary_delete():
    _sequenced(2)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(seq=2).delete()
    assert AuditEvent.objects.count() == 2


def test_trigger_refuses_raw_sql_too():
    _sequenced(1)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE compliance_auditevent SET actor = 'someone-else'")


def test_tree_heads_are_append_only():
    _sequenced(1)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        TreeHead.objects.update(root_hash="0" * 64)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        TreeHead.objects.all().delete()


def test_a_half_sequenced_event_is_refused_by_the_database():
    (event,) = record(1)
    with (
        pytest.raises(IntegrityError, match="audit_event_sequenced_whole"),
        audit_trigger_disabled(),
        transaction.atomic(),
    ):
        AuditEvent.objects.filter(pk=event.pk).update(seq=1)


def test_command_prints_count_head_and_pending_and_exits_zero(capsys):
    events = _sequenced(3)
    record(1, start=4)
    call_command("verify_audit_chain")
    out = capsys.readouterr().out
    assert "count: 3" in out
    assert f"head: {events[-1].event_hash}" in out
    assert "tree heads: 1 of 1" in out
    assert "pending: 1, oldest" in out


def test_command_names_the_first_broken_sequence_and_exits_one(capsys):
    _sequenced(4)
    with audit_trigger_disabled():
        AuditEvent.objects.filter(seq=3).update(subject="thing:other")
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_audit_chain")
    assert exit_info.value.code == 1
    assert "BROKEN at sequence 3: event 3: event content does not match its hash" in (
        capsys.readouterr().err
    )


def test_sequence_command_sequences_and_names_the_tree_head(capsys):
    record(2)
    call_command("sequence_audit_log")
    out = capsys.readouterr().out
    assert "Sequenced 2 event(s). Tree head: size 2" in out


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


def test_trigger_refuses_inserting_an_event_already_numbered():
    _sequenced(1)
    numbered = AuditEvent(
        seq=2,
        occurred_at=timezone.now(),
        actor="system",
        action="test.event",
        subject="thing:forged",
        payload="{}",
        prev_hash="0" * 64,
        event_hash="f" * 64,
        leaf_hash="f" * 64,
    )
    with (
        pytest.raises(IntegrityError, match="only the sequencer numbers them"),
        transaction.atomic(),
    ):
        numbered.save()
