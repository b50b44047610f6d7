"""Which events each state change writes, for whom, and with what: a delivery row per
subscription whose owner may see the assessment, in the change's transaction; ids and fields,
never an answer's text or a recruiter's note."""

import json

import pytest
from django.db import transaction

from assessments.services import cancel_invitation, publish_document
from audit.roles import Role
from credentials import services as credential_services
from results.selectors import access_assessment_results
from results.services import record_decision
from scoring.models import ReviewItem, ScoringJob
from scoring.review_services import decide_review_item
from scoring.services.runs import run_scoring_job
from tests.credentials.conftest import issue_for, issuer_settings, keyed_document, take_attempt
from tests.support.documents import small_document
from tests.support.factories import invitation_for, staff_in_roles
from tests.support.journeys import take_small_assessment
from webhooks import services as webhooks
from webhooks.models import Delivery, EventType

pytestmark = pytest.mark.django_db
_ = issuer_settings  # the credentials' fixture: keys in a temporary directory


@pytest.fixture
def listening(recruiter, settings):
    """The recruiter's subscription to every event, and a stranger's."""
    settings.WEBHOOK_ALLOW_PRIVATE = True
    stranger = staff_in_roles("stranger", Role.RECRUITER)
    for owner in (recruiter, stranger):
        webhooks.subscribe(owner=owner, url="http://127.0.0.1:9/", events=EventType.values)
    return recruiter


def events_for(user) -> list[str]:
    return list(
        Delivery.objects.filter(subscription__owner=user)
        .order_by("pk")
        .values_list("event_type", flat=True)
    )


def payload(event_type: str) -> dict:
    return json.loads(Delivery.objects.filter(event_type=event_type).latest("pk").body)


def test_a_passed_attempt_with_its_credential_and_decision(listening, recruiter):
    version = publish_document(keyed_document(validity_days=365), user=recruiter)
    attempt, run = take_attempt(version)
    credential = issue_for(run)
    access = access_assessment_results(recruiter, version.assessment.slug)
    record_decision(access, attempt, outcome="advance", note="Strong written reply", user=recruiter)
    credential_services.revoke_credential(credential, reason="Issued in error", user=recruiter)
    assert events_for(recruiter) == [
        "invitation.created",
        "attempt.started",
        "attempt.submitted",
        "attempt.scored",
        "credential.issued",
        "decision.recorded",
        "credential.revoked",
    ]
    stranger = Delivery.objects.exclude(subscription__owner=recruiter)
    assert not stranger.exists()  # the stranger may not see this assessment
    scored = payload("attempt.scored")
    assert scored["type"] == "attempt.scored"
    assert scored["data"]["attempt"] == str(attempt.public_id)
    assert scored["data"]["passed"] is True and scored["data"]["reason"] == "submitted"
    decided = payload("decision.recorded")["data"]
    assert decided["outcome"] == "advance" and "note" not in json.dumps(decided)
    assert "Strong written reply" not in Delivery.objects.values_list("body", flat=True)[0]
    revoked = payload("credential.revoked")["data"]
    assert revoked["credential"] == str(credential.public_id) and revoked["revoked_at"]
    assert "Issued in error" not in json.dumps(revoked)


def test_a_review_that_settles_the_attempt_completes_it(listening, recruiter, reviewer, client):
    version = publish_document(small_document(), user=recruiter)
    invitation, token = invitation_for(version)
    take_small_assessment(client, token, text="We are sorry; a refund goes out today.")
    attempt = invitation.attempts.get()
    run_scoring_job(ScoringJob.objects.get(attempt=attempt).pk)
    for item in ReviewItem.objects.filter(attempt=attempt, state=ReviewItem.State.OPEN):
        decide_review_item(item, level=2, reason="Clear and kind.", user=reviewer)
    run_scoring_job(ScoringJob.objects.filter(attempt=attempt).latest("pk").pk)
    assert events_for(recruiter)[-3:] == ["attempt.scored", "attempt.scored", "review.completed"]
    completed = payload("review.completed")["data"]
    assert completed["needs_review"] is False
    bodies = "".join(Delivery.objects.values_list("body", flat=True))
    assert "refund goes out today" not in bodies  # never the candidate's words


def test_a_cancelled_invitation_sends_nothing_more(listening, recruiter):
    version = publish_document(keyed_document(), user=recruiter)
    invitation, _ = invitation_for(version)
    cancel_invitation(invitation, user=recruiter)
    assert events_for(recruiter) == ["invitation.created"]


def test_a_rolled_back_change_leaves_no_delivery(listening, recruiter):
    version = publish_document(keyed_document(), user=recruiter)
    with pytest.raises(RuntimeError), transaction.atomic():
        invitation_for(version)
        raise RuntimeError("the request failed after the invitation was written")
    assert events_for(recruiter) == []
