"""An applicant tracking system's afternoon, end to end: it subscribes to attempt.scored and
invites a candidate through the API; the candidate takes the assessment in Chromium from the
returned link; a real Celery worker scores it and delivers the signed event to a receiver on
127.0.0.1; the ATS reads the same scores from the results endpoint."""

import json

import pytest
from standardwebhooks.webhooks import Webhook

from assessments.services import publish_document
from tests.api.conftest import client_with, key_for
from tests.api.receiver import start_receiver
from tests.browser.candidate_support import answer_in_browser, plans, step_id_of
from tests.credentials.conftest import keyed_document
from tests.support.browser import assert_no_axe_violations
from tests.support.worker import running_worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def receiver():
    receiver = start_receiver()
    yield receiver
    receiver.server.shutdown()


def test_invite_by_api_take_in_chromium_receive_the_score_read_the_same(
    live_server, page, clean_broker, settings, recruiter, receiver
):
    settings.SITE_URL = live_server.url  # the link the API returns points at this server
    settings.WEBHOOK_ALLOW_PRIVATE = True
    document = keyed_document()
    publish_document(document, user=recruiter)
    ats = client_with(key_for(recruiter, ["invite", "results:read", "webhooks:manage"]))
    hook = ats.post(
        "/api/v1/webhooks", {"url": receiver.url, "events": ["attempt.scored"]}, format="json"
    ).json()
    invitation = ats.post(
        "/api/v1/invitations",
        {
            "assessment": document["slug"],
            "name": "Ada Lovelace",
            "email": "ada@example.com",
            "external_id": "greenhouse-4711",
        },
        format="json",
    ).json()

    with running_worker(clean_broker, extra_env={"WEBHOOK_ALLOW_PRIVATE": "1"}):
        page.goto(invitation["invitation_url"])
        page.get_by_label("I have read how my answers are scored").check()
        page.get_by_role("button", name="Start the assessment").click()
        steps = {step["id"]: step for step in document["steps"]}
        answers = plans(document)[0]
        while step_id := step_id_of(page.url):
            answer_in_browser(page, steps[step_id], answers[step_id])
            page.get_by_role("button", name="Continue").click()
            page.wait_for_load_state()
        page.get_by_label("I am ready to submit my answers").check()
        page.get_by_role("button", name="Submit my answers").click()
        page.get_by_role("heading", name="Thank you — your answers are being scored").wait_for()
        assert_no_axe_violations(page, "submitted")
        delivered = receiver.wait_for(1, timeout=90)[0]

    event = Webhook(hook["secret"]).verify(delivered.body, delivered.headers)
    assert event["type"] == "attempt.scored"
    scored = event["data"]
    assert scored["external_id"] == "greenhouse-4711"
    assert scored["invitation"] == invitation["id"]

    [attempt] = ats.get("/api/v1/attempts", {"external_id": "greenhouse-4711"}).json()["results"]
    assert attempt["id"] == scored["attempt"] and attempt["status"] == "scored"
    assert attempt["overall_score"] == scored["overall_score"]
    assert attempt["passed"] is scored["passed"] is True
    assert attempt["waiting_for_review"] is scored["needs_review"] is False
    by_skill = {skill["skill"]: skill for skill in attempt["skills"]}
    assert by_skill == {skill["skill"]: skill for skill in scored["skills"]}
    assert json.loads(delivered.body)["data"]["report_url"].endswith(
        f"/results/{document['slug']}/{attempt['id']}/"
    )
    assert ats.get(f"/api/v1/invitations/{invitation['id']}").json()["status"] == "submitted"
