"""Engine results are plain values: a copy made with dataclasses.replace() serialises to bytes
of its own fields, never to what the original remembered, and what a compiled version remembers
(its ScoringMemo) is never handed on to a copy."""

import hashlib
import json
from dataclasses import replace
from pathlib import Path

from scoring.engine import compile_assessment, score
from scoring.engine.breakdown import StepScore, canonical, encode_canonical
from scoring.engine.plan import ScoringMemo
from scoring.engine.textmodel import TextClassifier
from tests.scoring.test_engine_fixtures import best_answers, make_content


def _plain_bytes(data) -> bytes:
    """The definition of the canonical bytes."""
    return json.dumps(
        canonical(data), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")


def _scored_twice():
    """A breakdown whose keyed steps come from the compiled version's memo, and its bytes
    already written once."""
    compiled = compile_assessment(make_content())
    score(compiled, best_answers(), {})
    breakdown = score(compiled, best_answers(), {})
    breakdown.canonical_json()
    return breakdown


def test_a_replaced_step_shows_its_own_points():
    step = next(s for s in _scored_twice().steps if s.points > 0)
    step.to_dict()
    assert replace(step, points=0.0).to_dict()["points"] == 0.0
    assert step.to_dict()["points"] > 0


def test_a_breakdown_with_a_replaced_step_has_fresh_bytes_and_hash():
    breakdown = _scored_twice()
    before = breakdown.canonical_json()
    steps = tuple(replace(step, points=0.0) for step in breakdown.steps)
    changed = replace(breakdown, steps=steps)
    data = changed.canonical_json()
    assert data != before
    assert all(step["points"] == 0.0 for step in json.loads(data)["steps"])
    assert data == _plain_bytes(changed.to_dict())
    assert changed.sha256 == hashlib.sha256(data).hexdigest() != breakdown.sha256


def test_a_replaced_overall_and_criterion_evidence_reach_the_bytes():
    breakdown = _scored_twice()
    breakdown.canonical_json()
    passed = replace(breakdown, overall=replace(breakdown.overall, score=12.5, passed=False))
    assert json.loads(passed.canonical_json())["overall"]["score"] == 12.5

    step = next(s for s in breakdown.steps if s.criteria)
    criterion = replace(step.criteria[0], evidence={"note": "replaced"})
    changed = replace(breakdown, steps=(replace(step, criteria=(criterion,)),))
    assert json.loads(changed.canonical_json())["steps"][0]["criteria"][0]["evidence"] == {
        "note": "replaced"
    }


def test_a_replaced_criterion_is_named_by_its_own_ids():
    criterion = _scored_twice().criteria()[0]
    renamed = replace(criterion, step_id="other", criterion_id="name")
    assert renamed.key == "other/name"
    assert criterion.key == f"{criterion.step_id}/{criterion.criterion_id}"


def test_the_original_breakdown_keeps_its_bytes():
    breakdown = _scored_twice()
    before = breakdown.canonical_json()
    replace(breakdown, steps=())
    assert breakdown.canonical_json() == before == encode_canonical(breakdown.to_dict())


def test_a_copy_of_a_compiled_version_starts_with_an_empty_memo():
    compiled = compile_assessment(make_content())
    score(compiled, best_answers(), {})
    assert len(compiled.memo) > 0
    copy = replace(compiled, overall_threshold=0.0)
    assert copy.memo is not compiled.memo and len(copy.memo) == 0
    assert score(copy, best_answers(), {}).passed


def test_the_memo_stops_remembering_at_its_limit():
    memo, built = ScoringMemo(limit=1), []

    def build() -> StepScore:
        built.append(StepScore("reply", "short_text", "unanswered", True, 0.0, 3.0))
        return built[-1]

    first = memo.step_score("first", build)
    assert memo.step_score("first", build) is first
    memo.step_score("second", build)
    memo.step_score("second", build)
    assert len(built) == 3 and len(memo) == 1


def test_replace_on_a_text_classifier_derives_its_hash_anew():
    fixture = json.loads((Path(__file__).parent / "legacy_text_model_v1.json").read_text())
    model = TextClassifier.from_bytes(fixture["artifact"].encode("utf-8"))
    warmer = replace(model, temperature=model.temperature * 2)
    assert warmer.sha256 == hashlib.sha256(warmer.to_bytes()).hexdigest()
    assert warmer.sha256 != model.sha256
