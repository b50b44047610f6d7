"""The recruiter's journey in Chromium, with axe-core on every page at 1280 px and 320 px:
sign in as the demo recruiter, open a demo assessment's results, sort by a skill (by keyboard),
open a report, compare two candidates and record a decision."""

import re

import pytest
from django.contrib.auth.models import Group

from assessments.management.commands.seed_demo import (
    DEMO_DIR,
    DEMO_PASSWORD,
    ensure_published,
    ensure_staff,
)
from audit.roles import Role
from results.models import Decision
from scoring.management.simulation import simulate_candidates
from tests.support.browser import assert_no_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _check_both_widths(page, where: str) -> None:
    assert_no_axe_violations(page, f"{where} at 1280 px")
    page.set_viewport_size({"width": 320, "height": 800})
    assert_no_axe_violations(page, f"{where} at 320 px")
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.fixture
def demo_results(db):
    # An earlier transactional test may have flushed the role groups the migration made.
    Group.objects.get_or_create(name=Role.RECRUITER.value)
    recruiter = ensure_staff("recruiter", Role.RECRUITER)
    text = (DEMO_DIR / "data-analysis.yaml").read_text(encoding="utf-8")
    version = ensure_published(text, recruiter)
    simulate_candidates(version, count=5, seed=7, score_inline=True)
    return version.assessment


def test_recruiter_sorts_opens_a_report_compares_and_decides(live_server, page, demo_results):
    page.goto(f"{live_server.url}/")
    _check_both_widths(page, "the front door")
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Username").fill("recruiter")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.wait_for_url(re.compile(r"/results/$"))
    assert page.get_by_test_id("new-results").inner_text().startswith("5 new")
    _check_both_widths(page, "the results index")

    page.get_by_role("link", name=demo_results.title).click()
    page.wait_for_url(re.compile(rf"/results/{demo_results.slug}/$"))
    _check_both_widths(page, "the results table")

    sort = page.locator('a[data-sort="causal-reasoning"]')
    sort.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"sort=causal-reasoning"))
    header = page.locator("th", has=page.locator('a[data-sort="causal-reasoning"]'))
    assert header.get_attribute("aria-sort") == "descending"
    column = header.evaluate("th => th.cellIndex")
    scores = [
        int(cell)
        for cell in page.locator("tbody tr").evaluate_all(
            "(rows, column) => rows.map(r => r.children[column].firstChild.textContent.trim())",
            column,
        )
        if cell.isdigit()
    ]
    assert scores == sorted(scores, reverse=True)

    rows = page.locator("tbody tr")
    first, second = (rows.nth(i).locator("th a").inner_text() for i in range(2))
    page.get_by_label(f"Compare {first}").check()
    page.get_by_label(f"Compare {second}").check()
    page.get_by_role("button", name="Compare selected").click()
    page.wait_for_url(re.compile(r"/compare\?"))
    assert page.get_by_role("heading", name="Compare 2 candidates").is_visible()
    _check_both_widths(page, "the comparison")

    page.get_by_role("link", name=first).first.click()
    page.wait_for_url(re.compile(r"/results/[^/]+/[0-9a-f-]{36}/$"))
    assert page.get_by_role("heading", name="Answers and evidence").is_visible()
    _check_both_widths(page, "the candidate report")

    page.get_by_label("Advance").check()
    page.get_by_label("Note (optional)").fill("Strong causal reasoning; invite to interview.")
    page.get_by_role("button", name="Save decision").click()
    page.wait_for_url(re.compile(r"#decision$"))
    assert page.get_by_text("Decision recorded: Advance.").is_visible()
    _check_both_widths(page, "the report after a decision")
    assert Decision.objects.get().outcome == "advance"

    page.get_by_role("link", name=demo_results.title).click()
    assert page.locator(".decision-advance").count() == 1
