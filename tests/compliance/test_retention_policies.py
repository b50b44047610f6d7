"""Retention by policy: the longest applicable period wins, and the dry run lists exactly what a
real run erases."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from assessments.models import Attempt, Invitation
from assessments.notices import notice_text
from audit.models import AuditEvent
from audit.services import Action
from compliance import selectors
from compliance.models import ErasureRecord, RetentionPolicy
from compliance.services import erase_expired_personal_data
from tests.support.documents import small_document
from tests.support.factories import invitation_for, published_version

pytestmark = pytest.mark.django_db

CALIFORNIA = "California: ADS records 4 years"
EU_LOGS = "EU AI Act: logs at least 6 months"


@pytest.fixture
def two_assessments(settings):
    settings.DATA_RETENTION_DAYS = 30
    california = published_version()
    other = published_version({**small_document(), "slug": "other-support", "title": "Other"})
    RetentionPolicy.objects.get(name=CALIFORNIA).assessments.add(california.assessment)
    return california, other


def _invited(version, days_ago: int, email: str) -> Invitation:
    invitation, _ = invitation_for(version, email=email)
    when = timezone.now() - timedelta(days=days_ago)
    Invitation.objects.filter(pk=invitation.pk).update(created_at=when)
    return invitation


def _erased() -> set:
    return set(ErasureRecord.objects.values_list("invitation_public_id", flat=True))


def test_the_named_policies_are_there_from_the_start():
    names = set(RetentionPolicy.objects.values_list("name", flat=True))
    assert {CALIFORNIA, EU_LOGS, "Colorado: records 3 years"} <= names
    assert "NYC Local Law 144: published summary" in names
    california = RetentionPolicy.objects.get(name=CALIFORNIA)
    assert california.keep_days == 1461
    assert california.coverage == ["personal data", "answers", "score records", "audit log"]


def test_the_longest_applicable_period_wins(two_assessments):
    california, other = two_assessments
    kept = _invited(california, 45, "kept@example.com")
    past_four_years = _invited(california, 1500, "old@example.com")
    no_policy = _invited(other, 45, "other@example.com")
    rules = selectors.personal_data_rules()
    assert rules[california.assessment_id].days == 1461
    assert rules[california.assessment_id].decided_by == CALIFORNIA
    assert rules[other.assessment_id].days == 30
    assert erase_expired_personal_data() == 2
    assert _erased() == {past_four_years.public_id, no_policy.public_id}
    assert Invitation.objects.get(pk=kept.pk).candidate_email == "kept@example.com"


def test_a_policy_for_every_assessment_applies_to_each(two_assessments):
    _, other = two_assessments
    colorado = RetentionPolicy.objects.get(name="Colorado: records 3 years")
    colorado.applies_to_all_assessments = True
    colorado.save()
    invitation = _invited(other, 45, "other@example.com")
    assert selectors.personal_data_retention(other.assessment).days == 1096
    assert erase_expired_personal_data() == 0
    Invitation.objects.filter(pk=invitation.pk).update(
        created_at=timezone.now() - timedelta(days=1100)
    )
    assert erase_expired_personal_data() == 1


def test_a_policy_that_covers_only_logs_does_not_hold_back_erasure(two_assessments):
    _, other = two_assessments
    eu = RetentionPolicy.objects.get(name=EU_LOGS)
    eu.assessments.add(other.assessment)
    _invited(other, 45, "other@example.com")
    # The logs it covers are append-only (never deleted): erasure goes by the 30-day default.
    assert selectors.personal_data_retention(other.assessment).days == 30
    assert erase_expired_personal_data() == 1


def test_the_default_wins_over_a_shorter_policy(two_assessments, settings):
    california, _ = two_assessments
    settings.DATA_RETENTION_DAYS = 2000
    _invited(california, 1500, "old@example.com")
    rule = selectors.personal_data_retention(california.assessment)
    assert (rule.days, rule.decided_by) == (2000, selectors.DEFAULT_RULE)
    assert erase_expired_personal_data() == 0


def test_a_recent_attempt_restarts_the_period(two_assessments, scored):
    attempt = scored.take(email="active@example.com")
    # The scored attempts are at the California assessment (kept 1461 days).
    old = timezone.now() - timedelta(days=1500)
    Invitation.objects.filter(pk=attempt.invitation_id).update(created_at=old)
    assert not selectors.invitations_due_for_erasure().filter(pk=attempt.invitation_id).exists()
    Attempt.objects.filter(pk=attempt.pk).update(started_at=old)
    assert selectors.invitations_due_for_erasure().filter(pk=attempt.invitation_id).exists()


@pytest.mark.parametrize("limit", [2, 500])
def test_the_dry_run_equals_what_a_real_run_erases(two_assessments, limit):
    california, other = two_assessments
    for index, (version, days) in enumerate(
        [
            (california, 45),
            (california, 1470),
            (california, 1600),
            (other, 10),
            (other, 31),
            (other, 400),
            (other, 29),
        ]
    ):
        _invited(version, days, f"c{index}@example.com")
    dry_run = list(
        selectors.invitations_due_for_erasure()[:limit].values_list("public_id", flat=True)
    )
    assert len(dry_run) == min(limit, 4)
    assert erase_expired_personal_data(limit=limit) == len(dry_run)
    assert _erased() == set(dry_run)


def test_the_command_dry_run_lists_and_erases_nothing(two_assessments, capsys):
    _, other = two_assessments
    due = _invited(other, 45, "other@example.com")
    call_command("apply_retention", "--dry-run")
    out = capsys.readouterr().out
    assert str(due.public_id) in out
    assert "Dry run: 1 candidates would be erased; nothing was." in out
    assert not ErasureRecord.objects.exists()
    call_command("apply_retention")
    assert _erased() == {due.public_id}


def test_the_retention_page_shows_the_rules_and_the_dry_run(
    client, compliance_user, two_assessments
):
    california, other = two_assessments
    due = _invited(other, 45, "other@example.com")
    _invited(california, 1461 - 10, "soon@example.com")
    client.force_login(compliance_user)
    html = client.get(reverse("compliance:retention")).content.decode()
    assert CALIFORNIA in html
    assert 'data-testid="due-count">1<' in html
    assert str(due.public_id) in html
    assert "soon@example.com" not in html  # public ids only
    assert "In the next 90 days" in html


def test_only_compliance_staff_see_the_retention_page(client, recruiter):
    assert client.get(reverse("compliance:retention")).status_code == 302
    client.force_login(recruiter)
    assert client.get(reverse("compliance:retention")).status_code == 403


def test_a_policy_saved_in_the_admin_is_audited(client, compliance_user, two_assessments):
    _, other = two_assessments
    client.force_login(compliance_user)
    response = client.post(
        reverse("admin:compliance_retentionpolicy_add"),
        {
            "name": "Works council: 2 years",
            "basis": "Agreement with the works council",
            "keep_days": "730",
            "covers_personal_data": "on",
            "assessments": [str(other.assessment_id)],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    policy = RetentionPolicy.objects.get(name="Works council: 2 years")
    event = AuditEvent.objects.get(action=Action.RETENTION_POLICY_CHANGED)
    assert event.subject == f"retention_policy:{policy.pk}"
    assert '"assessments":["other-support"]' in event.payload
    assert selectors.personal_data_retention(other.assessment).days == 730


def test_the_candidate_notice_states_the_period_erasure_follows(two_assessments):
    california, other = two_assessments
    california_invitation, _ = invitation_for(california, email="notice-ca@example.com")
    other_invitation, _ = invitation_for(other, email="notice-other@example.com")
    assert "deleted 1461 days after" in notice_text(california_invitation.notice)
    assert "deleted 30 days after" in notice_text(other_invitation.notice)
