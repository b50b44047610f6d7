"""The README's ten-line webhook receiver, run as written: it accepts a real signed delivery
and refuses a forged one."""

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assessments.services import publish_document
from tests.api.conftest import client_with, invite, key_for
from tests.support.documents import small_document
from webhooks import services, signing, targets
from webhooks.models import Delivery, Subscription

README = Path(__file__).resolve().parents[2] / "README.md"

pytestmark = pytest.mark.django_db


def receiver_code() -> str:
    text = README.read_text(encoding="utf-8")
    match = re.search(r"<!-- webhook-receiver[^>]*-->\n```python\n(.*?)```", text, re.S)
    assert match, "the README's receiver block is gone"
    return match.group(1)


@pytest.fixture
def port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_readme_receiver_verifies_a_real_delivery(recruiter, settings, tmp_path, port):
    assert len(receiver_code().strip().splitlines()) <= 13
    settings.WEBHOOK_ALLOW_PRIVATE = True
    url = f"http://127.0.0.1:{port}/"
    subscription = services.subscribe(owner=recruiter, url=url, events=["invitation.created"])
    script = tmp_path / "receiver.py"
    script.write_text(receiver_code(), encoding="utf-8")
    env = dict(os.environ, WEBHOOK_SECRET=subscription.secret, PORT=str(port))
    process = subprocess.Popen(
        [sys.executable, str(script)], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 10
        while socket.socket().connect_ex(("127.0.0.1", port)) != 0:
            assert time.monotonic() < deadline, "the receiver did not start"
            time.sleep(0.1)
        publish_document(small_document(), user=recruiter)
        invite(client_with(key_for(recruiter)), external_id="readme")
        delivery = Delivery.objects.get()
        services.deliver(delivery.pk)  # what the worker's task does
        delivery.refresh_from_db()
        assert delivery.last_status_code == 204 and delivery.delivered_at

        forged = signing.signed_headers(
            signing.new_secret(), delivery.message_id, int(time.time()), delivery.body
        )
        answer = targets.post(targets.resolve(url), delivery.body.encode(), forged)
        assert answer.status == 400
        stale = signing.signed_headers(
            Subscription.objects.get().secret,
            delivery.message_id,
            int(time.time()) - 3600,
            delivery.body,
        )
        assert targets.post(targets.resolve(url), delivery.body.encode(), stale).status == 400
    finally:
        process.terminate()
        output = process.communicate(timeout=10)[0].decode()
    assert output.startswith("invitation.created {") and "'external_id': 'readme'" in output
