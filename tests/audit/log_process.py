"""Processes for the audit log's concurrency tests: writers, sequencers, and a sequencer that
hangs mid-batch so that the test can kill it. Run as ``python -m tests.audit.log_process``."""

import os
import sys
import time
from pathlib import Path

import django


class _RolledBack(Exception):
    pass


def write(prefix: str, count: int) -> None:
    """``count`` events, each in its own transaction; every fifth transaction rolls back."""
    from django.db import transaction

    from audit.services import record_event

    for i in range(count):
        rolled_back = i % 5 == 4
        subject = f"rolled-back:{prefix}:{i}" if rolled_back else f"{prefix}:{i}"
        try:
            with transaction.atomic():
                record_event("test.concurrent", actor="system", subject=subject, payload={"i": i})
                if rolled_back:
                    raise _RolledBack
        except _RolledBack:
            pass


def sequence_until(stop: Path) -> None:
    from audit.services import sequence_pending_events

    while not stop.exists():
        sequence_pending_events()
        time.sleep(0.005)


def hang_in(step: str) -> None:
    """Sequence, but stop for good at ``step``: "batch" (before the batch commits) or
    "publish" (after it committed, before the tree head reaches the anchor file)."""
    from audit import services

    def hang(*args, **kwargs):
        print("HANGING", flush=True)
        time.sleep(600)

    setattr(services, {"batch": "_store_tree_head", "publish": "publish_tree_heads"}[step], hang)
    services.sequence_pending_events(wait=True)


def main(command: str, *args: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hiring.settings")
    django.setup()
    if command == "write":
        write(args[0], int(args[1]))
    elif command == "sequence":
        sequence_until(Path(args[0]))
    elif command == "hang":
        hang_in(args[0])
    else:
        raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    main(*sys.argv[1:])
