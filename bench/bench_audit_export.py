"""Benchmark: the audit export of 100,000 attempts, streamed, on PostgreSQL.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/skillproof \\
     .venv/bin/python bench/bench_audit_export.py [--attempts 100000] [--pdf]

Creates a throwaway database (``test_<name>``, dropped at the end) and fills it fast with
bulk_create: one assessment version, N invitations, N submitted attempts and N score runs that
carry a real breakdown from the scoring engine (two criteria each), plus one run in ten
superseded by a review run. Then it writes the CSV and the JSON export to a temporary file the
way the command and the download do (a generator, chunk by chunk) and prints, per format: the
time, attempts and rows per second, the file size, and the process's resident memory at the
start and its maximum while exporting (sampled every 100 writes), against what holding every
attempt at once would take. With --pdf it also writes the PDF report (summary and charts over
every attempt, the first 2,000 listed line by line).
"""

import argparse
import hashlib
import json
import os
import platform
import sys
import tempfile
import time
import tracemalloc
import uuid
from datetime import timedelta
from itertools import islice
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hiring.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

BATCH = 5_000


def rss_mib() -> float:
    """The process's resident memory now (Linux /proc), not its high-water mark."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class MeteredFile:
    """A binary file that samples the process's resident memory while it is written."""

    def __init__(self, handle) -> None:
        self.handle = handle
        self.writes = 0
        self.start = self.highest = rss_mib()

    def write(self, data: bytes) -> int:
        self.writes += 1
        if self.writes % 100 == 0:
            self.highest = max(self.highest, rss_mib())
        return self.handle.write(data)

    def __getattr__(self, name):
        return getattr(self.handle, name)


def real_breakdown(version) -> str:
    """Score one attempt with the real engine and return its breakdown JSON."""
    from assessments import services
    from scoring.models import ScoringJob
    from scoring.services.runs import run_scoring_job

    invitation, _ = services.create_invitation(
        version, name="Bench Candidate", email="bench@example.com"
    )
    attempt = services.start_attempt(invitation)
    services.save_answer(attempt, "first-move", {"option": "check"})
    services.advance(attempt, "first-move")
    services.save_answer(
        attempt, "reply", {"text": "I'm sorry for the double charge. I will refund it today."}
    )
    services.advance(attempt, "reply")
    services.submit_attempt(attempt)
    return run_scoring_job(ScoringJob.objects.get(attempt=attempt).pk).breakdown_json


# The bulk attempts answered nothing: their snapshot is the empty answers document.
EMPTY_ANSWERS_SHA256 = hashlib.sha256(b"{}").hexdigest()


def fill(version, count: int, breakdown_json: str) -> None:
    from assessments.models import Attempt, Invitation
    from scoring.models import ScoreInput, ScoreRun, ScoringJob

    start = timezone.now() - timedelta(days=2)
    for offset in range(0, count, BATCH):
        size = min(BATCH, count - offset)
        invitations = Invitation.objects.bulk_create(
            Invitation(
                version=version,
                candidate_name=f"Candidate {offset + i}",
                candidate_email=f"candidate{offset + i}@example.com",
                token_hash=uuid.uuid4().hex * 2,
                expires_at=start + timedelta(days=30),
            )
            for i in range(size)
        )
        attempts = Attempt.objects.bulk_create(
            Attempt(
                invitation=invitation,
                version=version,
                state=Attempt.State.SUBMITTED,
                consent_at=start,
                deadline=start + timedelta(minutes=15),
                submitted_at=start + timedelta(minutes=10),
                current_step="reply",
                path=["first-move", "reply"],
            )
            for invitation in invitations
        )
        jobs = ScoringJob.objects.bulk_create(
            ScoringJob(attempt=attempt, state=ScoringJob.State.DONE) for attempt in attempts
        )
        snapshots = ScoreInput.objects.bulk_create(
            ScoreInput(attempt=attempt, responses_json="{}", responses_sha256=EMPTY_ANSWERS_SHA256)
            for attempt in attempts
        )
        runs = ScoreRun.objects.bulk_create(
            ScoreRun(
                job=job,
                attempt=attempt,
                engine_version="bench",
                version=version,
                content_sha256=version.content_sha256,
                inputs=snapshot,
                responses_sha256=EMPTY_ANSWERS_SHA256,
                breakdown_json=breakdown_json,
                breakdown_sha256="1" * 64,
                overall_score=float((offset + i) % 100),
                passed=(offset + i) % 100 >= 50,
            )
            for i, (job, attempt, snapshot) in enumerate(
                zip(jobs, attempts, snapshots, strict=True)
            )
        )
        # One attempt in ten was reviewed: a second run supersedes the first.
        reviewed = [(run, attempt) for run, attempt in zip(runs, attempts, strict=True)][::10]
        review_jobs = ScoringJob.objects.bulk_create(
            ScoringJob(
                attempt=attempt, reason=ScoringJob.Reason.REVIEW, state=ScoringJob.State.DONE
            )
            for _, attempt in reviewed
        )
        ScoreRun.objects.bulk_create(
            ScoreRun(
                job=job,
                attempt=attempt,
                supersedes=run,
                engine_version="bench",
                version=version,
                content_sha256=version.content_sha256,
                inputs=run.inputs,
                responses_sha256=EMPTY_ANSWERS_SHA256,
                breakdown_json=breakdown_json,
                breakdown_sha256="2" * 64,
                overall_score=run.overall_score,
                passed=run.passed,
            )
            for job, (run, attempt) in zip(review_jobs, reviewed, strict=True)
        )
    print(f"  filled {count:,} attempts")


def record_footprint(assessment, sample: int = 1000) -> float:
    """Bytes one export record takes in memory, measured over a sample with tracemalloc."""
    from compliance.selectors import attempt_records, export_attempts

    tracemalloc.start()
    held = list(islice(attempt_records(export_attempts(assessment)), sample))
    size, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return size / max(1, len(held))


def export(assessment, fmt: str) -> dict:
    from compliance.services import start_audit_export

    started = time.perf_counter()
    job = start_audit_export(assessment, format=fmt, actor="system:bench")
    with tempfile.NamedTemporaryFile(suffix=f".{fmt}") as handle:
        metered = MeteredFile(handle)
        job.write_to(metered)
        metered.highest = max(metered.highest, rss_mib())
        handle.flush()
        size = os.path.getsize(handle.name)
        rows = 0
        if fmt == "csv":
            with open(handle.name, "rb") as reader:
                rows = sum(1 for _ in reader) - 1
    elapsed = time.perf_counter() - started
    return {
        "seconds": elapsed,
        "bytes": size,
        "rows": rows,
        "rss_start_mib": metered.start,
        "rss_max_mib": metered.highest,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=100_000)
    parser.add_argument("--pdf", action="store_true", help="also time the PDF report")
    parser.add_argument("--keepdb", action="store_true", help="keep the filled database")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL server (the export's streaming is Postgres).")

    # DEBUG would keep the SQL of the last 9,000 queries (the bulk inserts are huge).
    setup_test_environment(debug=False)
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=args.keepdb)
    try:
        from assessments import services
        from tests.support.documents import small_document

        version = services.publish_document(small_document())
        breakdown_json = real_breakdown(version)
        criteria = sum(len(step["criteria"]) for step in json.loads(breakdown_json)["steps"])
        started = time.perf_counter()
        fill(version, args.attempts - 1, breakdown_json)
        fill_seconds = time.perf_counter() - started
        print(
            f"Audit export benchmark: {args.attempts:,} attempts, {criteria} criteria each, "
            f"one in ten reviewed (two runs); Python {platform.python_version()}, "
            f"PostgreSQL {connection.pg_version // 10000}, {platform.machine()}; "
            f"filled in {fill_seconds:.1f} s"
        )
        formats = ["csv", "json"] + (["pdf"] if args.pdf else [])
        for fmt in formats:
            result = export(version.assessment, fmt)
            rate = args.attempts / result["seconds"]
            rows = f", {result['rows']:,} rows ({result['rows'] / result['seconds']:,.0f}/s)"
            print(
                f"  {fmt:4} {result['seconds']:7.1f} s  {rate:9,.0f} attempts/s"
                f"{rows if result['rows'] else ''}  "
                f"{result['bytes'] / 2**20:8.1f} MiB written  "
                f"RSS {result['rss_start_mib']:.0f} -> max {result['rss_max_mib']:.0f} MiB"
            )
        # Measured last: holding a sample raises the process's high-water mark.
        per_record = record_footprint(version.assessment)
        print(
            f"  (holding every attempt's record at once would take about "
            f"{per_record * args.attempts / 2**20:,.0f} MiB: {per_record / 1024:.1f} KiB each)"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=args.keepdb)


if __name__ == "__main__":
    main()
