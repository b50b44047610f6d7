"""The notice period and the data-rights request in Chromium (#17): a candidate who opens the
link early reads the notice and the date, with no way to start; after the assessment they ask
for an explanation. Each page passes axe."""

import pytest

from assessments.models import Assessment
from compliance.models import DataRightsRequest
from tests.support.browser import assert_no_axe_violations
from tests.support.factories import invitation_for, published_version
from tests.support.journeys import take_small_assessment

pytestmark = [pytest.mark.browser]


def test_an_early_link_shows_the_notice_and_the_start_date(live_server, page, settings):
    settings.NOTICE_HOLIDAYS = []
    version = published_version()
    Assessment.objects.filter(pk=version.assessment_id).update(notice_jurisdictions=["nyc"])
    version.assessment.refresh_from_db()
    invitation, token = invitation_for(version)
    page.goto(f"{live_server.url}/a/{token}/")
    when = invitation.available_from
    page.get_by_role(
        "heading", name=f"You can start on {when:%A} {when.day} {when:%B %Y}"
    ).wait_for()
    assert page.get_by_role(
        "heading", name="The qualifications and skills it assesses"
    ).is_visible()
    assert page.get_by_role("button", name="Start the assessment").count() == 0
    assert_no_axe_violations(page, "landing during the notice period")
    page.get_by_role("link", name="Ask for an accommodation or another process").click()
    page.get_by_label("An alternative process (no automated scoring)").check()
    page.get_by_role("button", name="Send my request").click()
    page.get_by_text("your request was sent to the hiring team").wait_for()
    assert invitation.accommodation_requests.get().kind == "alternative_process"


def test_after_the_result_a_candidate_asks_for_an_explanation(live_server, page, client):
    _, token = invitation_for(published_version())
    take_small_assessment(client, token)
    page.goto(f"{live_server.url}/a/{token}/ask")
    page.get_by_role("button", name="Send my request").click()
    page.get_by_role("alert").wait_for()
    assert_no_axe_violations(page, "request form with an error")
    page.get_by_label("An explanation of the decision").check()
    page.get_by_label("Tell us more").fill("Why was my reply scored low?")
    page.get_by_role("button", name="Send my request").click()
    page.get_by_text("your request was recorded").wait_for()
    assert_no_axe_violations(page, "request form after a request")
    request = DataRightsRequest.objects.get()
    assert request.kind == "explanation" and request.details == "Why was my reply scored low?"
