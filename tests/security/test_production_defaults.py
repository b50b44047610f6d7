"""Production mode (DEBUG=0) refuses development conveniences: mail printed on the console
unless asked for by name, and the demo data with its published staff password."""

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.support.production import PRODUCTION, manage

CONSOLE = "django.core.mail.backends.console.EmailBackend"


def without_email_backend() -> dict[str, str]:
    return {key: value for key, value in PRODUCTION.items() if key != "EMAIL_BACKEND"}


def test_production_refuses_to_start_without_an_email_backend():
    result = manage("check", **without_email_backend())
    assert result.returncode != 0
    assert "EMAIL_BACKEND must be set when DEBUG=0" in result.stderr


def test_production_accepts_the_console_backend_when_named():
    result = manage("check", **without_email_backend(), EMAIL_BACKEND=CONSOLE)
    assert result.returncode == 0, result.stderr


@pytest.mark.django_db
def test_seed_demo_refuses_in_production_mode(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match=r"development only.*DEBUG=0"):
        call_command("seed_demo")
    assert not User.objects.exists()
