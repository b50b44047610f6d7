"""Explanation and correction requests (#17): the candidate asks; compliance staff get a
generated explanation to review, edit and send by a deadline; overdue requests are flagged;
every step is audited."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import services as assessment_services
from assessments.tokens import hash_token
from audit.models import AuditEvent
from compliance import data_requests
from compliance.exceptions import RequestRefused
from compliance.models import DataRightsRequest
from compliance.services import erase_candidate
from outbox.models import Email
from results import selectors as results_selectors
from results import services as results_services
from scoring import review_services
from scoring.models import ReviewItem, ScoringJob
from scoring.services.runs import run_scoring_job
from tests.credentials.conftest import keyed_document, take_attempt
from tests.support.factories import published_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(recruiter, reviewer):
    """A scored attempt whose first criterion a reviewer decided (the stop button sent both to
    review), with the recruiter's decision recorded; returns (attempt, token)."""
    version = published_version(keyed_document())
    assessment = version.assessment
    assessment_services.set_assessment_owner(assessment, recruiter, user=None)
    assessment_services.pause_assessment(assessment, user=recruiter, reason="Spot check.")
    attempt, _run = take_attempt(version)
    item = ReviewItem.objects.get(attempt=attempt, criterion_key="first-move/choice")
    review_services.decide_review_item(
        item, level=1, reason="Checking first is right, but slow.", user=reviewer
    )
    run_scoring_job(ScoringJob.objects.filter(attempt=attempt).latest("pk").pk)
    assessment_services.resume_assessment(assessment, user=recruiter)
    access = results_selectors.access_assessment_results(recruiter, assessment.slug)
    results_services.record_decision(
        access, attempt, outcome="reject", note="Not this time.", user=recruiter
    )
    token = "explain-token-0123456789abcdef"
    # The test needs the candidate's link: give the invitation a known token.
    attempt.invitation.token_hash = hash_token(token)
    attempt.invitation.save(update_fields=["token_hash"])
    return attempt, token


def ask_url(token: str) -> str:
    return reverse("compliance:data-request", kwargs={"token": token})


# --- The candidate asks ---------------------------------------------------------------------------


def test_the_result_page_links_to_the_request_page(client, scored):
    _, token = scored
    page = client.get(reverse("scoring:result", kwargs={"token": token})).content.decode()
    assert ask_url(token) in page


def test_a_request_is_recorded_with_its_deadline_and_audited(client, scored, settings):
    settings.REQUEST_RESPONSE_DAYS = 30
    attempt, token = scored
    before = timezone.now()
    response = client.post(ask_url(token), {"kind": "explanation", "details": "Why rejected?"})
    assert response.status_code == 302 and response["Location"].endswith("?sent=1")
    request = DataRightsRequest.objects.get()
    assert request.attempt == attempt and request.state == DataRightsRequest.State.RECEIVED
    assert before + timedelta(days=30) <= request.due_at <= timezone.now() + timedelta(days=30)
    event = AuditEvent.objects.get(action="data_request.received")
    assert event.subject == f"data_request:{request.public_id}"
    assert event.actor == f"candidate:invitation:{attempt.invitation.public_id}"
    page = client.get(response["Location"]).content.decode()
    assert "An explanation of the decision" in page and "we answer by" in page


def test_a_correction_must_say_what_is_wrong(client, scored):
    _, token = scored
    response = client.post(ask_url(token), {"kind": "correction", "details": "  "})
    assert response.status_code == 400
    assert "Say which data is wrong" in response.content.decode()
    assert not DataRightsRequest.objects.exists()


# --- Staff: the list, deadlines and overdue flags -------------------------------------------------


def test_overdue_requests_are_flagged_on_the_requests_and_overview_pages(
    client, scored, compliance_user
):
    attempt, _ = scored
    late = data_requests.submit_data_request(attempt.invitation, kind="explanation")
    on_time = data_requests.submit_data_request(
        attempt.invitation, kind="correction", details="My name is spelt Ada, not Adda."
    )
    DataRightsRequest.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(hours=1))
    assert list(data_requests.overdue_requests()) == [late]
    client.force_login(compliance_user)
    page = client.get(reverse("compliance:requests")).content.decode()
    assert f'data-testid="overdue-{late.public_id}"' in page
    assert f'data-testid="overdue-{on_time.public_id}"' not in page
    assert "1 request overdue" in page
    overview = client.get(reverse("compliance:index")).content.decode()
    assert 'data-testid="overdue-requests"' in overview


def test_only_the_compliance_role_sees_the_requests(client, scored, recruiter):
    attempt, _ = scored
    request = data_requests.submit_data_request(attempt.invitation, kind="explanation")
    client.force_login(recruiter)
    assert client.get(reverse("compliance:requests")).status_code == 403
    detail = reverse("compliance:request", kwargs={"public_id": request.public_id})
    assert client.post(detail, {"action": "generate"}).status_code == 403
    request.refresh_from_db()
    assert request.state == DataRightsRequest.State.RECEIVED and not request.answer


# --- Staff: generate, edit, send ------------------------------------------------------------------


def test_the_generated_explanation_covers_what_the_rules_ask(client, scored, compliance_user):
    attempt, _ = scored
    request = data_requests.submit_data_request(attempt.invitation, kind="explanation")
    client.force_login(compliance_user)
    detail = reverse("compliance:request", kwargs={"public_id": request.public_id})
    assert client.post(detail, {"action": "generate"}).status_code == 302
    request.refresh_from_db()
    text = request.answer
    assert request.state == DataRightsRequest.State.DRAFTED
    for expected in [
        "1. What was assessed",
        "Small support scenario",
        "Judgement",  # a skill assessed
        "2. How answers are scored (the rubric)",
        "Strong (2 points)",  # a rubric level
        "3. Your result and the evidence, skill by skill",
        "Overall score",
        "4. What the automated tool did and what people did",
        "The automated tool scored 1 of 2 criteria",
        "a reviewer chose level 1",
        "Checking first is right, but slow.",  # the reviewer's reason
        "automated scoring was paused",
        "The hiring team's decision, recorded by a person",
        "Reject",
        "How to contest this decision",
    ]:
        assert expected in text, expected
    assert "Not this time." not in text  # the recruiter's private note is not quoted
    drafted = AuditEvent.objects.get(action="data_request.drafted")
    assert '"generated":true' in drafted.payload
    page = client.get(detail).content.decode()
    assert "1. What was assessed" in page


def test_staff_edit_and_send_the_answer_which_closes_the_request(client, scored, compliance_user):
    attempt, _ = scored
    request = data_requests.submit_data_request(attempt.invitation, kind="explanation")
    data_requests.save_draft(request, user=compliance_user)
    client.force_login(compliance_user)
    detail = reverse("compliance:request", kwargs={"public_id": request.public_id})
    edited = "Dear Ada,\n\nHere is how the decision was reached (edited by staff).\n"
    response = client.post(detail, {"action": "send", "answer": edited, "outcome": "explained"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.state == DataRightsRequest.State.ANSWERED
    assert request.answer == edited and request.answered_by == compliance_user
    assert request.outcome == DataRightsRequest.Outcome.EXPLAINED
    email = Email.objects.get(reference=f"data_request:{request.public_id}")
    assert email.to == [attempt.invitation.candidate_email] and email.body_text == edited
    answered = AuditEvent.objects.get(action="data_request.answered")
    assert '"on_time":true' in answered.payload and '"outcome":"explained"' in answered.payload
    assert '"actor"' not in answered.payload and answered.actor == f"user:{compliance_user.pk}"
    # Answered is final: no second answer, no new draft.
    again = client.post(detail, {"action": "save", "answer": "Changed my mind."})
    assert again.status_code == 400
    request.refresh_from_db()
    assert request.answer == edited


def test_a_correction_is_sent_only_with_what_was_done_and_a_matching_outcome(
    scored, compliance_user
):
    attempt, _ = scored
    request = data_requests.submit_data_request(
        attempt.invitation, kind="correction", details="My name is spelt Ada, not Adda."
    )
    draft = data_requests.save_draft(request, user=compliance_user).answer
    assert "My name is spelt Ada, not Adda." in draft
    with pytest.raises(RequestRefused, match="bracketed"):
        data_requests.send_answer(request, user=compliance_user, text=draft, outcome="corrected")
    done = draft.replace(
        "[describe the correction made, or why the data was already right]",
        "We corrected the spelling of your name.",
    )
    with pytest.raises(RequestRefused, match="outcome"):
        data_requests.send_answer(request, user=compliance_user, text=done, outcome="explained")
    data_requests.send_answer(request, user=compliance_user, text=done, outcome="corrected")
    request.refresh_from_db()
    assert request.outcome == "corrected" and request.state == "answered"


def test_a_late_answer_is_recorded_as_late(scored, compliance_user):
    attempt, _ = scored
    request = data_requests.submit_data_request(attempt.invitation, kind="explanation")
    DataRightsRequest.objects.filter(pk=request.pk).update(due_at=timezone.now() - timedelta(1))
    data_requests.send_answer(
        request, user=compliance_user, text="Late, sorry.", outcome="explained"
    )
    answered = AuditEvent.objects.get(action="data_request.answered")
    assert '"on_time":false' in answered.payload
    assert not data_requests.overdue_requests().exists()


def test_erasure_blanks_what_the_candidate_wrote_and_the_answers(scored, compliance_user):
    attempt, _ = scored
    request = data_requests.submit_data_request(
        attempt.invitation, kind="correction", details="My address is 1 Main St."
    )
    data_requests.send_answer(
        request, user=compliance_user, text="We corrected it, Ada.", outcome="corrected"
    )
    erase_candidate(attempt.invitation)
    request.refresh_from_db()
    assert request.details == "" and request.answer == ""
    assert request.outcome == "corrected" and request.answered_at is not None
    erased = AuditEvent.objects.get(action="data.erased")
    assert '"data_requests_erased":1' in erased.payload
