"""Candidates take every demo assessment in Chromium, along two different branches, with
axe-core checking every page they see."""

import pytest

import flow
from assessments.models import Attempt, Response
from scoring.models import ScoringJob
from tests.browser.candidate_support import (
    DEMO_FILES,
    answer_in_browser,
    load_document,
    plans,
    simulate,
    step_id_of,
)
from tests.support.browser import assert_no_axe_violations
from tests.support.factories import invitation_for, published_version

pytestmark = [pytest.mark.browser]

DOCUMENT_NAMES = [path.stem for path in DEMO_FILES] + ["small-document"]


def open_and_start(page, live_server, token: str) -> None:
    page.goto(f"{live_server.url}/a/{token}/")
    assert_no_axe_violations(page, "landing page")
    page.get_by_label("I have read how my answers are scored").check()
    page.get_by_role("button", name="Start the assessment").click()


@pytest.mark.parametrize("plan_index", [0, 1], ids=["first-branch", "second-branch"])
@pytest.mark.parametrize("name", DOCUMENT_NAMES)
def test_demo_assessment_along_a_branch_with_axe_on_every_page(live_server, page, name, plan_index):
    document = load_document(name)
    version = published_version(document)
    invitation, token = invitation_for(version)
    answers = plans(document)[plan_index]
    expected = simulate(document, answers)
    steps = flow.steps_by_id(document)

    open_and_start(page, live_server, token)
    seen = []
    while step_id_of(page.url):
        step_id = step_id_of(page.url)
        seen.append(step_id)
        assert len(seen) <= len(document["steps"]), seen
        assert page.get_by_role("heading", level=1).inner_text() == steps[step_id]["title"]
        progress = page.get_by_role("progressbar").get_attribute("aria-valuetext")
        assert progress.startswith(f"Step {len(seen)} of"), progress
        assert page.locator("#timer-value").inner_text()[0].isdigit()
        assert_no_axe_violations(page, f"{name} step {step_id}")
        answer_in_browser(page, steps[step_id], answers[step_id])
        page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state()
    assert seen == expected
    assert page.get_by_role("heading", name="Check and submit").is_visible()
    assert_no_axe_violations(page, f"{name} review")

    attempt = invitation.attempts.get()
    saved = {r.step_id: r.answer for r in Response.objects.filter(attempt=attempt)}
    for step_id in expected:
        assert saved[step_id] == answers[step_id] or (
            # A number the candidate typed comes back as a float.
            "value" in answers[step_id]
            and saved[step_id]["value"] == float(answers[step_id]["value"])
        ), step_id

    page.get_by_label("I am ready to submit my answers").check()
    page.get_by_role("button", name="Submit my answers").click()
    page.get_by_role("heading", name="Thank you — your answers are being scored").wait_for()
    assert_no_axe_violations(page, f"{name} being scored")
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.SUBMITTED
    assert attempt.path == expected
    assert ScoringJob.objects.filter(attempt=attempt).count() == 1


def test_the_two_plans_of_every_demo_take_different_paths():
    for path in DEMO_FILES:
        document = load_document(path.stem)
        first, second = plans(document)
        assert simulate(document, first) != simulate(document, second), path.stem
