"""Nothing is lost and nothing is doubled: reloads, a second device, failed saves, the deadline,
and submitting twice."""

from datetime import timedelta

import pytest
from django.utils import timezone

from assessments.models import Attempt, Response
from audit.models import AuditEvent
from scoring.models import ScoringJob
from tests.support.browser import assert_no_axe_violations
from tests.support.factories import invitation_for, published_version
from tests.support.journeys import wait_until

pytestmark = [pytest.mark.browser]

REPLY = "I'm so sorry about the double charge. I will refund it today and confirm by email."


def start(page, live_server, token: str) -> None:
    page.goto(f"{live_server.url}/a/{token}/")
    page.get_by_label("I have read how my answers are scored").check()
    page.get_by_role("button", name="Start the assessment").click()
    page.get_by_role("heading", name="A double charge").wait_for()


def saved_answer(invitation, step_id: str):
    response = Response.objects.filter(attempt__invitation=invitation, step_id=step_id).first()
    return response.answer if response else None


def wait_for_saved(page) -> None:
    page.locator("#save-status[data-state=saved]").wait_for()


def test_reload_and_another_device_resume_with_every_answer(live_server, browser, page):
    invitation, token = invitation_for(published_version())
    start(page, live_server, token)
    page.get_by_label("Check the payment log").check()
    wait_for_saved(page)
    assert page.locator("#save-status").inner_text().startswith("Saved")
    page.get_by_role("button", name="Continue").click()
    page.locator("#answer-text").fill(REPLY)  # typed, never "Continue"d
    wait_for_saved(page)
    assert saved_answer(invitation, "reply") == {"text": REPLY}

    page.reload()
    assert page.locator("#answer-text").input_value() == REPLY

    other_device = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        phone = other_device.new_page()
        phone.goto(f"{live_server.url}/a/{token}/")
        # The link lands where the candidate was, with the half-written reply.
        phone.get_by_role("heading", name="Your reply").wait_for()
        assert phone.locator("#answer-text").input_value() == REPLY
        phone.get_by_role("link", name="Previous step").click()
        assert phone.get_by_label("Check the payment log").is_checked()
    finally:
        other_device.close()


def test_a_failed_save_is_kept_in_the_browser_and_retried(live_server, page):
    invitation, token = invitation_for(published_version())
    start(page, live_server, token)
    page.get_by_label("Check the payment log").check()
    wait_for_saved(page)
    # The next page's script must be listening before anything is typed (a person is slower).
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="Continue").click()

    def refuse(route):
        route.abort("connectionrefused")

    page.route("**/autosave", refuse)
    page.locator("#answer-text").fill(REPLY)
    status = page.locator("#save-status[data-state=retrying]")
    status.wait_for()
    assert "kept on this device" in status.inner_text()
    assert saved_answer(invitation, "reply") is None
    kept = page.evaluate("() => Object.keys(localStorage).map(k => localStorage.getItem(k))")
    assert any(REPLY[:20] in value for value in kept)

    # Even a reload while the server is unreachable keeps what was typed.
    page.reload()
    assert page.locator("#answer-text").input_value() == REPLY

    page.unroute("**/autosave", refuse)
    page.evaluate("window.dispatchEvent(new Event('online'))")  # the network is back
    wait_until(lambda: saved_answer(invitation, "reply") == {"text": REPLY}, timeout=40)
    wait_for_saved(page)
    assert page.evaluate("() => Object.keys(localStorage).length") == 0


def test_an_oversized_answer_gets_a_clear_message_and_changes_nothing(live_server, page):
    invitation, token = invitation_for(published_version())
    start(page, live_server, token)
    page.get_by_label("Check the payment log").check()
    page.get_by_role("button", name="Continue").click()
    page.locator("#answer-text").fill("Short and kind.")
    wait_for_saved(page)
    # The textarea's maxlength stops typing; a pasted or scripted value can still be too long.
    page.evaluate(
        """() => { const t = document.querySelector('#answer-text');
                   t.removeAttribute('maxlength'); t.value = 'x'.repeat(700);
                   t.dispatchEvent(new Event('input', {bubbles: true})); }"""
    )
    refused = page.locator("#save-status[data-state=refused]")
    refused.wait_for()
    assert "limit is 600" in refused.inner_text()
    assert saved_answer(invitation, "reply") == {"text": "Short and kind."}
    page.get_by_role("button", name="Continue").click()
    alert = page.get_by_role("alert")
    assert "limit is 600" in alert.inner_text()
    assert page.locator("#answer-text").input_value() == "x" * 700  # nothing they typed is lost
    assert saved_answer(invitation, "reply") == {"text": "Short and kind."}
    assert_no_axe_violations(page, "step with an error")


def test_the_deadline_is_shown_enforced_and_submits_what_was_saved(live_server, page):
    invitation, token = invitation_for(published_version())
    start(page, live_server, token)
    timer = page.locator("#timer-value")
    assert timer.inner_text().startswith(("15:", "14:"))
    page.get_by_label("Check the payment log").check()
    wait_for_saved(page)
    attempt = invitation.attempts.get()
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() + timedelta(seconds=4))
    page.reload()
    assert int(timer.inner_text().split(":")[1]) <= 4
    page.get_by_role("heading", name="Thank you — your answers are being scored").wait_for(
        timeout=20_000
    )
    assert "Your time ran out" in page.locator("main").inner_text()
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.SUBMITTED and attempt.auto_submitted
    assert saved_answer(invitation, "first-move") == {"option": "check"}
    assert ScoringJob.objects.filter(attempt=attempt).count() == 1


def test_saves_after_the_deadline_are_refused(live_server, page):
    invitation, token = invitation_for(published_version())
    start(page, live_server, token)
    attempt = invitation.attempts.get()
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(seconds=1))
    page.get_by_label("Check the payment log").check()
    # The refused save sends the candidate to their (auto-submitted) result.
    page.get_by_role("heading", name="Thank you — your answers are being scored").wait_for()
    assert saved_answer(invitation, "first-move") is None


def reach_review(page, live_server, token: str) -> None:
    page.goto(f"{live_server.url}/a/{token}/")
    page.get_by_role("heading", name="Check and submit").wait_for()


def answer_everything(page, live_server, token: str) -> None:
    start(page, live_server, token)
    page.get_by_label("Check the payment log").check()
    page.get_by_role("button", name="Continue").click()
    page.locator("#answer-text").fill(REPLY)
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Check and submit").wait_for()


def test_submitting_from_two_tabs_makes_one_submission_and_one_job(live_server, context, page):
    invitation, token = invitation_for(published_version())
    answer_everything(page, live_server, token)
    second_tab = context.new_page()
    reach_review(second_tab, live_server, token)
    for tab in (page, second_tab):
        tab.get_by_label("I am ready to submit my answers").check()
    page.get_by_role("button", name="Submit my answers").click()
    second_tab.get_by_role("button", name="Submit my answers").click()
    for tab in (page, second_tab):
        tab.get_by_role("heading", name="Thank you — your answers are being scored").wait_for()
    attempt = invitation.attempts.get()
    assert ScoringJob.objects.filter(attempt=attempt).count() == 1
    assert AuditEvent.objects.filter(action="attempt.submitted").count() == 1


def test_a_double_click_and_concurrent_posts_make_one_job(live_server, page):
    invitation, token = invitation_for(published_version())
    answer_everything(page, live_server, token)
    page.get_by_label("I am ready to submit my answers").check()
    # Two submits fired at the same moment, as a double click on a slow network would.
    statuses = page.evaluate(
        """async () => {
            const form = document.getElementById('submit-form');
            const post = () => fetch(form.action, {method: 'POST', body: new FormData(form),
                                                   redirect: 'manual'});
            const responses = await Promise.all([post(), post(), post()]);
            return responses.map(r => r.type);
        }"""
    )
    assert statuses == ["opaqueredirect"] * 3
    page.get_by_role("button", name="Submit my answers").dblclick()
    page.get_by_role("heading", name="Thank you — your answers are being scored").wait_for()
    attempt = invitation.attempts.get()
    assert attempt.state == Attempt.State.SUBMITTED
    assert ScoringJob.objects.filter(attempt=attempt).count() == 1
