"""The pipeline and autosave benchmarks still run end to end (tiny runs, figures not checked)
and end with the RESULT line docs/benchmarks.md quotes."""

import json
import os

import pytest

from tests.support.bench import run_bench

pytestmark = pytest.mark.worker


def result_of(stdout: str) -> dict:
    last = stdout.strip().splitlines()[-1]
    assert last.startswith("RESULT "), stdout[-2000:]
    return json.loads(last.removeprefix("RESULT "))


@pytest.fixture
def bench_env(monkeypatch, redis_url):
    """The benchmarks' own database name and this test run's Redis (they flush it)."""
    monkeypatch.setenv("BENCH_REDIS", redis_url)
    return f"skillproof_bench_smoke_{os.getpid()}"


def test_the_pipeline_benchmark_runs_with_its_queues_and_prints_its_result(bench_env):
    completed = run_bench(
        "bench_pipeline.py",
        *("--count", "6", "--paced", "3", "--profile", "3", "--workers", "1"),
        *("--scaling", "1", "--prepare-processes", "1", "--database", bench_env),
        timeout=600,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    result = result_of(completed.stdout)
    assert set(result) >= {
        "workers",
        "burst_jobs_per_s",
        "paced_rate",
        "paced_p50_ms",
        "paced_p95_ms",
        "engine_attempts_per_s",
    }
    assert result["workers"] == 1 and result["as_deployed"] is True
    assert set(result["scaling"]) == {"1"}


def test_the_autosave_benchmark_runs_against_gunicorn_and_prints_its_result(bench_env):
    completed = run_bench(
        "bench_autosave.py",
        *("--duration", "1", "--connections", "4", "--attempts", "4", "--profile", "8"),
        *("--loader", "python", "--database", bench_env),
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    result = result_of(completed.stdout)
    assert set(result) >= {
        "autosave_rps",
        "bare_rps",
        "ratio",
        "autosave_p50_ms",
        "autosave_p99_ms",
        "errors",
    }
    assert result["errors"] == 0 and result["bare_errors"] == 0
    assert "own time by package" in completed.stdout
