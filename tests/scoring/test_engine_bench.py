"""The engine benchmark still runs (a very short run on one document, figures not checked)."""

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "bench_engine.py"


def test_benchmark_runs_and_prints_its_table():
    completed = subprocess.run(
        [sys.executable, str(BENCH), "--seconds", "0.05", "--document", "support-escalation"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert "2 text steps, model" in completed.stdout
    assert "text models alone" in completed.stdout
    assert "support-escalation.yaml" in completed.stdout


def test_an_unknown_document_is_refused_with_a_clear_message():
    completed = subprocess.run(
        [sys.executable, str(BENCH), "--document", "no-such-demo"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 2
    assert "no demo document 'no-such-demo'" in completed.stderr
