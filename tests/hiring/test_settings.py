"""Production mode: no start without a real key, and `check --deploy` stays silent."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Set by the test session (the browser tests need the async override); never by a deployment.
PER_DEPLOYMENT = {"SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
STRONG_KEY = "k3y-" + "x7Qp9z!Lm2#vR8tY4wB6nC1dF5gH0jK" * 2


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    merged = {k: v for k, v in os.environ.items() if k not in PER_DEPLOYMENT}
    merged.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=merged,
        capture_output=True,
        text=True,
        timeout=120,
    )


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
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="skillproof.example",
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "WARNINGS" not in result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout
