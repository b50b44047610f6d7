"""Several processes writing and sequencing at once; a sequencer killed mid-batch."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import transaction

from audit.models import AuditEvent, TreeHead
from audit.selectors import pending_events
from audit.services import record_event, sequence_pending_events
from audit.verify import verify_audit_chain
from tests.audit.helpers import record
from tests.support.worker import test_database_url as database_url

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
WRITERS, EVENTS_EACH = 4, 60


@pytest.fixture
def process_env(settings) -> dict[str, str]:
    """The test database and this test's key and anchor file, for processes outside this one."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url(),
        DB_CONN_MAX_AGE="0",
        AUDIT_ANCHOR_FILE=str(settings.AUDIT_ANCHOR_FILE),
        AUDIT_SIGNING_KEY_FILE=str(settings.AUDIT_SIGNING_KEY_FILE),
    )
    return env


def _start(env: dict[str, str], *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.audit.log_process", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(process: subprocess.Popen) -> None:
    _out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err


def _kill_when_hanging(process: subprocess.Popen) -> None:
    line = process.stdout.readline()
    assert line.strip() == "HANGING", process.stderr.read()
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)


def test_concurrent_writers_and_sequencers_leave_no_gap_and_no_fork(process_env, tmp_path):
    stop = tmp_path / "stop"
    sequencers = [_start(process_env, "sequence", str(stop)) for _ in range(2)]
    writers = [_start(process_env, "write", f"w{n}", str(EVENTS_EACH)) for n in range(WRITERS)]
    for writer in writers:
        _finish(writer)
    stop.touch()
    for sequencer in sequencers:
        _finish(sequencer)
    sequence_pending_events(wait=True)

    committed = {f"w{n}:{i}" for n in range(WRITERS) for i in range(EVENTS_EACH) if i % 5 != 4}
    events = list(AuditEvent.objects.order_by("seq").values("seq", "subject", "prev_hash"))
    assert [event["seq"] for event in events] == list(range(1, len(committed) + 1))  # no gap
    assert {event["subject"] for event in events} == committed  # each once, no rolled-back one
    prev_hashes = [event["prev_hash"] for event in events]
    assert len(set(prev_hashes)) == len(prev_hashes)  # no two events follow the same one
    verification = verify_audit_chain()
    assert verification.ok, verification.problem
    # The sequencers ran while the writers wrote: many batches, each head consistent.
    assert verification.heads_checked == TreeHead.objects.count() > 1


def test_an_event_written_in_a_rolled_back_transaction_never_appears():
    with pytest.raises(RuntimeError), transaction.atomic():
        record_event("test.event", actor="system", subject="thing:undone")
        raise RuntimeError("the change it records failed")
    record(1)
    sequence_pending_events()
    assert list(AuditEvent.objects.values_list("subject", flat=True)) == ["thing:1"]


def test_a_sequencer_killed_mid_batch_leaves_a_log_that_verifies_and_the_next_run_finishes(
    process_env,
):
    record(3)
    sequence_pending_events()
    record(5, start=4)
    _kill_when_hanging(_start(process_env, "hang", "batch"))
    # Its transaction died with it: the log is as it was, the batch still pending.
    assert verify_audit_chain().ok
    assert pending_events().count == 5
    assert sequence_pending_events() == 5
    assert list(AuditEvent.objects.values_list("seq", flat=True)) == list(range(1, 9))
    verification = verify_audit_chain()
    assert verification.ok and verification.heads_checked == 2


def test_a_sequencer_killed_before_publishing_its_head_is_caught_up_by_the_next_run(
    process_env, anchor_files
):
    record(2)
    _kill_when_hanging(_start(process_env, "hang", "publish"))
    # The batch committed but its signed head never reached the file.
    assert pending_events().count == 0 and TreeHead.objects.count() == 1
    assert not anchor_files.exists()
    assert verify_audit_chain().ok
    assert sequence_pending_events() == 0
    verification = verify_audit_chain()
    assert verification.ok and verification.heads_checked == 1
