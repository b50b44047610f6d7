"""The engine benchmark still runs (a very short run on one document, figures not checked)."""

from tests.support.bench import run_bench


def test_benchmark_runs_and_prints_its_table():
    completed = run_bench(
        "bench_engine.py", "--seconds", "0.05", "--document", "support-escalation"
    )
    assert completed.returncode == 0, completed.stderr
    assert "2 text steps, model" in completed.stdout
    assert "text models alone" in completed.stdout
    assert "support-escalation.yaml" in completed.stdout


def test_an_unknown_document_is_refused_with_a_clear_message():
    completed = run_bench("bench_engine.py", "--document", "no-such-demo", timeout=120)
    assert completed.returncode == 2
    assert "no demo document 'no-such-demo'" in completed.stderr
