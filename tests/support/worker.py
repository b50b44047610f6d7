"""A real Celery worker process against the test database and the test Redis."""

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

from hiring.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]


def test_database_url() -> str:
    """The URL of the database pytest-django created, for processes outside this one."""
    settings = connection.settings_dict
    host = settings.get("HOST") or "127.0.0.1"
    port = settings.get("PORT") or 5432
    user = settings.get("USER") or "postgres"
    return f"postgres://{user}@{host}:{port}/{settings['NAME']}"


def worker_env(redis_url: str) -> dict[str, str]:
    """The environment a worker needs to see the same database and broker as the test."""
    env = dict(os.environ)
    env.update(DATABASE_URL=test_database_url(), REDIS_URL=redis_url, DB_CONN_MAX_AGE="0")
    return env


def wait_for_worker(name: str, process: subprocess.Popen, timeout: float = 60) -> None:
    """Block until the worker answers a ping, or fail with its output."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Celery worker exited with {process.returncode}")
        replies = celery_app.control.ping(destination=[name], timeout=0.5)
        if replies:
            return
    raise RuntimeError(f"Celery worker {name} did not answer within {timeout} s")


class Worker:
    """A running worker process that tests can kill and restart."""

    def __init__(
        self,
        redis_url: str,
        concurrency: int = 2,
        name: str = "test",
        extra_env: dict[str, str] | None = None,
    ):
        self.redis_url = redis_url
        self.concurrency = concurrency
        self.name = f"{name}-{os.getpid()}@localhost"
        self.extra_env = extra_env or {}
        self.process: subprocess.Popen | None = None

    def start(self) -> "Worker":
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "hiring",
            "worker",
            "--loglevel=WARNING",
            f"--concurrency={self.concurrency}",
            # Every workload's queue, as `make run` does: one worker runs the whole pipeline.
            f"--queues={','.join(settings.WORKLOAD_QUEUES)}",
            "-n",
            self.name,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
        # A process group of its own, so SIGKILL reaches the pool children too.
        env = worker_env(self.redis_url) | self.extra_env
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
        if "CELERY_BROKER_URL" not in self.extra_env:
            # Only the Redis broker answers pings from this process's Celery app.
            wait_for_worker(self.name, self.process)
        return self

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and pool), as a crashed machine would."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        """A warm shutdown; SIGKILL if it does not stop in time."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


@contextmanager
def running_worker(redis_url: str, **kwargs):
    """A worker for the duration of a ``with`` block."""
    worker = Worker(redis_url, **kwargs).start()
    try:
        yield worker
    finally:
        worker.stop()
