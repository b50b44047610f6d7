"""No log line keeps the token of a candidate link, an LER sign-in link or a share link:
neither Django's request logging nor gunicorn's access log (as shipped in docker-compose.yml)."""

import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "Zq8-secret-token-4PzW"
# Past the token, nothing is routed: each request fails as a stale or mistyped link does.
LINKS = [f"/a/{TOKEN}/nowhere", f"/c/{TOKEN}/nowhere", f"/ler/open/{TOKEN}/nowhere"]
GUNICORN = [sys.executable, "-m", "gunicorn", "hiring.wsgi", "--config", "gunicorn.conf.py"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", LINKS)
def test_django_request_log_redacts_tokens(client, caplog, path):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get(path).status_code == 404
    assert caplog.records, "the failed request was not logged"
    assert TOKEN not in caplog.text
    assert path.replace(TOKEN, "[redacted]") in caplog.text


def test_runserver_access_log_redacts_tokens(caplog):
    with caplog.at_level(logging.INFO, logger="django.server"):
        # What runserver's request handler logs for each request.
        logging.getLogger("django.server").info(
            '"%s" %s %s', f"GET /ler/open/{TOKEN} HTTP/1.1", "200", "1024"
        )
    assert caplog.text.count("/ler/open/[redacted]") == 1 and TOKEN not in caplog.text


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    process.kill()
    pytest.fail(f"gunicorn did not start: {process.communicate()[0]}")


def test_gunicorn_access_log_redacts_tokens():
    """The web command of docker-compose.yml, run for real: request line and referer."""
    port = free_port()
    process = subprocess.Popen(
        [*GUNICORN, "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=ROOT,
        env={**os.environ, "DEBUG": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for(port, process)
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/a/{TOKEN}/nowhere",
            headers={"Referer": f"http://127.0.0.1:{port}/c/{TOKEN}-share/"},
        )
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(request, timeout=30)
    finally:
        process.terminate()
        output = process.communicate(timeout=30)[0]
    assert '"GET /a/[redacted]/nowhere HTTP/1.1" 404' in output, output
    assert "/c/[redacted]/" in output, output
    assert TOKEN not in output, output
