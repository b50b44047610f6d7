"""Retention: a beat task erases personal data older than DATA_RETENTION_DAYS (with no policy
longer than it: tests/compliance/test_retention_policies.py)."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from assessments.models import Attempt, Invitation
from audit.services import sequence_pending_events
from audit.verify import verify_audit_chain
from compliance import tasks
from compliance.models import ErasureRecord
from compliance.services import erase_expired_personal_data

pytestmark = pytest.mark.django_db


def _age(attempt, days: int) -> None:
    when = timezone.now() - timedelta(days=days)
    Invitation.objects.filter(pk=attempt.invitation_id).update(created_at=when)
    Attempt.objects.filter(pk=attempt.pk).update(started_at=when, consent_at=when)


@pytest.fixture
def old_and_new(scored, settings):
    settings.DATA_RETENTION_DAYS = 30
    old = scored.take(name="Old Candidate", email="old@example.com")
    new = scored.take(name="New Candidate", email="new@example.com")
    _age(old, 45)
    _age(new, 5)
    sequence_pending_events(wait=True)
    return old, new


def test_personal_data_past_retention_is_erased_and_recent_data_kept(old_and_new):
    old, new = old_and_new
    assert erase_expired_personal_data() == 1
    assert Invitation.objects.get(pk=old.invitation_id).candidate_email.endswith(".invalid")
    assert Invitation.objects.get(pk=new.invitation_id).candidate_email == "new@example.com"
    record = ErasureRecord.objects.get()
    assert record.reason == ErasureRecord.Reason.RETENTION
    assert verify_audit_chain().ok


def test_a_second_run_finds_nothing_left(old_and_new):
    assert erase_expired_personal_data() == 1
    assert erase_expired_personal_data() == 0


def test_an_old_invitation_with_a_recent_attempt_is_kept(old_and_new, scored):
    old, _ = old_and_new
    Attempt.objects.filter(pk=old.pk).update(started_at=timezone.now() - timedelta(days=2))
    assert erase_expired_personal_data() == 0


def test_zero_days_turns_automatic_erasure_off(old_and_new, settings):
    settings.DATA_RETENTION_DAYS = 0
    assert erase_expired_personal_data() == 0


def test_beat_task_and_command_apply_the_setting(old_and_new, capsys):
    assert tasks.erase_expired_personal_data() == 1
    call_command("apply_retention")
    assert "Erased the personal data of 0 candidates past retention." in (capsys.readouterr().out)
