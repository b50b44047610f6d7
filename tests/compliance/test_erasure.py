"""Erasure: personal data goes, pseudonymous scores and the audit chain stay and verify."""

import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from assessments import services as assessment_services
from assessments.models import AccommodationRequest, Attempt, Invitation, Response
from audit.models import AuditEvent
from audit.services import Action, sequence_pending_events
from audit.verify import verify_audit_chain
from compliance import demographics
from compliance.exceptions import ErasureRefused
from compliance.models import Demographics, ErasureRecord
from compliance.services import erase_candidate
from credentials import services as credential_services
from credentials.models import LearnerRecord
from scoring.models import ScoreInput, ScoreRun
from tests.support.factories import invitation_for

pytestmark = pytest.mark.django_db

SECRET_TEXT = "I'm sorry, Jane Doe here, I will refund it today."


@pytest.fixture
def candidate(scored):
    attempt = scored.take(name="Jane Doe", email="jane@example.com", text=SECRET_TEXT)
    demographics.save_self_identification(attempt.public_id, sex="female", race_ethnicity="asian")
    AccommodationRequest.objects.create(
        invitation=attempt.invitation,
        kind=AccommodationRequest.Kind.EXTRA_TIME,
        details="I have dyslexia.",
        decision_note="Granted, Jane.",
    )
    sequence_pending_events(wait=True)
    return attempt


def test_erasure_removes_personal_data(candidate):
    erase_candidate(candidate.invitation)
    invitation = Invitation.objects.get(pk=candidate.invitation.pk)
    assert "Jane" not in invitation.candidate_name
    assert invitation.candidate_email.endswith("@erased.invalid")
    answers = {r.step_id: r.answer for r in Response.objects.filter(attempt=candidate)}
    assert answers["reply"] == {"text": ""}
    assert answers["first-move"] == {"option": "check"}  # a choice is not personal data
    request = AccommodationRequest.objects.get(invitation=invitation)
    assert (request.details, request.decision_note) == ("", "")
    for snapshot in ScoreInput.objects.filter(attempt=candidate):
        assert snapshot.erased_at is not None and "refund" not in snapshot.responses_json
    assert not Demographics.objects.filter(attempt_public_id=candidate.public_id).exists()


def test_erasure_keeps_the_pseudonymous_scores(candidate):
    kept = ("pk", "breakdown_sha256", "overall_score", "passed", "needs_review", "overrides")
    runs_before = list(ScoreRun.objects.filter(attempt=candidate).values(*kept))
    erase_candidate(candidate.invitation)
    assert list(ScoreRun.objects.filter(attempt=candidate).values(*kept)) == runs_before


def test_erasure_appends_an_event_and_the_chain_still_verifies(candidate):
    record = erase_candidate(candidate.invitation)
    event = record.audit_event
    assert event.action == Action.DATA_ERASED
    assert event.subject == f"invitation:{candidate.invitation.public_id}"
    payload = json.loads(event.payload)
    assert payload["reason"] == "request"
    assert payload["free_text_answers_erased"] == 1
    assert "jane" not in event.payload.lower()
    sequence_pending_events(wait=True)
    verification = verify_audit_chain()
    assert verification.ok
    assert verification.heads_checked == 2


def test_no_personal_data_is_left_in_the_audit_chain(candidate):
    erase_candidate(candidate.invitation)
    for payload, actor, subject in AuditEvent.objects.values_list("payload", "actor", "subject"):
        for secret in ("Jane", "jane@example.com", "dyslexia", "refund it today"):
            assert secret not in payload + actor + subject


def test_erasing_twice_changes_nothing(candidate):
    first = erase_candidate(candidate.invitation)
    count = AuditEvent.objects.count()
    assert erase_candidate(candidate.invitation) == first
    assert AuditEvent.objects.count() == count
    assert ErasureRecord.objects.count() == 1


def test_an_erased_candidate_disappears_from_the_audit_export(candidate):
    from compliance.services import start_audit_export

    erase_candidate(candidate.invitation)
    export = start_audit_export(candidate.version.assessment, format="json", actor="system")
    text = "".join(export.chunks())
    assert "Jane" not in text and "jane@example.com" not in text and "dyslexia" not in text
    record = json.loads(text)["attempts"][0]
    assert record["candidate"]["erased"] is True
    assert record["score_runs"]  # the scores are still there


def test_candidate_asks_for_erasure_on_their_page(client, candidate):
    url = reverse("compliance:erase", kwargs={"token": candidate.token})
    page = client.get(url)
    assert page.status_code == 200 and "Erase your personal data" in page.content.decode()
    refused = client.post(url, {})
    assert refused.status_code == 400 and not ErasureRecord.objects.exists()
    done = client.post(url, {"confirm": "yes"})
    assert done.status_code == 302
    assert ErasureRecord.objects.get().reason == ErasureRecord.Reason.REQUEST
    assert "has been erased" in client.get(url).content.decode()
    event = AuditEvent.objects.filter(action=Action.DATA_ERASED).get()
    assert event.actor == f"candidate:invitation:{candidate.invitation.public_id}"


def test_erasure_waits_until_an_attempt_in_progress_is_submitted(client, scored):
    invitation, token = invitation_for(scored.version, email="busy@example.com")
    assessment_services.start_attempt(invitation)
    response = client.post(reverse("compliance:erase", kwargs={"token": token}), {"confirm": "yes"})
    assert response.status_code == 400
    assert not ErasureRecord.objects.exists()


def test_self_identification_closes_after_erasure(client, candidate):
    erase_candidate(candidate.invitation)
    url = reverse("compliance:self-identify", kwargs={"token": candidate.token})
    assert client.post(url, {"sex": "female"}).status_code == 410
    assert not Demographics.objects.exists()


def test_staff_command_erases_by_email(candidate, capsys):
    call_command("erase_candidate", email="JANE@example.com")
    assert ErasureRecord.objects.get().reason == ErasureRecord.Reason.STAFF
    assert "Erased invitation" in capsys.readouterr().out


def test_the_learner_record_goes_with_the_last_invitation_to_the_address(scored):
    first = scored.take(name="Jane Doe", email="jane@example.com")
    second = scored.take(name="Jane Doe", email="Jane@Example.com")
    record = credential_services.record_for_email("jane@example.com", "Jane Doe")
    erase_candidate(first.invitation)
    record.refresh_from_db()
    assert record.display_name == "Jane Doe"  # another invitation still uses the record
    erase_candidate(second.invitation)
    assert not LearnerRecord.objects.filter(email_hash=record.email_hash).exists()
    event = AuditEvent.objects.filter(action=Action.DATA_ERASED).order_by("-id").first()
    assert json.loads(event.payload)["learner_record_erased"] is True


def test_erase_candidate_refuses_while_an_attempt_is_in_progress(scored):
    invitation, _token = invitation_for(scored.version, name="Busy Bee", email="bee@example.com")
    assessment_services.start_attempt(invitation)
    with pytest.raises(ErasureRefused, match="Submit or finish"):
        erase_candidate(invitation, reason=ErasureRecord.Reason.STAFF, actor="system:test")
    assert not ErasureRecord.objects.exists()
    assert Invitation.objects.get(pk=invitation.pk).candidate_name == "Busy Bee"


def test_an_attempt_past_its_deadline_is_submitted_and_then_erased(scored):
    invitation, _token = invitation_for(scored.version, email="late@example.com")
    attempt = assessment_services.start_attempt(invitation)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(seconds=1))
    erase_candidate(invitation)
    assert Attempt.objects.get(pk=attempt.pk).state == Attempt.State.SUBMITTED
    assert ErasureRecord.objects.get().invitation_public_id == invitation.public_id
