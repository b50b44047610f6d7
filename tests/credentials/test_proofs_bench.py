"""The credentials benchmark still runs (a very short run, figures not checked)."""

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_credentials.py"


def test_benchmark_runs_and_prints_its_table():
    completed = subprocess.run(
        [sys.executable, str(BENCH), "--seconds", "0.05"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert "credential verify (worker)" in completed.stdout
    assert "context cache speedup" in completed.stdout
