"""Running a benchmark script as its user would, for the tests that check it still runs."""

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"


def run_bench(script: str, *arguments: str, timeout: int = 300) -> subprocess.CompletedProcess:
    """``python bench/<script> <arguments>``, its output captured as text."""
    return subprocess.run(
        [sys.executable, str(BENCH / script), *arguments],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
