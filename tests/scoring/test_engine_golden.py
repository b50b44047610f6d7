"""Golden hashes: the breakdown bytes of seeded demo runs, recorded before the engine clean-up.

Every demo document (assessments/demo/, which seed_demo publishes) is answered by a fixed set of
seeded candidates: keyed answers across every option, order and tolerance, malformed answers,
blank steps, free text from the levels' exemplars and the kinds of text the guards catch, and
reviewer overrides (some of them unusable). Each attempt is scored by the engine as the worker
does (one compiled version for all of them, scored twice so the second pass reads what the first
remembered) and from the plain document, and the sha256 of each breakdown's bytes must equal the
one in engine_golden.json.

Free text is concept-scored (no text models): text models are trained by another part of the
engine, whose artifacts change with it; what this test guards is everything from an answer to
the bytes. The candidates are generated here, not by the simulator, so that nothing outside the
engine can move the hashes.

A change that is meant to change breakdown bytes bumps ENGINE_VERSION (which is in the bytes, so
every hash changes) and re-records: ``.venv/bin/python -m tests.scoring.test_engine_golden``.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import pytest
import yaml

from scoring.engine import ENGINE_VERSION, HumanOverride, compile_assessment, score

DEMO_DIR = Path(__file__).resolve().parents[2] / "assessments" / "demo"
GOLDEN = Path(__file__).with_name("engine_golden.json")
CANDIDATES = 40
TEXT_TYPES = {"short_text", "long_text"}
GAMED_TEXTS = (
    "",
    "   ",
    "refund refund refund apology apology refund escalate escalate refund apology",
    "Hola, lo siento mucho por el error, vamos a devolver el dinero de la factura pronto.",
    "Это ответ на другом языке, который не является английским.",
    "asdf qwer zxcv uiop hjkl bnm tyu ghj vbn rty fgh cvb",
)


def _documents() -> dict[str, dict]:
    return {
        path.stem: yaml.safe_load(path.read_text(encoding="utf-8"))
        for path in sorted(DEMO_DIR.glob("*.yaml"))
    }


def _keyed_answer(item: dict, rng: random.Random) -> dict:
    options = [option["id"] for option in item.get("options") or []]
    kind = item["type"]
    if kind == "single_choice":
        return {"option": rng.choice(options)}
    if kind == "multiple_choice":
        return {"options": rng.sample(options, rng.randint(1, len(options)))}
    if kind == "sjt" and item.get("mode") == "best_worst":
        best, worst = rng.sample(options, 2)
        return {"best": best, "worst": rng.choice([worst, None])}
    if kind == "sjt":
        low, high = item["scale"]["min"], item["scale"]["max"]
        return {"ratings": {option: rng.randint(low, high) for option in options}}
    if kind == "ranking":
        order = list(item["key_order"])
        rng.shuffle(order)
        return {"order": order}
    if kind == "numeric":
        answer = float(item["answer"])
        return {"value": round(answer * rng.choice([1.0, 1.0, 0.999, 0.99, 0.9, 1.3]), 4)}
    return {"value": rng.random()}


def _text_answer(step: dict, rng: random.Random) -> dict:
    exemplars = [
        text
        for criterion in step.get("criteria") or []
        for level in criterion.get("levels") or []
        for text in level.get("exemplars") or []
    ]
    if exemplars and rng.random() < 0.8:
        return {"text": rng.choice(exemplars)}
    return {"text": rng.choice(GAMED_TEXTS)}


def _malformed(rng: random.Random):
    return rng.choice(
        [None, 7, "an answer", {"option": 3}, {"options": "a"}, {"text": 5}, {"value": "NaN"}]
    )


def _answers(document: dict, rng: random.Random) -> dict:
    answers = {}
    for step in document["steps"]:
        roll = rng.random()
        if roll < 0.08:
            continue  # left blank
        if roll < 0.14:
            answers[step["id"]] = _malformed(rng)
        elif step["item"]["type"] in TEXT_TYPES:
            answers[step["id"]] = _text_answer(step, rng)
        else:
            answers[step["id"]] = _keyed_answer(step["item"], rng)
    return answers


def _overrides(document: dict, rng: random.Random) -> dict:
    keys = [
        f"{step['id']}/{criterion['id']}"
        for step in document["steps"]
        for criterion in step.get("criteria") or []
    ]
    if rng.random() < 0.7:
        return {}
    chosen = rng.sample(keys, min(len(keys), rng.randint(1, 3)))
    overrides = {
        key: HumanOverride(level=rng.randint(0, 4), reviewer="rev", reason="Checked by hand.")
        for key in chosen
    }
    if rng.random() < 0.3:
        overrides["no-such-step/criterion"] = HumanOverride(0, "rev", "Unknown key.")
    return overrides


def candidates(slug: str, document: dict) -> list[tuple[dict, dict]]:
    """The seeded candidates' (answers, overrides) for one document."""
    rng = random.Random(f"golden:{slug}")
    return [(_answers(document, rng), _overrides(document, rng)) for _ in range(CANDIDATES)]


def breakdown_hashes(slug: str, document: dict, compiled=None) -> list[str]:
    """The sha256 of each seeded candidate's breakdown bytes, in candidate order."""
    content = document if compiled is None else compiled
    return [
        score(content, answers, {}, overrides).sha256
        for answers, overrides in candidates(slug, document)
    ]


def record() -> dict:
    return {
        "engine_version": ENGINE_VERSION,
        "hashes": {
            slug: breakdown_hashes(slug, document) for slug, document in _documents().items()
        },
    }


def _golden() -> dict:
    return json.loads(GOLDEN.read_text(encoding="utf-8"))


DOCUMENTS = _documents()


def test_the_golden_hashes_are_of_this_engine_version():
    assert _golden()["engine_version"] == ENGINE_VERSION, (
        "ENGINE_VERSION changed: re-record with python -m tests.scoring.test_engine_golden"
    )


def test_every_demo_document_has_golden_hashes():
    assert set(_golden()["hashes"]) == set(DOCUMENTS)


@pytest.mark.parametrize("slug", sorted(DOCUMENTS))
def test_breakdown_bytes_of_a_compiled_version_match_the_golden_hashes(slug):
    expected = _golden()["hashes"][slug]
    compiled = compile_assessment(DOCUMENTS[slug])
    # The first pass fills what the compiled version remembers; the second reads it back.
    for _ in range(2):
        found = breakdown_hashes(slug, DOCUMENTS[slug], compiled)
        differ = [index for index, (a, b) in enumerate(zip(found, expected, strict=True)) if a != b]
        assert not differ, f"{slug}: candidates {differ} score to different bytes"


@pytest.mark.parametrize("slug", sorted(DOCUMENTS))
def test_breakdown_bytes_of_the_plain_document_match_the_golden_hashes(slug):
    assert breakdown_hashes(slug, DOCUMENTS[slug]) == _golden()["hashes"][slug]


def test_the_candidates_reach_every_kind_of_outcome():
    """The seeded candidates exercise what the hashes are meant to guard."""
    statuses, methods, flags, ignored = set(), set(), set(), 0
    for slug, document in DOCUMENTS.items():
        compiled = compile_assessment(document)
        for answers, overrides in candidates(slug, document):
            breakdown = score(compiled, answers, {}, overrides)
            statuses |= {step.status for step in breakdown.steps}
            methods |= {criterion.method for criterion in breakdown.criteria()}
            for criterion in breakdown.criteria():
                flags |= set(criterion.evidence.get("guards", {}).get("flags", []))
            ignored += len(breakdown.overrides_ignored)
    assert {"answered", "unanswered", "invalid", "off_path"} <= statuses
    assert {"keyed", "sjt", "ranking", "numeric", "concept", "human"} <= methods
    assert {"foreign_language", "keyword_stuffing"} <= flags
    assert ignored > 0


if __name__ == "__main__":
    GOLDEN.write_text(json.dumps(record(), indent=1) + "\n", encoding="utf-8")
    sys.stdout.write(f"recorded {GOLDEN}\n")
