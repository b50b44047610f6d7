"""Production mode: no start without a real key, and `check --deploy` stays silent; reading the
settings touches no network and no disk."""

import os
import subprocess
import sys

from tests.support.production import PRODUCTION, ROOT, manage


def test_production_refuses_to_start_without_secret_key():
    result = manage("check", DEBUG="0", ALLOWED_HOSTS="skillproof.example")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_a_development_key():
    result = manage(
        "check",
        DEBUG="0",
        ALLOWED_HOSTS="skillproof.example",
        SECRET_KEY="django-insecure-" + "a1b2c3" * 10,
    )
    assert result.returncode != 0
    assert "too weak" in result.stderr


def test_check_deploy_is_silent_in_production_mode():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "WARNINGS" not in result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout


def test_reading_the_settings_probes_no_redis_and_creates_no_folder(tmp_path, redis_url):
    """A Redis answers on this machine, yet with REDIS_URL unset the settings do not look for
    it: every process reads the same environment, so web and worker pick the same broker."""
    data_dir = tmp_path / "not-yet"
    environment = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL"}}
    environment.update(SKILLPROOF_DATA_DIR=str(data_dir), CELERY_BROKER_URL="", REDIS_URL="")
    result = subprocess.run(
        [sys.executable, "-c", PRINT_BROKER_AND_CACHE],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["filesystem://", "django.core.cache.backends.db.DatabaseCache"]
    assert not data_dir.exists()


PRINT_BROKER_AND_CACHE = """
import django, os
os.environ["DJANGO_SETTINGS_MODULE"] = "hiring.settings"
django.setup()
from django.conf import settings
print(settings.CELERY_BROKER_URL, settings.CACHES["default"]["BACKEND"])
"""
