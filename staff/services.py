"""Staff authenticators: set one up, confirm it, and verify a session with its codes."""

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.utils import timezone
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.services import Action, actor_for_user, record_event

AUTHENTICATOR_NAME = "Authenticator app"


class WrongCode(Exception):
    """An authenticator code that was refused; the message tells the user what to do."""


def needs_second_factor(user) -> bool:
    """Whether a signed-in user must still enter an authenticator code in this session.

    Everyone must when ``STAFF_REQUIRE_2FA`` is on; otherwise only those who set one up.
    """
    if not user.is_authenticated or user.is_verified():
        return False
    return settings.STAFF_REQUIRE_2FA or user_has_device(user, confirmed=True)


def confirmed_authenticator(user) -> TOTPDevice | None:
    """The user's authenticator, once set up."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_authenticator(user) -> TOTPDevice:
    """The authenticator being set up: the same secret on every visit until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)


def _check_code(request, device: TOTPDevice, code: str) -> None:
    allowed, refusal = device.verify_is_allowed()
    if not allowed:
        wait = max(1, round((refusal["locked_until"] - timezone.now()).total_seconds()))
        raise WrongCode(f"Too many wrong codes in a row: wait {wait} seconds, then try again.")
    if not device.verify_token(code):
        # Counts towards the sign-in lockout (django-axes) and is audited like a wrong password.
        user_login_failed.send(
            sender=__name__,
            credentials={"username": request.user.get_username()},
            request=request,
            factor="token",
        )
        raise WrongCode(
            "That code is not the current one. Check that your phone's clock is right, then "
            "enter the code your app shows now."
        )


def confirm_authenticator(request, device: TOTPDevice, code: str) -> None:
    """Confirm a new authenticator with a first code from it; this session is then verified."""
    # Checked outside the transaction: a wrong code's throttle count and audit event must stay.
    _check_code(request, device, code)
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        record_event(
            Action.STAFF_AUTHENTICATOR_ADDED,
            actor=actor_for_user(request.user),
            subject=f"user:{request.user.pk}",
            payload={"device": device.persistent_id},
        )
    otp_login(request, device)


def verify_session(request, device: TOTPDevice, code: str) -> None:
    """Verify this session with a code from the user's authenticator."""
    _check_code(request, device, code)
    otp_login(request, device)
