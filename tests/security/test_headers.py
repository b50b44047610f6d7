"""Every page is served with a strict Content-Security-Policy and a Permissions-Policy, and
nothing on the candidate, staff or public pages needs more than the policy allows."""

import pytest
from django.contrib.auth.models import User

from tests.support.factories import invitation_for, published_version

STAFF_PAGES = ["/admin/", "/review/", "/compliance/"]


def policy_of(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    return dict(directive.strip().split(" ", 1) for directive in header.split(";"))


def assert_locked_down(response) -> None:
    assert response.status_code == 200
    policy = policy_of(response)
    for directive in ("default-src", "script-src", "style-src"):
        assert policy[directive] == "'self'", policy
    assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    assert "camera=()" in response.headers["Permissions-Policy"]


def superuser() -> User:
    return User.objects.create_superuser("boss", "boss@example.com", "a long staff password")


@pytest.mark.django_db
def test_a_candidate_page_carries_the_policies(client):
    _, token = invitation_for(published_version())
    assert_locked_down(client.get(f"/a/{token}/"))


@pytest.mark.django_db
@pytest.mark.parametrize("path", STAFF_PAGES)
def test_staff_pages_carry_the_policies(client, path):
    client.force_login(superuser())
    assert_locked_down(client.get(path))


@pytest.mark.django_db
def test_the_public_verify_page_carries_the_policies(client):
    assert_locked_down(client.get("/verify/"))


@pytest.mark.browser
def test_nothing_on_the_pages_is_blocked_by_the_policy(live_server, page, transactional_db):
    """The page fixture fails on any CSP violation Chromium reports; every page type is opened."""
    _, token = invitation_for(published_version())
    user = superuser()
    base = live_server.url

    assert "script-src 'self'" in page.goto(f"{base}/a/{token}/").headers["content-security-policy"]
    page.goto(f"{base}/verify/")
    page.goto(f"{base}/admin/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill("a long staff password")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/admin/")
    # The user form uses the admin's richest widgets (the two-box group selector).
    page.goto(f"{base}/admin/auth/user/{user.pk}/change/")
    page.goto(f"{base}/review/")
    page.goto(f"{base}/compliance/")
