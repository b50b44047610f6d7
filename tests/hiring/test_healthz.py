"""/healthz reports the database and the broker, and says 503 when either is down."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from audit.services import record_event

ROOT = Path(__file__).resolve().parents[2]

HEALTH_PROBE = (
    "from django.test import Client; r = Client(HTTP_HOST='localhost').get('/healthz'); "
    "print(r.status_code, r.content.decode())"
)


def probe_healthz(**env: str) -> tuple[int, dict]:
    """Ask /healthz in a fresh process configured with ``env``."""
    merged = dict(os.environ) | env
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", HEALTH_PROBE],
        cwd=ROOT,
        env=merged,
        capture_output=True,
        text=True,
        timeout=120,
    )
    status, body = result.stdout.strip().splitlines()[-1].split(" ", 1)
    return int(status), json.loads(body)


@pytest.mark.django_db
def test_healthz_ok_when_database_and_broker_answer(client, redis_url):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "broker": "ok",
        "audit_pending": 0,
        "audit_oldest_pending_seconds": None,
    }


@pytest.mark.django_db
def test_healthz_shows_the_audit_events_waiting_for_the_sequencer(client, redis_url):
    record_event("test.event", actor="system", subject="thing:1")
    body = client.get("/healthz").json()
    assert body["audit_pending"] == 1
    assert 0 <= body["audit_oldest_pending_seconds"] < 60


def test_healthz_503_when_broker_is_down():
    status, body = probe_healthz(REDIS_URL="redis://127.0.0.1:1/0")
    assert status == 503
    assert body["broker"] == "down"


def test_healthz_503_when_database_is_down():
    status, body = probe_healthz(DATABASE_URL="postgres://postgres@127.0.0.1:1/nothing")
    assert status == 503
    assert body == {"status": "unavailable", "database": "down", "broker": "ok"}
