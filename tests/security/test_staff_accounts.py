"""Staff accounts: repeated wrong passwords lock the account for that address, every failed
sign-in is in the audit chain, and with STAFF_REQUIRE_2FA no staff page opens before a code
from the user's authenticator app."""

import json
from urllib.parse import quote

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEvent
from audit.services import Action
from tests.support.browser import assert_no_axe_violations
from tests.support.production import PRODUCTION, manage

pytestmark = pytest.mark.django_db

PASSWORD = "a long and correct staff password"
ADDRESS = "203.0.113.7"
STAFF_PAGES = ["/admin/", "/review/", "/compliance/"]


@pytest.fixture
def staff_user() -> User:
    return User.objects.create_superuser("ops", "ops@example.com", PASSWORD)


@pytest.fixture
def two_factor_required(settings):
    settings.STAFF_REQUIRE_2FA = True


def sign_in(client, password: str, username: str = "ops", address: str = ADDRESS, **headers):
    form = {"username": username, "password": password, "next": "/admin/"}
    return client.post("/admin/login/", form, REMOTE_ADDR=address, **headers)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def last_event(action: str) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).order_by("-id").first()


def current_code(device: TOTPDevice, steps_away: int = 0) -> str:
    code = totp(
        device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=steps_away
    )
    return f"{code:0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    # The code of the step before and after is accepted too (clock tolerance).
    accepted = {current_code(device, steps_away) for steps_away in (-1, 0, 1)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in accepted)


def test_the_right_password_is_refused_once_the_account_is_locked(client, settings, staff_user):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "wrong password").status_code == 200
    # The failure that reaches the limit is answered with the lock already.
    assert sign_in(client, "wrong password").status_code == 429
    response = sign_in(client, PASSWORD)
    assert response.status_code == 429
    assert "Sign-in locked" in response.text
    assert not signed_in(client)
    assert json.loads(last_event(Action.STAFF_LOGIN_FAILED).payload)["locked_out"] is True


def test_the_lock_is_per_account_and_address_and_a_forged_header_does_not_lift_it(
    client, settings, staff_user
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "wrong password")
    # Nothing is in front of the app (NUM_PROXIES = 0): X-Forwarded-For is the client's claim.
    assert sign_in(client, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.9").status_code == 429
    elsewhere = Client()
    assert sign_in(elsewhere, PASSWORD, address="198.51.100.20").status_code == 302
    assert signed_in(elsewhere)


def test_failed_sign_ins_are_recorded_in_the_audit_chain(client, staff_user):
    sign_in(client, "wrong password")
    event = last_event(Action.STAFF_LOGIN_FAILED)
    assert event.subject == f"user:{staff_user.pk}"
    assert json.loads(event.payload) == {
        "factor": "password",
        "address": ADDRESS,
        "locked_out": False,
    }
    sign_in(client, "whatever", username="my-password-typed-here")
    event = last_event(Action.STAFF_LOGIN_FAILED)
    assert event.subject == "user:unknown"
    assert "my-password-typed-here" not in event.payload


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_no_staff_page_opens_before_the_second_factor(
    client, staff_user, two_factor_required, path
):
    client.force_login(staff_user)
    response = client.get(path)
    assert response.status_code == 302
    assert response.url == f"/staff/two-factor/?next={quote(path, safe='')}"


def test_a_staff_user_sets_up_an_authenticator_then_gets_in(
    client, staff_user, two_factor_required
):
    client.force_login(staff_user)
    page = client.get("/review/", follow=True)
    assert page.redirect_chain[-1][0] == "/staff/two-factor/set-up?next=%2Freview%2F"
    device = TOTPDevice.objects.get(user=staff_user, confirmed=False)
    assert page.context["uri"] == device.config_url
    assert "otpauth://totp/Skillproof%3Aops?secret=" in page.text
    assert '<svg width="' in page.text  # the QR code, drawn on the server

    response = client.post(
        "/staff/two-factor/set-up", {"code": current_code(device), "next": "/review/"}
    )
    assert response.status_code == 302 and response.url == "/review/"
    assert client.get("/review/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    assert last_event(Action.STAFF_AUTHENTICATOR_ADDED).subject == f"user:{staff_user.pk}"


@pytest.fixture
def authenticator(staff_user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=staff_user, name="phone", confirmed=True)


@pytest.mark.parametrize(
    ("page", "set_up"), [("/staff/two-factor/", True), ("/staff/two-factor/set-up", False)]
)
def test_a_wrong_code_is_refused_and_audited(client, staff_user, two_factor_required, page, set_up):
    device = TOTPDevice.objects.create(user=staff_user, name="phone", confirmed=set_up)
    client.force_login(staff_user)
    response = client.post(page, {"code": wrong_code(device), "next": "/admin/"})
    assert response.status_code == 200
    assert "That code is not the current one" in response.text
    assert client.get("/admin/").status_code == 302
    event = last_event(Action.STAFF_LOGIN_FAILED)
    assert event.subject == f"user:{staff_user.pk}"
    assert json.loads(event.payload)["factor"] == "token"
    device.refresh_from_db()
    assert device.confirmed == set_up and device.throttling_failure_count == 1


def test_the_right_code_opens_the_staff_pages(
    client, staff_user, authenticator, two_factor_required
):
    client.force_login(staff_user)
    response = client.post(
        "/staff/two-factor/", {"code": current_code(authenticator), "next": "/admin/"}
    )
    assert response.status_code == 302 and response.url == "/admin/"
    for path in STAFF_PAGES:
        assert client.get(path).status_code == 200, path


def test_an_account_with_an_authenticator_cannot_add_another(
    client, staff_user, authenticator, two_factor_required
):
    client.force_login(staff_user)
    response = client.get("/staff/two-factor/set-up?next=/admin/")
    assert response.status_code == 302 and response.url.startswith("/staff/two-factor/?")
    assert list(TOTPDevice.objects.filter(user=staff_user)) == [authenticator]


def test_an_authenticator_once_set_up_is_asked_for_even_when_not_required(
    client, staff_user, authenticator
):
    client.force_login(staff_user)
    assert client.get("/admin/").status_code == 302


def test_production_mode_requires_the_second_factor_by_default():
    code = "from django.conf import settings; print(settings.STAFF_REQUIRE_2FA)"
    result = manage("shell", "-c", code, **PRODUCTION)
    assert result.stdout.splitlines()[-1] == "True", result.stderr


@pytest.mark.browser
def test_signing_in_with_a_new_authenticator_in_a_browser(
    live_server, page, transactional_db, settings
):
    """Password, set-up page (no CSP violation, no axe violation), first code, then the admin."""
    settings.STAFF_REQUIRE_2FA = True
    user = User.objects.create_superuser("ops", "ops@example.com", PASSWORD)
    base = live_server.url
    page.goto(f"{base}/admin/")
    page.get_by_label("Username").fill("ops")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/staff/two-factor/set-up?next=%2Fadmin%2F")
    assert page.get_by_role("img", name="QR code for your authenticator app").is_visible()
    assert_no_axe_violations(page, "two-factor set-up")

    device = TOTPDevice.objects.get(user=user, confirmed=False)
    page.get_by_label("Code from your authenticator app").fill(current_code(device))
    page.get_by_role("button", name="Confirm and continue").click()
    page.wait_for_url(f"{base}/admin/")
    assert page.get_by_role("button", name="Log out").is_visible()
