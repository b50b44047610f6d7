"""The API reference at /api/docs/ renders in Chromium under the strict Content-Security-Policy,
from bundled files only: every operation listed, no CSP violation, nothing fetched elsewhere."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_reference_renders_every_operation_without_csp_violations(live_server, page):
    problems, foreign = [], []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on(
        "request",
        lambda request: not request.url.startswith(live_server.url) and foreign.append(request.url),
    )
    page.goto(f"{live_server.url}/api/docs/")
    page.get_by_text("List attempts and results").wait_for()
    for summary in ("Invite a candidate", "Revoke a credential", "Subscribe to events"):
        assert page.get_by_text(summary).first.is_visible()
    assert not [text for text in problems if "Content Security Policy" in text], problems
    assert foreign == []
