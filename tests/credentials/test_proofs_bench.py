"""The credentials benchmark still runs (a very short run, figures not checked)."""

from tests.support.bench import run_bench


def test_benchmark_runs_and_prints_its_table():
    completed = run_bench("bench_credentials.py", "--seconds", "0.05", timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert "credential verify (worker)" in completed.stdout
    assert "context cache speedup" in completed.stdout
