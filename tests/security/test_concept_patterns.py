"""Concept phrasings are recruiters' regular expressions run on candidates' text: publish refuses
the ones that backtrack catastrophically, and the engine gives every search a time limit."""

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assessments.exceptions import InvalidDocument
from assessments.services import publish_document
from tests.support.documents import small_document

ROOT = Path(__file__).resolve().parents[2]


def _with_phrasing(phrasing: str) -> dict:
    document = small_document()
    document["steps"][1]["criteria"][0]["concepts"][0]["phrasings"].append(phrasing)
    return document


@pytest.mark.django_db
@pytest.mark.parametrize("phrasing", [r"(a+)+$", r"(\w+\s?)+$", r"(a|aa)+$"])
def test_a_catastrophic_phrasing_is_refused_at_publish(phrasing):
    with pytest.raises(InvalidDocument) as refused:
        publish_document(_with_phrasing(phrasing))
    (message,) = refused.value.errors
    assert message.startswith(
        "steps[1].criteria[0].concepts[0].phrasings[2]: step 'reply' criterion 'reply-quality' "
        f"concept 'apology': phrasing {phrasing!r} is too slow on long answers"
    )
    assert len(message) <= 300
    # The check refuses the pattern, not repetition as such.
    assert publish_document(_with_phrasing(r"(so )*sorry|apologi(es|se|ze)")).number == 1


# Scores one answer of a document that never passed validation, in a child process: an engine
# without a time limit never returns (and holds the GIL), so only a process can be abandoned.
_SCORE_DIRECTLY = """
import json, sys, time
from scoring.engine import score
from tests.support.documents import small_document

document = small_document()
document["steps"][1]["criteria"][0]["concepts"][0]["phrasings"].append(r"(a|aa)+$")
answers = {"first-move": {"option": "check"}, "reply": {"text": "sorry, " + "a" * 60 + "!"}}
started = time.perf_counter()
criterion = score(document, answers, {}).criterion("reply/reply-quality")
print(json.dumps({
    "seconds": time.perf_counter() - started,
    "level": criterion.level.index,
    "needs_review": criterion.needs_review,
    "reasons": list(criterion.review_reasons),
    "evidence": criterion.evidence,
}))
"""


def test_a_catastrophic_phrasing_that_reaches_the_engine_times_out_into_review():
    started = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-c", _SCORE_DIRECTLY],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"scoring ran for {time.perf_counter() - started:.0f} s without finishing")
    result = json.loads(done.stdout)
    # One search runs out of its time (phrasings.SEARCH_TIME_LIMIT, half a second) and the
    # criterion's matching stops there.
    assert result["seconds"] < 2
    assert result["needs_review"] and result["reasons"][0] == "pattern_timeout"
    assert result["level"] == 0 and result["evidence"]["machine_level"] == 0
    apology = result["evidence"]["concepts"][0]
    assert apology["concept"] == "apology" and apology["timed_out"] is True
    assert len(result["evidence"]["concepts"]) == 1  # the later concept was not searched
