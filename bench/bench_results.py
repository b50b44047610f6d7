"""Benchmark: the recruiter's results page with 10,000 scored attempts, against the admin's
score-run list (the page recruiters had before) measured in the same run.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/skillproof \\
     .venv/bin/python bench/bench_results.py [--attempts 10000] [--rounds 5]

Creates a throwaway database (``test_<name>``, dropped at the end) and fills it with
bench_audit_export's bulk fill: the small test assessment, N submitted attempts whose runs carry
real breakdowns from the scoring engine (three kinds of candidate, so skills differ), one in ten
superseded by a review run. Then, signed in as a superuser through Django's test client (the
whole request: middleware, view, template), it prints for each page the median server time over
the rounds and the number of SQL queries: the first visit (which projects every new run into
the results table), the table sorted by a skill, filtered, searched, a late page, the CSV export
of every row, and the admin score-run list as the baseline.
"""

import argparse
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment

from bench.bench_audit_export import fill

# (option chosen, reply) of the three kinds of simulated candidate.
CANDIDATES = [
    ("check", "I'm sorry for the double charge. I will refund it today."),
    ("refund", "Sorry about that, we will look into it."),
    ("ignore", "whatever"),
]


def real_breakdowns(version) -> list[str]:
    """Score one attempt of each kind with the real engine; their breakdown JSON."""
    from assessments import services
    from scoring.models import ScoringJob
    from scoring.services.runs import run_scoring_job

    breakdowns = []
    for index, (option, reply) in enumerate(CANDIDATES):
        invitation, _ = services.create_invitation(
            version, name=f"Bench {index}", email=f"bench{index}@example.com"
        )
        attempt = services.start_attempt(invitation)
        services.save_answer(attempt, "first-move", {"option": option})
        services.advance(attempt, "first-move")
        services.save_answer(attempt, "reply", {"text": reply})
        services.advance(attempt, "reply")
        services.submit_attempt(attempt)
        job = ScoringJob.objects.get(attempt=attempt)
        breakdowns.append(run_scoring_job(job.pk).breakdown_json)
    return breakdowns


def measure(client: Client, url: str, rounds: int) -> tuple[float, int, int]:
    """Median seconds over ``rounds`` requests, the queries of the last, and the bytes sent."""
    times = []
    for _ in range(rounds):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times), len(queries), len(body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL server.")

    setup_test_environment(debug=False)
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from django.contrib.auth.models import User

        from assessments import services
        from tests.support.documents import small_document

        admin = User.objects.create_superuser("bench", "bench@example.com", "pw")
        version = services.publish_document(small_document(), user=admin)
        breakdowns = real_breakdowns(version)
        started = time.perf_counter()
        share = (args.attempts - len(breakdowns)) // len(breakdowns)
        for index, breakdown in enumerate(breakdowns):
            rest = args.attempts - len(breakdowns) - share * (len(breakdowns) - 1)
            fill(version, share if index < len(breakdowns) - 1 else rest, breakdown)
        print(
            f"Results page benchmark: {args.attempts:,} scored attempts (one in ten reviewed), "
            f"median of {args.rounds} requests; Python {platform.python_version()}, "
            f"PostgreSQL {connection.pg_version // 10000}, {platform.machine()}; "
            f"filled in {time.perf_counter() - started:.1f} s"
        )
        client = Client()
        client.force_login(admin)
        table = f"/results/{version.assessment.slug}/"
        first, queries, _ = measure(client, table, 1)
        print(
            f"  {'first visit (projects every run)':42} {first * 1000:8.0f} ms  {queries:3} queries"
        )
        pages = [
            ("results table, newest first", table),
            ("sorted by a skill", f"{table}?sort=writing&order=desc"),
            ("filtered: passed, writing >= 50", f"{table}?passed=yes&skill=writing&skill_min=50"),
            ("searched by name", f"{table}?q=Candidate+42"),
            ("a late page (page 150)", f"{table}?sort=overall&page=150"),
            (
                f"CSV export ({args.attempts:,} rows)",
                f"/results/{version.assessment.slug}/export.csv",
            ),
            ("baseline: admin score-run list", "/admin/scoring/scorerun/"),
        ]
        for label, url in pages:
            seconds, queries, size = measure(client, url, args.rounds)
            print(
                f"  {label:42} {seconds * 1000:8.0f} ms  {queries:3} queries  "
                f"{size / 1024:8.0f} KiB"
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
