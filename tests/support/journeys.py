"""Take an attempt the way a candidate does: through the views, with the Django test client."""

import time
from collections.abc import Callable

from django.test import Client
from django.urls import reverse


def take_small_assessment(
    client: Client, token: str, *, option: str = "check", text: str = ""
) -> None:
    """Consent, answer both steps of the small document and submit."""
    reply = text or "I'm sorry for the double charge. I will refund it today."
    posts = [
        (reverse("assessments:start", kwargs={"token": token}), {"consent": "yes"}),
        (
            reverse("assessments:answer", kwargs={"token": token, "step_id": "first-move"}),
            {"option": option},
        ),
        (
            reverse("assessments:answer", kwargs={"token": token, "step_id": "reply"}),
            {"text": reply},
        ),
        (reverse("assessments:submit", kwargs={"token": token}), {"confirm": "yes"}),
    ]
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code == 302, (url, response.status_code)


def wait_until(condition: Callable[[], bool], timeout: float = 60, interval: float = 0.2) -> None:
    """Poll ``condition`` until it holds; fail with the timeout when it never does."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")
