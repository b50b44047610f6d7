"""The demo journey in Chromium: open the link, consent, answer, submit, see the result."""

import pytest

from tests.support.factories import invitation_for, published_version

pytestmark = [pytest.mark.browser, pytest.mark.worker]


def test_candidate_takes_the_small_assessment_and_sees_the_result(live_server, celery_worker, page):
    version = published_version()
    _, token = invitation_for(version)

    page.goto(f"{live_server.url}/a/{token}/")
    page.get_by_label("I have read how my answers are scored").check()
    page.get_by_role("button", name="Start the assessment").click()

    page.get_by_label("Check the payment log").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Write your reply.").fill(
        "I'm so sorry about the double charge. I will refund it today."
    )
    page.get_by_role("button", name="Continue").click()

    page.get_by_label("I am ready to submit my answers.").check()
    page.get_by_role("button", name="Submit my answers").click()

    # The waiting page turns into the result by itself, without a manual reload.
    outcome = page.get_by_test_id("result-outcome")
    outcome.wait_for(timeout=60_000)
    assert page.get_by_test_id("overall-score").inner_text().strip().isdigit()
    assert page.get_by_role("heading", name="Judgement").is_visible()
