"""The scoring pipeline under load: simulated submissions through Celery worker processes on
PostgreSQL + Redis, with throughput, submit-to-scored latency, and where the time goes.

Run (PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379 must answer):

    .venv/bin/python bench/bench_pipeline.py [--count 2000] [--workers 2] \
        [--assessment incident-triage] [--paced 400] [--scaling 1,2,4] [--keep-db]

It creates its own database (skillproof_bench, dropped at the end unless --keep-db) and uses
its own Redis database (14, flushed), so it never touches development or test data. Steps:

1. migrate; publish the demo assessment; train its text models (the accepted ones score).
2. prepare: simulated candidates answer every step through the services (answers span every
   level, free text from held-back exemplars), in parallel processes, not yet submitted.
3. burst: ``--workers`` scoring worker processes (prefork, one child each, on the scoring
   queue) run, as deployed (docker-compose.yml) beside one worker for the other queues
   (issuance, email, reports, maintenance) and beat (the audit sequencer every second), while
   ``--count`` attempts are submitted as fast as four processes can (``submit_attempt``: the
   outbox row in the submit transaction, the message after commit). Throughput is attempts / (last
   ScoreRun.created_at - first Attempt.submitted_at); latency is ScoreRun.created_at -
   Attempt.submitted_at, so under a burst it includes the time queued behind earlier jobs.
4. paced: ``--paced`` more submissions at half the burst throughput, for the latency of a
   pipeline that keeps up (no queueing).
   ``--scaling 1,2,4`` repeats the burst with 1, 2 and 4 scoring workers on fresh attempts.
5. where the time goes: with the workers stopped, re-score jobs run in this process with
   per-phase timers (lock, load, engine, store, audit, commit) and a query counter; the
   engine alone over the same attempts in memory is the baseline; the workers' CPU time per
   job against wall time shows whether they were computing or waiting; pg_stat_statements is
   read when the server preloads it.

Every worker is stopped on exit (normal, error or Ctrl-C). The last line is ``RESULT {json}``:
workers, burst_jobs_per_s, paced_rate, paced_p50_ms, paced_p95_ms, engine_attempts_per_s (and
scaling: burst jobs/s per number of scoring workers, when asked for).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from multiprocessing import get_context
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.support import SERVER_URL, drop_database, percentile, recreate_database  # noqa: E402

DEFAULT_DB = "skillproof_bench"
REDIS_URL = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/14")
SEED = 1


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=2000, help="burst submissions")
    parser.add_argument("--paced", type=int, default=400, help="paced submissions (0: skip)")
    parser.add_argument("--workers", type=int, default=2, help="scoring worker processes")
    parser.add_argument(
        "--scaling", default="", help="comma-separated scoring worker counts to burst with too"
    )
    parser.add_argument("--assessment", default="incident-triage")
    parser.add_argument("--prepare-processes", type=int, default=4)
    parser.add_argument("--profile", type=int, default=300, help="jobs timed in-process")
    parser.add_argument("--database", default=DEFAULT_DB)
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument(
        "--scoring-only",
        action="store_true",
        help="no issuance worker, no beat, and the credentials app's sweep after each scoring "
        "task unhooked on the scoring workers",
    )
    return parser.parse_args()


def describe(values_ms: list[float]) -> str:
    return (
        f"p50 {percentile(values_ms, 50):8.1f} ms   p95 {percentile(values_ms, 95):8.1f} ms   "
        f"p99 {percentile(values_ms, 99):8.1f} ms   max {max(values_ms):8.1f} ms"
    )


# --- preparation (in child processes) -----------------------------------------------------


def _prepare_chunk(args: tuple[int, int, int]) -> list[int]:
    """Answer ``count`` attempts in a fresh process (its own database connection)."""
    version_id, count, seed = args
    import django

    django.setup()
    from django.db import connections

    from assessments.models import AssessmentVersion
    from scoring.management.simulation import simulate_candidates

    version = AssessmentVersion.objects.get(pk=version_id)
    simulated = simulate_candidates(version, count=count, seed=seed, submit=False)
    connections.close_all()
    return [candidate.attempt.pk for candidate in simulated]


def prepare(version, count: int, processes: int, seed_base: int) -> list[int]:
    from django.db import connections

    connections.close_all()  # no connection may cross a fork
    chunks = [count // processes + (1 if i < count % processes else 0) for i in range(processes)]
    jobs = [(version.pk, n, seed_base + i) for i, n in enumerate(chunks) if n]
    with get_context("fork").Pool(len(jobs)) as pool:
        return [pk for chunk in pool.map(_prepare_chunk, jobs) for pk in chunk]


# --- submitting ------------------------------------------------------------------------------


def _submit_slice(args: tuple[list[tuple[int, int]], float, float | None]) -> None:
    """Submit (index, attempt id) pairs from a fresh process, on schedule when paced."""
    pairs, start, rate = args
    import django

    django.setup()
    from django.db import connections

    from assessments.models import Attempt
    from assessments.services import submit_attempt

    for index, pk in pairs:
        if rate:
            delay = start + index / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        submit_attempt(Attempt(pk=pk))
    connections.close_all()


def submit(attempt_ids: list[int], processes: int = 4, rate: float | None = None) -> float:
    """Submit attempts through the service from ``processes`` processes (no shared GIL);
    returns the wall time. With ``rate`` (per second) submissions follow a fixed schedule."""
    from django.db import connections

    connections.close_all()  # no connection may cross a fork
    pairs = list(enumerate(attempt_ids))
    start = time.monotonic() + 0.5  # every process is up before the first slot
    slices = [(pairs[offset::processes], start, rate) for offset in range(processes)]
    with get_context("fork").Pool(processes) as pool:
        began = time.perf_counter()
        pool.map(_submit_slice, slices)
    return time.perf_counter() - began


def wait_scored(attempt_ids: list[int], timeout: float = 1800) -> None:
    from scoring.models import ScoreRun

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = ScoreRun.objects.filter(attempt_id__in=attempt_ids).count()
        if done >= len(attempt_ids):
            return
        time.sleep(0.25)
    raise RuntimeError(f"only {done} of {len(attempt_ids)} scored within {timeout} s")


def latencies(attempt_ids: list[int]) -> tuple[list[float], float, float]:
    """Per attempt: ScoreRun.created_at - Attempt.submitted_at (ms); the throughput per second
    (first submission to last run); and the throughput after the last submission, when the
    workers no longer share the machine and the audit chain with the submitters."""
    from scoring.models import ScoreRun

    rows = list(
        ScoreRun.objects.filter(attempt_id__in=attempt_ids).values_list(
            "created_at", "attempt__submitted_at"
        )
    )
    values = [(created - submitted).total_seconds() * 1000 for created, submitted in rows]
    first = min(submitted for _, submitted in rows)
    last_submitted = max(submitted for _, submitted in rows)
    last = max(created for created, _ in rows)
    after = sum(1 for created, _ in rows if created > last_submitted)
    drained = (last - last_submitted).total_seconds()
    return values, len(rows) / (last - first).total_seconds(), after / drained if drained else 0.0


# --- workers ---------------------------------------------------------------------------------


def __getattr__(name: str):
    """``celery -A bench_pipeline:scoring_only_app``: the project's Celery app, with the
    credentials app's after-scoring hook (a ``request_issuance_for_run`` message per scored run)
    unhooked in each pool process, so only scoring runs on the benchmark's workers."""
    if name != "scoring_only_app":
        raise AttributeError(name)
    from celery.signals import task_success, worker_process_init

    from hiring.celery import app

    @worker_process_init.connect(weak=False)
    def _unhook(**kwargs) -> None:
        from credentials import tasks as credential_tasks

        task_success.disconnect(credential_tasks._request_issuance_after_scoring)

    return app


SCORING_QUEUE = "scoring"
OTHER_QUEUES = "issuance,email,reports,maintenance"


class BenchWorker:
    """A Celery worker process configured as in production (persistent DB connections),
    consuming ``queues``."""

    def __init__(self, name: str, queues: str, scoring_only: bool = False):
        self.name = f"{name}-{os.getpid()}@localhost"
        self.queues = queues
        self.app = "bench_pipeline:scoring_only_app" if scoring_only else "hiring"
        self.process: subprocess.Popen | None = None

    def start(self) -> BenchWorker:
        from hiring.celery import app

        env = dict(os.environ, DB_CONN_MAX_AGE="60", LOG_LEVEL="WARNING")
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "bench")])
        command = [
            sys.executable, "-m", "celery", "-A", self.app, "worker", "--loglevel=WARNING",
            "--pool=prefork", "--concurrency=1", "-n", self.name, f"--queues={self.queues}",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"worker {self.name} exited with {self.process.returncode}")
            if app.control.ping(destination=[self.name], timeout=0.5):
                return self
        raise RuntimeError(f"worker {self.name} did not answer within 60 s")

    def stop(self) -> None:
        stop_process(self.process)


class BenchBeat:
    """Celery beat as deployed: the audit sequencer every second, the sweepers."""

    def __init__(self, folder: str):
        command = [
            sys.executable, "-m", "celery", "-A", "hiring", "beat", "--loglevel=WARNING",
            "--schedule", str(Path(folder) / "celerybeat-schedule"),
        ]  # fmt: skip
        env = dict(os.environ, LOG_LEVEL="WARNING")
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip

    def stop(self) -> None:
        stop_process(self.process)


def stop_process(process: subprocess.Popen | None) -> None:
    """Warm shutdown; SIGKILL to the whole process group if it hangs."""
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children, alive or reaped."""
    total = 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(child) for child in children]
    except OSError:
        pass
    for each in pids:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(value) for value in fields[11:15]) / ticks  # utime stime cutime cstime
    return total


# --- where the time goes ---------------------------------------------------------------------


def profile_in_process(attempt_ids: list[int]) -> dict:
    """Re-score jobs run here with per-phase timers and a query counter."""
    from django.db import connection

    from assessments.models import Attempt
    from scoring.models import ScoringJob
    from scoring.services.rescoring import rescore_attempt
    from scoring.services.runs import run_scoring_job

    jobs = [rescore_attempt(Attempt(pk=pk), requested_by="bench").pk for pk in attempt_ids]
    phases: dict[str, float] = {}
    queries = {"n": 0, "seconds": 0.0}

    def count(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries["n"] += 1
            queries["seconds"] += time.perf_counter() - started

    started = time.perf_counter()
    with connection.execute_wrapper(count):
        for job_id in jobs:
            run_scoring_job(job_id, timings=phases)
    wall = time.perf_counter() - started
    assert ScoringJob.objects.filter(pk__in=jobs, state="done").count() == len(jobs)
    return {"jobs": len(jobs), "wall": wall, "phases": phases, "queries": queries}


def engine_alone(attempt_ids: list[int]) -> tuple[float, int]:
    """The pure engine over the same attempts, all inputs in memory: attempts per second.

    Each version is compiled once, as the worker keeps it (frozen_content)."""
    from scoring import engine
    from scoring.models import ScoreRun
    from scoring.services.compiled import engine_models

    inputs, compiled = [], {}
    for run in ScoreRun.objects.filter(
        attempt_id__in=attempt_ids, supersedes__isnull=True
    ).select_related("version", "inputs"):
        models = engine_models(run.model_hashes)
        if run.version_id not in compiled:
            compiled[run.version_id] = engine.compile_assessment(run.version.content)
        content = compiled[run.version_id]
        inputs.append((content, json.loads(run.inputs.responses_json), models))
    # Warm-up, then at least two seconds of scoring.
    for content, responses, models in inputs[:20]:
        engine.score(content, responses, models)
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < 2.0:
        for content, responses, models in inputs:
            breakdown = engine.score(content, responses, models)
            hashlib.sha256(breakdown.canonical_json()).hexdigest()
            done += 1
    return done / (time.perf_counter() - started), len(inputs)


def pg_stat_statements() -> list[tuple] | None:
    from django.db import DatabaseError, connection

    with connection.cursor() as cursor:
        try:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            cursor.execute(
                "SELECT calls, total_exec_time, mean_exec_time, left(regexp_replace(query, "
                "'\\s+', ' ', 'g'), 90) FROM pg_stat_statements "
                "WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                "ORDER BY total_exec_time DESC LIMIT 8"
            )
            return cursor.fetchall()
        except DatabaseError:  # not preloaded on this server: say so and carry on
            return None


class ActivitySampler:
    """Samples pg_stat_activity of the bench database every 20 ms from its own connection:
    what the sessions were doing (running, waiting for a lock and which, idle in a
    transaction, waiting for the client), summed over the sampled moments."""

    def __init__(self, database_url: str):
        self.database_url = database_url
        self.counts: dict[str, int] = {}
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> ActivitySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        import psycopg

        with psycopg.connect(self.database_url, autocommit=True) as conn:
            while not self._stop.is_set():
                rows = conn.execute(
                    "SELECT state, wait_event_type, wait_event, left(query, 60) "
                    "FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
                ).fetchall()
                self.samples += 1
                for state, wait_type, wait_event, query in rows:
                    if state == "idle":
                        continue
                    if wait_type == "Lock":
                        key = f"waiting for a lock ({wait_event})"
                        if wait_event == "advisory" and "pg_advisory_xact_lock(" in query:
                            sequencer = "," not in query  # its key is one number
                            key = (
                                "waiting for the audit sequencer's lock"
                                if sequencer
                                else "waiting for an attempt's scoring lock"
                            )
                    elif state == "idle in transaction":
                        key = "in a transaction, waiting for the client (Python)"
                    elif wait_type in ("IO", "LWLock") or wait_event == "WALSync":
                        key = f"I/O or WAL ({wait_event})"
                    else:
                        key = f"running ({wait_event or 'CPU'})"
                    self.counts[key] = self.counts.get(key, 0) + 1
                time.sleep(0.02)

    def report(self) -> list[str]:
        return [
            f"  {count / self.samples:5.2f} sessions on average {what}"
            for what, count in sorted(self.counts.items(), key=lambda item: -item[1])
        ]


def issuance_summary() -> str:
    """What the credentials app did on the same workers meanwhile."""
    from django.apps import apps
    from django.db.models import Count

    try:
        jobs = apps.get_model("credentials", "IssuanceJob").objects
    except LookupError:
        return "credentials: app not installed"
    states = dict(jobs.values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
    return f"credentials      issuance jobs by state on the same workers: {states or 'none'}"


def pg_commits() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
        )
        return cursor.fetchone()[0]


# --- main ------------------------------------------------------------------------------------


def start_pipeline(workers: int, options, tag: str) -> list:
    """``workers`` scoring workers and, as deployed, a worker for the other queues and beat."""
    processes: list = []
    try:
        for index in range(workers):
            name = f"{tag}-scoring{index}"
            processes.append(BenchWorker(name, SCORING_QUEUE, options.scoring_only).start())
        if not options.scoring_only:
            processes.append(BenchWorker(f"{tag}-other", OTHER_QUEUES).start())
            processes.append(BenchBeat(options.beat_folder))
    except BaseException:
        stop_all(processes)
        raise
    return processes


def stop_all(processes: list) -> None:
    for process in processes:
        process.stop()
    processes.clear()


def burst(ids: list[int], processes: list, workers: int) -> float:
    """Submit ``ids`` at once, wait until all are scored, print the figures; jobs per second."""
    scoring = [p for p in processes if isinstance(p, BenchWorker) and p.queues == SCORING_QUEUE]
    cpu_before = sum(cpu_seconds(w.process.pid) for w in scoring)
    commits_before = pg_commits()
    print(f"\n== burst: {len(ids)} submissions from 4 submitting processes, {workers} workers ==")
    with ActivitySampler(os.environ["DATABASE_URL"]) as activity:
        submit_wall = submit(ids)
        wait_scored(ids)
    values, throughput, alone = latencies(ids)
    worker_cpu = sum(cpu_seconds(w.process.pid) for w in scoring) - cpu_before
    commits = pg_commits() - commits_before
    print(f"submitted in {submit_wall:.1f} s ({len(ids) / submit_wall:.0f}/s)")
    print(f"throughput      {throughput:8.1f} attempts scored / s (first submit to last run)")
    print(f"                {alone:8.1f} / s after the last submission (workers alone)")
    print(f"submit->scored  {describe(values)}")
    busy_wall = len(ids) / throughput
    print(
        f"scoring CPU     {worker_cpu / len(ids) * 1000:8.1f} ms per job; scoring workers "
        f"busy {worker_cpu / (busy_wall * workers):.0%} of wall time"
    )
    print(
        f"database        {commits / len(ids):8.1f} commits per submitted+scored "
        f"attempt (all processes); sessions sampled every 20 ms:"
    )
    print("\n".join(activity.report()))
    print(issuance_summary())
    return throughput


def main() -> None:
    options = parse_args()
    os.environ["DATABASE_URL"] = f"{SERVER_URL}/{options.database}"
    os.environ["REDIS_URL"] = REDIS_URL
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["DJANGO_SETTINGS_MODULE"] = "hiring.settings"
    scaling = [int(n) for n in options.scaling.split(",") if n.strip()]

    print(
        f"bench_pipeline: {options.count} burst + {options.paced} paced submissions, "
        f"{options.workers} scoring worker processes, assessment {options.assessment}, "
        + (
            "scoring only (no issuance worker, no beat, after-scoring sweep unhooked)"
            if options.scoring_only
            else "as deployed (a worker for issuance, email, reports and maintenance, and beat)"
        )
    )
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f}; Python {platform.python_version()}"
    )
    recreate_database(options.database)
    import django
    import redis

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from assessments.authoring.files import read_document
    from assessments.services import publish_document
    from scoring.services.training import train_text_models

    redis.Redis.from_url(REDIS_URL).flushdb()
    processes: list = []
    options.beat_folder = tempfile.mkdtemp(prefix="skillproof-bench-beat-")
    try:
        call_command("migrate", verbosity=0)
        document = read_document(
            (ROOT / "assessments" / "demo" / f"{options.assessment}.yaml").read_text("utf-8")
        )
        version = publish_document(document)
        started = time.perf_counter()
        outcomes = train_text_models(version)
        accepted = [o.criterion_key for o in outcomes if o.model is not None and o.model.active]
        print(
            f"\ntrained {len(outcomes)} text model(s) in {time.perf_counter() - started:.1f} s; "
            f"active: {', '.join(accepted) or 'none'}"
        )
        print(f"database {settings.DATABASES['default']['NAME']}, broker {REDIS_URL}")

        total = options.count * (1 + len(scaling)) + options.paced
        started = time.perf_counter()
        ids = prepare(version, total, options.prepare_processes, SEED)
        print(
            f"prepared {len(ids)} answered attempts in {time.perf_counter() - started:.1f} s "
            f"({options.prepare_processes} processes, through the services)"
        )
        burst_ids, paced_ids = (
            ids[: options.count],
            ids[options.count : options.count + options.paced],
        )
        scaling_ids = ids[options.count + options.paced :]

        processes = start_pipeline(options.workers, options, "bench")
        throughput = burst(burst_ids, processes, options.workers)
        paced = []
        rate = throughput / 2
        if paced_ids:
            print(f"\n== paced: {len(paced_ids)} submissions at {rate:.0f}/s (half the burst) ==")
            submit(paced_ids, rate=rate)
            wait_scored(paced_ids)
            paced, _, _ = latencies(paced_ids)
            print(f"submit->scored  {describe(paced)}")
        stop_all(processes)
        redis.Redis.from_url(REDIS_URL).flushdb()

        scaled = {}
        for index, workers in enumerate(scaling):
            processes = start_pipeline(workers, options, f"scale{workers}")
            chunk = scaling_ids[index * options.count : (index + 1) * options.count]
            scaled[str(workers)] = round(burst(chunk, processes, workers), 1)
            stop_all(processes)
            redis.Redis.from_url(REDIS_URL).flushdb()
        if scaled:
            print("\n== worker scaling: burst attempts scored / s by scoring workers ==")
            print("  " + "   ".join(f"{n}: {rate:.1f}/s" for n, rate in scaled.items()))

        sample = burst_ids[: options.profile]
        print(f"\n== where the time goes: {len(sample)} re-score jobs run in this process ==")
        profile = profile_in_process(sample)
        per_job = profile["wall"] / profile["jobs"] * 1000
        for phase, seconds in profile["phases"].items():
            share = seconds / profile["wall"]
            print(f"  {phase:<7} {seconds / profile['jobs'] * 1000:7.2f} ms per job  {share:5.0%}")
        q = profile["queries"]
        print(
            f"  total   {per_job:7.2f} ms per job ({1000 / per_job:.0f} jobs/s on one "
            f"connection); {q['n'] / profile['jobs']:.1f} queries per job, "
            f"{q['seconds'] / profile['jobs'] * 1000:.2f} ms of it waiting on PostgreSQL"
        )
        engine_rate, n = engine_alone(sample)
        print(f"\n== baseline: the engine alone, in memory, over the same {n} attempts ==")
        print(f"  {engine_rate:8.0f} attempts / s on one core ({1000 / engine_rate:.2f} ms each)")
        print(
            f"  pipeline / engine: {throughput / engine_rate:.1%} of the engine's rate with "
            f"{options.workers} workers; a job costs {per_job * engine_rate / 1000:.1f}x the "
            "engine call in-process, the rest of the gap is Celery, Redis and prefork"
        )
        statements = pg_stat_statements()
        if statements is None:
            print(
                "\npg_stat_statements: not preloaded on this server "
                "(shared_preload_libraries); per-phase timers above instead"
            )
        else:
            print("\npg_stat_statements (top by total time):")
            for calls, total_ms, mean_ms, query in statements:
                print(f"  {calls:7d} calls {total_ms:9.0f} ms total {mean_ms:6.2f} ms  {query}")
        result = {
            "workers": options.workers,
            "burst_jobs_per_s": round(throughput, 1),
            "paced_rate": round(rate, 1) if paced else None,
            "paced_p50_ms": round(percentile(paced, 50), 1) if paced else None,
            "paced_p95_ms": round(percentile(paced, 95), 1) if paced else None,
            "engine_attempts_per_s": round(engine_rate),
            "queries_per_rescore_job": round(q["n"] / profile["jobs"], 1),
            "as_deployed": not options.scoring_only,
        }
        if scaled:
            result["scaling"] = scaled
        print("RESULT " + json.dumps(result, sort_keys=True))
    finally:
        stop_all(processes)
        from django.db import connections

        connections.close_all()
        redis.Redis.from_url(REDIS_URL).flushdb()
        shutil.rmtree(options.beat_folder, ignore_errors=True)
        if not options.keep_db:
            drop_database(options.database)


if __name__ == "__main__":
    main()
