"""After submitting: the waiting page turns into the result by itself, with per-skill levels and
personal feedback, axe-clean, and the candidate can download everything held about them."""

import json
from pathlib import Path

import pytest

from scoring import presenters
from tests.support.browser import assert_no_axe_violations
from tests.support.factories import invitation_for, published_version

pytestmark = [pytest.mark.browser, pytest.mark.worker]


@pytest.fixture
def credential_provider(monkeypatch):
    """Stands in for the credentials app: the link is known as soon as the attempt is scored."""

    def provider(attempt):
        return f"/credentials/for/{attempt.public_id}" if attempt.score_runs.exists() else None

    monkeypatch.setattr(presenters, "_credential_link_providers", [])
    presenters.register_credential_link(provider)
    return provider


def test_waiting_page_becomes_the_result_without_a_reload(
    live_server, celery_worker, page, credential_provider
):
    invitation, token = invitation_for(published_version())
    page.goto(f"{live_server.url}/a/{token}/")
    page.get_by_label("I have read how my answers are scored").check()
    page.get_by_role("button", name="Start the assessment").click()
    page.get_by_label("Check the payment log").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Write your reply.").fill(
        "I'm so sorry about the double charge. I will refund it today."
    )
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("I am ready to submit my answers").check()
    page.get_by_role("button", name="Submit my answers").click()
    page.wait_for_url("**/result")

    navigations = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    outcome = page.get_by_test_id("result-outcome")
    outcome.wait_for(timeout=60_000)
    assert navigations == []  # the result arrived in place
    assert page.evaluate("document.activeElement.id") == "result-heading"
    assert outcome.inner_text() in {"You passed", "Your result"}

    judgement = page.get_by_role("region", name="Judgement")
    assert judgement.get_by_role("heading", name="What was strong").is_visible()
    assert "You chose “Check the payment log”\nFacts first." in judgement.inner_text()
    assert "You put the customer first." in judgement.inner_text()
    assert page.get_by_role("region", name="Writing").is_visible()
    if outcome.inner_text() == "You passed":
        link = page.get_by_role("link", name="View your credential")
        assert link.get_attribute("href").endswith(str(invitation.attempts.get().public_id))
    assert_no_axe_violations(page, "result page")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download everything we hold about you").first.click()
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert data["invitation"]["email"] == "ada@example.com"
    attempt = data["attempts"][0]
    assert attempt["consent_given_at"] and attempt["submitted_at"]
    assert {answer["step"] for answer in attempt["answers"]} == {"first-move", "reply"}
    assert {"option": "Check the payment log"} in [
        answer["answer"] for answer in attempt["answers"]
    ]
    assert attempt["scores"][0]["skills"][0]["skill"] == "Judgement"
    assert "rationale" not in json.dumps(data) and "key_order" not in json.dumps(data)

    page.reload()  # and the result stays on a fresh load
    assert page.get_by_test_id("result-outcome").is_visible()
