"""The candidate pages through the Django test client: consent, steps, answers, submit, data."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import presenters, services
from assessments.models import Attempt, Response
from audit.models import AuditEvent
from scoring.models import ScoringJob
from tests.support.documents import small_document
from tests.support.factories import invitation_for, published_version

pytestmark = pytest.mark.django_db


def url(name: str, token: str, **kwargs) -> str:
    namespaces = {"result": "scoring", "result-status": "scoring", "my-data": "compliance"}
    namespace = namespaces.get(name, "assessments")
    return reverse(f"{namespace}:{name}", kwargs={"token": token, **kwargs})


@pytest.fixture
def invited():
    version = published_version()
    invitation, token = invitation_for(version)
    return invitation, token


def alias(attempt, step_id, option_id):
    return presenters.option_alias(presenters.attempt_seed(attempt, step_id), option_id)


def test_landing_says_what_how_long_skills_scoring_data_and_accommodations(client, invited):
    _, token = invited
    html = client.get(url("landing", token)).content.decode()
    assert "Small support scenario" in html
    assert "15 minutes" in html
    assert "Judgement" in html and "Writing" in html
    assert "automated tool" in html and "trained person reviews" in html
    assert "deleted 365 days after it was collected" in html  # the notice (assessments.notices)
    assert reverse("assessments:accommodation", kwargs={"token": token}) in html
    assert reverse("compliance:my-data", kwargs={"token": token}) in html


def test_start_needs_explicit_consent_and_stores_its_time(client, invited):
    invitation, token = invited
    response = client.post(url("start", token), {})
    assert response.status_code == 302 and "consent=missing" in response["Location"]
    assert not invitation.attempts.exists()
    before = timezone.now()
    client.post(url("start", token), {"consent": "yes"})
    attempt = invitation.attempts.get()
    assert before <= attempt.consent_at <= timezone.now()
    assert AuditEvent.objects.filter(
        action="attempt.consent", subject=f"attempt:{attempt.public_id}"
    ).exists()


def test_step_page_shows_aliases_not_option_ids_and_saves_through_them(client, invited):
    invitation, token = invited
    client.post(url("start", token), {"consent": "yes"})
    attempt = invitation.attempts.get()
    html = client.get(url("step", token, step_id="first-move")).content.decode()
    assert 'value="check"' not in html and 'value="refund"' not in html
    check = alias(attempt, "first-move", "check")
    assert f'value="{check}"' in html
    response = client.post(url("autosave", token, step_id="first-move"), {"option": check})
    assert response.status_code == 200 and response.json()["saved"] is True
    assert Response.objects.get(attempt=attempt, step_id="first-move").answer == {"option": "check"}


def test_malformed_or_oversized_answers_get_a_message_and_change_nothing(client, invited):
    invitation, token = invited
    client.post(url("start", token), {"consent": "yes"})
    attempt = invitation.attempts.get()
    services.save_answer(attempt, "first-move", {"option": "check"})
    refused = client.post(url("autosave", token, step_id="first-move"), {"option": "o1234"})
    assert refused.status_code == 400 and "not one of the choices" in refused.json()["error"]
    client.post(
        url("answer", token, step_id="first-move"),
        {"option": alias(attempt, "first-move", "check")},
    )
    too_long = client.post(url("autosave", token, step_id="reply"), {"text": "x" * 601})
    assert too_long.status_code == 400 and "limit is 600" in too_long.json()["error"]
    nul = client.post(url("autosave", token, step_id="reply"), {"text": "hi\x00there"})
    assert nul.status_code == 400
    page = client.post(url("answer", token, step_id="reply"), {"text": "y" * 700})
    assert page.status_code == 400
    assert "limit is 600" in page.content.decode()
    assert "y" * 700 in page.content.decode()  # what they typed is shown again, not lost
    assert Response.objects.get(attempt=attempt, step_id="first-move").answer == {"option": "check"}
    assert not Response.objects.filter(attempt=attempt, step_id="reply").exists()
    attempt.refresh_from_db()
    assert attempt.current_step == "reply"


def test_a_step_off_the_path_cannot_be_opened_or_saved(client, invited):
    _, token = invited
    client.post(url("start", token), {"consent": "yes"})
    response = client.get(url("step", token, step_id="reply"))
    assert response.status_code == 302 and response["Location"].endswith("/step/first-move")
    saved = client.post(url("autosave", token, step_id="reply"), {"text": "hello"})
    assert saved.status_code == 400


def test_submit_needs_confirmation_and_twice_makes_one_job(client, invited):
    invitation, token = invited
    client.post(url("start", token), {"consent": "yes"})
    attempt = invitation.attempts.get()
    client.post(
        url("answer", token, step_id="first-move"),
        {"option": alias(attempt, "first-move", "check")},
    )
    client.post(url("answer", token, step_id="reply"), {"text": "Sorry, I will refund it today."})
    assert client.get(url("review", token)).status_code == 200
    unconfirmed = client.post(url("submit", token), {})
    assert "confirm=missing" in unconfirmed["Location"]
    for _ in range(3):
        assert client.post(url("submit", token), {"confirm": "yes"}).status_code == 302
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.SUBMITTED
    assert ScoringJob.objects.filter(attempt=attempt).count() == 1
    assert AuditEvent.objects.filter(action="attempt.submitted").count() == 1


def test_after_the_deadline_saves_are_refused_and_the_attempt_is_submitted(client, invited):
    invitation, token = invited
    client.post(url("start", token), {"consent": "yes"})
    attempt = invitation.attempts.get()
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(seconds=1))
    response = client.post(
        url("autosave", token, step_id="first-move"),
        {"option": alias(attempt, "first-move", "check")},
    )
    assert response.status_code == 409
    assert response.json()["redirect"] == url("result", token)
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.SUBMITTED and attempt.auto_submitted
    assert not attempt.responses.exists()
    assert client.get(url("step", token, step_id="first-move"))["Location"] == url("result", token)


def test_one_attempt_per_invitation_unless_a_retake_is_allowed(client):
    version = published_version()
    _, token = invitation_for(version)
    client.post(url("start", token), {"consent": "yes"})
    client.post(url("submit", token), {"confirm": "yes"})
    assert client.get(url("landing", token))["Location"] == url("result", token)
    again = client.post(url("start", token), {"consent": "yes"})
    assert again.status_code == 410
    retake_invitation, retake = invitation_for(version, email="b@example.com", allow_retake=True)
    client.post(url("start", retake), {"consent": "yes"})
    client.post(url("submit", retake), {"confirm": "yes"})
    assert client.get(url("landing", retake)).status_code == 200
    client.post(url("start", retake), {"consent": "yes"})
    assert retake_invitation.attempts.count() == 2


def test_expired_invitation_cannot_start(client):
    version = published_version()
    _, token = invitation_for(version, ttl=timedelta(seconds=-1))
    html = client.get(url("landing", token)).content.decode()
    assert "This invitation has expired" in html
    assert client.post(url("start", token), {"consent": "yes"}).status_code == 410


def test_unknown_link_gets_a_friendly_page(client):
    response = client.get(url("landing", "no-such-token"))
    assert response.status_code == 404
    assert "This link cannot be used" in response.content.decode()


def test_my_data_download_holds_details_answers_and_consent(client, invited):
    invitation, token = invited
    client.post(url("start", token), {"consent": "yes"})
    attempt = invitation.attempts.get()
    client.post(
        url("autosave", token, step_id="first-move"),
        {"option": alias(attempt, "first-move", "check")},
    )
    response = client.get(url("my-data", token))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["invitation"]["email"] == "ada@example.com"
    assert data["attempts"][0]["consent_given_at"]
    assert data["attempts"][0]["answers"] == [
        {
            "step": "first-move",
            "answer": {"option": "Check the payment log"},
            "saved_at": data["attempts"][0]["answers"][0]["saved_at"],
        }
    ]
    assert "points" not in response.content.decode()


def test_ranking_is_never_shown_in_key_order():
    item = {
        "type": "ranking",
        "options": [{"id": f"o{i}", "text": f"Option {i}", "rationale": "r"} for i in range(3)],
        "key_order": ["o0", "o1", "o2"],
    }
    for seed in range(200):
        view = presenters.candidate_item(item, f"attempt-{seed}:step")
        aliases = {"order": [option["id"] for option in view["options"]]}
        shown = presenters.stored_answer(item, f"attempt-{seed}:step", aliases)["order"]
        assert shown != item["key_order"]


def test_changing_an_earlier_answer_on_the_same_branch_keeps_later_answers(client, invited):
    invitation, token = invited
    client.post(url("start", token), {"consent": "yes"})
    attempt = invitation.attempts.get()
    check = alias(attempt, "first-move", "check")
    client.post(url("answer", token, step_id="first-move"), {"option": check})
    client.post(url("answer", token, step_id="reply"), {"text": "Sorry, refund today."})
    assert client.get(url("landing", token))["Location"] == url("review", token)
    # "Change" from the review page, then back to the review page: nothing else is lost.
    page = client.get(url("step", token, step_id="first-move") + "?return=review")
    assert 'name="return" value="review"' in page.content.decode()
    refund = alias(attempt, "first-move", "refund")
    response = client.post(
        url("answer", token, step_id="first-move"), {"option": refund, "return": "review"}
    )
    assert response["Location"] == url("review", token)
    assert Response.objects.get(attempt=attempt, step_id="reply").answer == {
        "text": "Sorry, refund today."
    }


def branching_document() -> dict:
    """The small document with a branch: ignoring the customer leads to an apology step."""
    first, reply = small_document()["steps"]
    return {
        **small_document(),
        "steps": [
            {**first, "rules": [{"when": {"option": "ignore"}, "next": "apology"}]},
            reply,
            {**reply, "id": "apology", "title": "Apologise"},
        ],
    }


def test_a_decision_that_steered_the_scenario_is_final_once_continued(client):
    invitation, token = invitation_for(published_version(branching_document()))
    client.post(url("start", token), {"consent": "yes"})
    attempt = invitation.attempts.get()
    # Before continuing, the candidate may change their mind freely.
    client.post(url("autosave", token, step_id="first-move"), {"option": "refund"})
    client.post(url("answer", token, step_id="first-move"), {"option": "check"})
    refused = client.post(url("autosave", token, step_id="first-move"), {"option": "ignore"})
    assert refused.status_code == 400 and "final" in refused.json()["error"]
    again = client.post(url("answer", token, step_id="first-move"), {"option": "ignore"})
    assert again["Location"] == url("step", token, step_id="reply")  # moves on, changes nothing
    attempt.refresh_from_db()
    assert attempt.path == ["first-move", "reply"]
    assert Response.objects.get(attempt=attempt, step_id="first-move").answer == {"option": "check"}
    page = client.get(url("step", token, step_id="first-move")).content.decode()
    assert "your answer is final" in page and "<fieldset disabled" in page
    # A step that does not steer stays editable until submission.
    client.post(url("answer", token, step_id="reply"), {"text": "Sorry."})
    assert (
        client.post(url("autosave", token, step_id="reply"), {"text": "Sorry!"}).status_code == 200
    )
    review = client.get(url("review", token)).content.decode()
    assert "(its answer is final)" in review and "your answer to Your reply" in review


def test_answers_that_no_longer_match_the_path_are_followed_before_submitting(client):
    invitation, token = invitation_for(published_version(branching_document()))
    client.post(url("start", token), {"consent": "yes"})
    attempt = invitation.attempts.get()
    client.post(url("answer", token, step_id="first-move"), {"option": "check"})
    client.post(url("answer", token, step_id="reply"), {"text": "Sorry."})
    # Say an answer was changed behind the path's back (a race, or data from an older release).
    Response.objects.filter(attempt=attempt, step_id="first-move").update(
        answer={"option": "ignore"}
    )
    assert client.post(url("submit", token), {"confirm": "yes"})["Location"] == url("review", token)
    assert client.get(url("review", token))["Location"] == url("step", token, step_id="apology")
    attempt.refresh_from_db()
    assert attempt.path == ["first-move", "apology"]
    assert not Response.objects.filter(attempt=attempt, step_id="reply").exists()


def test_the_beat_task_submits_attempts_whose_deadline_passed(invited):
    from assessments.tasks import submit_expired_attempts

    invitation, _ = invited
    attempt = services.start_attempt(invitation)
    services.save_answer(attempt, "first-move", {"option": "check"})
    assert submit_expired_attempts() == 0
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(seconds=1))
    assert submit_expired_attempts() == 1
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.SUBMITTED and attempt.auto_submitted
    assert ScoringJob.objects.filter(attempt=attempt).count() == 1
    assert submit_expired_attempts() == 0


def test_accommodation_requests_per_invitation_are_capped(client, invited):
    invitation, token = invited
    for _ in range(services.MAX_ACCOMMODATION_REQUESTS):
        services.request_accommodation(invitation, kind="other")
    response = client.post(
        reverse("assessments:accommodation", kwargs={"token": token}), {"kind": "extra_time"}
    )
    assert response.status_code == 400
    assert "already sent several requests" in response.content.decode()
