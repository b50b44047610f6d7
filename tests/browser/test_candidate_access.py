"""Accessibility in practice: the keyboard alone completes an assessment with every item type,
focus is always visible, 320 px wide works without sideways scrolling, reduced motion is
respected, and axe-core finds nothing on the pages the journeys do not reach."""

import pytest

import flow
from assessments import services
from assessments.models import Attempt, Response
from tests.browser.candidate_support import (
    DEMO_DIR,
    answer_in_browser,
    focus_is_visible,
    load_document,
    plans,
    simulate,
    step_id_of,
    tab_to,
)
from tests.support.browser import assert_no_axe_violations
from tests.support.factories import invitation_for, published_version

pytestmark = [pytest.mark.browser]

EVERY_ITEM_TYPE = (
    "all-item-types" if (DEMO_DIR / "all-item-types.yaml").exists() else "small-document"
)


def press_on(page, selector: str, key: str) -> None:
    """Tab to the element, check its focus is visible, press the key."""
    tab_to(page, selector)
    assert focus_is_visible(page), f"no visible focus on {selector}"
    page.keyboard.press(key)


def keyboard_answer(page, step: dict) -> None:
    """Answer a step with the keyboard only: Tab, Space, arrows, Enter and typing."""
    item = step["item"]
    kind = item["type"] if item["type"] != "sjt" else item.get("mode", "rate")
    if kind == "single_choice":
        press_on(page, "input[name=option]", "Space")
    elif kind == "multiple_choice":
        for index in range(max(1, item.get("min_select") or 0)):
            press_on(page, "input[name=options]:not(:checked)", "Space")
            assert page.locator("input[name=options]:checked").count() == index + 1
    elif kind == "rate":
        names = page.eval_on_selector_all(
            "input[name^=rating-]", "els => [...new Set(els.map(e => e.name))]"
        )
        for name in names:
            press_on(page, f"input[name='{name}']", "Space")
            page.keyboard.press("ArrowRight")  # arrows move within the scale and select
    elif kind == "best_worst":
        press_on(page, "input[name=best]", "Space")
        press_on(page, "input[name=worst]", "ArrowDown")
    elif kind == "ranking":
        before = page.locator(".rank-text").all_inner_texts()
        press_on(page, "[data-move=down]:not([aria-disabled])", "Enter")
        after = page.locator(".rank-text").all_inner_texts()
        assert after == [before[1], before[0], *before[2:]]
        assert page.evaluate("document.activeElement.dataset.move") == "down"  # focus stays
    elif kind == "numeric":
        tab_to(page, "#answer-value")
        assert focus_is_visible(page)
        page.keyboard.type(str(item["answer"]))
    else:
        tab_to(page, "#answer-text")
        assert focus_is_visible(page)
        page.keyboard.type("Sorry for the trouble; I have refunded it and will confirm today.")


def test_the_whole_assessment_can_be_completed_with_the_keyboard_alone(live_server, page):
    document = load_document(EVERY_ITEM_TYPE)
    invitation, token = invitation_for(published_version(document))
    steps = flow.steps_by_id(document)
    page.goto(f"{live_server.url}/a/{token}/")

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert focus_is_visible(page) or page.locator(".skip-link").is_visible()
    press_on(page, "#consent", "Space")
    with page.expect_navigation():
        press_on(page, "button[type=submit]", "Enter")

    kinds = set()
    while step_id_of(page.url):
        step = steps[step_id_of(page.url)]
        kinds.add(step["item"]["type"] + step["item"].get("mode", ""))
        keyboard_answer(page, step)
        with page.expect_navigation():
            press_on(page, "button[type=submit]", "Enter")
    page.get_by_role("heading", name="Check and submit").wait_for()
    press_on(page, "#confirm", "Space")
    press_on(page, "#submit-button", "Enter")
    page.get_by_role("heading", name="Thank you — your answers are being scored").wait_for()

    attempt = invitation.attempts.get()
    assert attempt.state == Attempt.State.SUBMITTED
    answered = {r.step_id for r in Response.objects.filter(attempt=attempt) if r.answer}
    assert answered == set(attempt.path)
    if EVERY_ITEM_TYPE == "all-item-types":
        assert {"single_choice", "multiple_choice", "ranking", "numeric"} <= kinds
        assert {"sjtrate", "sjtbest_worst"} <= kinds


@pytest.fixture
def narrow_page(browser):
    """A 320 px wide phone that asks for reduced motion."""
    context = browser.new_context(
        viewport={"width": 320, "height": 640}, reduced_motion="reduce", has_touch=True
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, errors


def assert_fits(page, where: str) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{where} scrolls sideways by {overflow}px at 320px"


def test_at_320_px_with_reduced_motion_every_page_fits_and_passes_axe(live_server, narrow_page):
    page = narrow_page
    document = load_document(EVERY_ITEM_TYPE)
    invitation, token = invitation_for(published_version(document))
    answers = plans(document)[0]
    steps = flow.steps_by_id(document)
    page.goto(f"{live_server.url}/a/{token}/")
    assert_fits(page, "landing")
    page.get_by_label("I have read how my answers are scored").check()
    page.get_by_role("button", name="Start the assessment").click()
    while step_id_of(page.url):
        step_id = step_id_of(page.url)
        assert_fits(page, step_id)
        assert_no_axe_violations(page, f"{step_id} at 320px")
        answer_in_browser(page, steps[step_id], answers[step_id])
        page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state()
    assert_fits(page, "review")
    assert page.locator("#timer-value").is_visible()
    page.get_by_label("I am ready to submit my answers").check()
    page.get_by_role("button", name="Submit my answers").click()
    spinner = page.locator(".spinner")
    spinner.wait_for()
    assert_fits(page, "being scored")
    assert spinner.evaluate("el => getComputedStyle(el).animationName") == "none"
    assert simulate(document, answers) == invitation.attempts.get().path


def test_the_other_candidate_pages_pass_axe(live_server, page):
    _, token = invitation_for(published_version())
    page.goto(f"{live_server.url}/a/{token}/")
    page.get_by_role("button", name="Start the assessment").click()  # without consent
    page.get_by_role("alert").wait_for()
    assert "tick the box" in page.get_by_role("alert").inner_text()
    assert_no_axe_violations(page, "landing with the consent error")

    page.get_by_role("link", name="Ask for an accommodation").click()
    assert_no_axe_violations(page, "accommodation form")
    page.get_by_role("button", name="Send my request").click()
    page.get_by_role("alert").wait_for()
    assert_no_axe_violations(page, "accommodation form with an error")
    page.get_by_label("Extra time").check()
    page.get_by_label("Tell us more (optional)").fill("I usually get 25% more time.")
    page.get_by_role("button", name="Send my request").click()
    page.get_by_text("your request was sent to the hiring team").wait_for()
    assert_no_axe_violations(page, "landing after a request")

    page.goto(f"{live_server.url}/a/not-a-real-token/")
    assert page.get_by_role("heading", name="This link cannot be used").is_visible()
    assert_no_axe_violations(page, "unavailable link")


def test_a_final_decision_can_be_read_again_but_not_changed(live_server, page):
    document = load_document(EVERY_ITEM_TYPE)
    steps = flow.steps_by_id(document)
    steering = next(s for s in document["steps"] if services.steers(s))
    _, token = invitation_for(published_version(document))
    answers = plans(document)[0]
    page.goto(f"{live_server.url}/a/{token}/")
    page.get_by_label("I have read how my answers are scored").check()
    page.get_by_role("button", name="Start the assessment").click()
    while step_id_of(page.url) != steering["id"]:
        step_id = step_id_of(page.url)
        answer_in_browser(page, steps[step_id], answers[step_id])
        page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state()
    answer_in_browser(page, steering, answers[steering["id"]])
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Previous step").click()
    assert "your answer is final" in page.locator("#final-note").inner_text()
    chosen = answers[steering["id"]]["option"]
    text = next(o["text"] for o in steering["item"]["options"] if o["id"] == chosen)
    assert page.get_by_label(text, exact=True).is_checked()
    assert page.get_by_label(text, exact=True).is_disabled()
    assert_no_axe_violations(page, "a step whose answer is final")
