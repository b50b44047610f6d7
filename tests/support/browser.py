"""Headless Chromium (Debian's package) driven by Playwright: one browser for the whole session.

Every browser test in every folder must use these fixtures: a second ``sync_playwright()`` inside
the session's event loop is refused by Playwright.
"""

import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.db import connections

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make between
# browser actions are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
_axe = Axe()  # bundles axe-core: nothing is fetched over the network


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the session; fails with instructions when it is not installed."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is not at {CHROMIUM}: run `apt-get install -y chromium`.", pytrace=False
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser):
    """A fresh browser profile (cookies, storage) per test."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    """A page that fails the test on any uncaught JavaScript error or anything the CSP blocked."""
    errors: list[str] = []

    def note_csp_violation(message) -> None:
        # Chromium reports what the Content-Security-Policy refused only on the console.
        if message.type == "error" and "Content Security Policy" in message.text:
            errors.append(message.text)

    pg = context.new_page()
    pg.on("pageerror", lambda error: errors.append(str(error)))
    pg.on("console", note_csp_violation)
    pg.set_default_timeout(15_000)
    yield pg
    # ORM calls made while Playwright runs get their own connection (another asgiref context);
    # close it, or the test database cannot be flushed or dropped.
    connections.close_all()
    assert not errors, f"JavaScript errors or CSP violations on the page: {errors}"


def assert_no_axe_violations(page, where: str = "") -> None:
    """Run axe-core on the page as it is now; fail listing every violation and its nodes."""
    results = _axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    violations = results.response["violations"]
    if violations:
        lines = [
            f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(str(node["target"][0]) for node in v["nodes"][:5])
            for v in violations
        ]
        raise AssertionError(f"axe-core violations on {where or page.url}:\n" + "\n".join(lines))
