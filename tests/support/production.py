"""Run manage.py in a fresh process, configured from the environment like a deployment."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Set by the test session (the browser tests need the async override); never by a deployment.
PER_DEPLOYMENT = {
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "EMAIL_BACKEND",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}
STRONG_KEY = "k3y-" + "x7Qp9z!Lm2#vR8tY4wB6nC1dF5gH0jK" * 2
# Everything production mode (DEBUG=0) requires.
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": STRONG_KEY,
    "ALLOWED_HOSTS": "skillproof.example",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    """``manage.py *args`` with only ``env`` for the per-deployment settings."""
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
