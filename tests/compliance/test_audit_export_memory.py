"""The audit export streams: memory stays flat when the number of attempts grows."""

import gc
import tracemalloc

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from compliance import selectors
from compliance.selectors import EXPORT_CHUNK_SIZE
from compliance.services import start_audit_export
from scoring.selectors import current_score_run
from tests.compliance.helpers import bulk_scored_attempts

pytestmark = pytest.mark.django_db

N = 600


def _peak_while_exporting(assessment, fmt: str) -> tuple[int, int]:
    """Peak traced memory (bytes) while writing the whole export, and the bytes written."""
    export = start_audit_export(assessment, format=fmt, actor="system")
    gc.collect()
    tracemalloc.start()
    try:
        written = 0
        for chunk in export.chunks():
            written += len(chunk)  # the caller writes each piece out and lets it go
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, written


@pytest.fixture
def breakdown_json(scored):
    """A real breakdown from the engine, reused for every bulk attempt."""
    return current_score_run(scored.take()).breakdown_json


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_memory_does_not_grow_with_the_number_of_attempts(scored, breakdown_json, fmt, monkeypatch):
    # Small chunks, so both exports span several chunks and only the count differs.
    monkeypatch.setattr(selectors, "EXPORT_CHUNK_SIZE", 100)
    assessment = scored.version.assessment
    bulk_scored_attempts(scored.version, [{}] * (N - 1), breakdown_json=breakdown_json)
    small_peak, small_size = _peak_while_exporting(assessment, fmt)
    bulk_scored_attempts(
        scored.version,
        [{"email": f"more{i}@example.com"} for i in range(3 * N)],
        breakdown_json=breakdown_json,
    )
    large_peak, large_size = _peak_while_exporting(assessment, fmt)
    # Four times the rows (a few thousand: two criterion rows per attempt)...
    assert large_size > 3.5 * small_size
    # ...in about the same memory: one chunk of attempts at a time, never all of them.
    assert large_peak < small_peak * 1.3 + 512 * 1024, (small_peak, large_peak)


def test_queries_are_per_chunk_not_per_attempt(scored, breakdown_json):
    bulk_scored_attempts(
        scored.version, [{}] * (2 * EXPORT_CHUNK_SIZE), breakdown_json=breakdown_json
    )
    export = start_audit_export(scored.version.assessment, format="csv", actor="system")
    with CaptureQueriesContext(connection) as queries:
        rows = sum(chunk.count("\n") for chunk in export.chunks())
    assert rows > 4 * EXPORT_CHUNK_SIZE
    # A handful of queries per chunk of attempts (attempts, runs, events, users, erasures).
    assert len(queries) < 30, len(queries)
