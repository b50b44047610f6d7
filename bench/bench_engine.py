"""Attempts scored per second by the pure scoring engine, on one core, for each demo assessment.

Run: .venv/bin/python bench/bench_engine.py [--seconds 2] [--document data-analysis]

Every document in assessments/demo/ with free-text steps is measured (a built-in document when
there is none). Each attempt is scored, serialised to canonical JSON and hashed, as the Celery
task does; like the worker, which keeps each version compiled, a document is compiled once
(compile_assessment) and the compile time is printed on its own. Keyed answers vary from one
candidate to the next and text answers cycle through the criteria's exemplars. Scenarios:

- keyed only: the free-text steps unanswered (the baseline of the ratios);
- one text step, concept-scored / model-scored (the other text step unanswered);
- two text steps, concept-scored / model-scored (the target: 1,000 attempts/s per core);
- the text models alone: model.predict() calls per second, so the model's share is visible.

Models are trained on each criterion's exemplars regardless of the QWK bar: the bench measures
inference cost, not quality (see bench_text_scoring.py for that).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flow import TEXT_ITEM_TYPES  # noqa: E402
from scoring.engine import compile_assessment, score  # noqa: E402
from scoring.engine.training import exemplars_of, train_text_model  # noqa: E402

TARGET = 1000


def load_documents(only: str | None) -> list[tuple[dict, str]]:
    """The demo documents with free-text steps (or the built-in test document)."""
    import yaml

    found = []
    for path in sorted((ROOT / "assessments" / "demo").glob("*.yaml")):
        if only and path.stem != only:
            continue
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
        if text_steps(content):
            found.append((content, f"assessments/demo/{path.name}"))
    if found or only:
        return found
    from tests.scoring.test_engine_fixtures import make_content

    return [(make_content(), "built-in (tests/scoring/test_engine_fixtures.py)")]


def keyed_answer(item: dict, index: int) -> dict:
    """The ``index``-th candidate's answer to a keyed item: answers vary from one candidate to
    the next (every option, selection, order and a spread of numbers comes up), as real ones
    do, so what the engine remembers of repeated answers is measured at a realistic rate."""
    options = [option["id"] for option in item.get("options", [])]
    kind = item["type"]
    if kind == "single_choice":
        return {"option": options[index % len(options)]}
    if kind == "multiple_choice":
        size = 1 + index % max(1, item.get("max_select", 2))
        start = index % len(options)
        return {"options": (options[start:] + options[:start])[:size]}
    if kind == "sjt" and item.get("mode") == "best_worst":
        best = options[index % len(options)]
        return {"best": best, "worst": options[(index + 1 + index // 7) % len(options)]}
    if kind == "sjt":
        low, high = item["scale"]["min"], item["scale"]["max"]
        return {
            "ratings": {
                o["id"]: min(high, max(low, o["key"] + (index + k) % 3 - 1))
                for k, o in enumerate(item["options"])
            }
        }
    if kind == "ranking":
        order = list(item["key_order"])
        first, second = index % len(order), (index // 3) % len(order)
        order[first], order[second] = order[second], order[first]
        return {"order": order}
    if kind == "numeric":
        return {"value": round(float(item["answer"]) * (0.97 + 0.01 * (index % 7)), 2)}
    return {}


def text_steps(content: dict) -> list[dict]:
    steps = [s for s in content["steps"] if s["item"]["type"] in TEXT_ITEM_TYPES and s["criteria"]]
    return steps[:2]


def attempts(content: dict, answered_text: list[str], n: int = 64) -> list[dict]:
    """n attempts answering every keyed step and the named text steps."""
    pools = {
        step["id"]: [text for c in step["criteria"] for text, _ in exemplars_of(c)]
        for step in content["steps"]
        if step["id"] in answered_text
    }
    result = []
    for index in range(n):
        answers = {
            step["id"]: keyed_answer(step["item"], index)
            for step in content["steps"]
            if step["item"]["type"] not in TEXT_ITEM_TYPES
        }
        for step_id, pool in pools.items():
            answers[step_id] = {"text": pool[index % len(pool)]}
        result.append(answers)
    return result


def train_models(content: dict, step_ids: list[str]) -> dict:
    models = {}
    for step in content["steps"]:
        if step["id"] not in step_ids:
            continue
        for criterion in step["criteria"]:
            exemplars = exemplars_of(criterion)
            trained = train_text_model(exemplars, n_levels=len(criterion["levels"]))
            models[f"{step['id']}/{criterion['id']}"] = trained.model
    return models


def compile_time(content: dict) -> float:
    """Milliseconds of CPU time to compile the document (once per version in the worker)."""
    runs, started = 20, time.process_time()
    for _ in range(runs):
        compile_assessment(content)
    return (time.process_time() - started) / runs * 1000


ROUNDS = 5


def best_rate(run_once, per_run: int, seconds: float) -> float:
    """Calls of ``run_once`` (each doing ``per_run`` items) per second of CPU time, in the best
    of ROUNDS rounds sharing ``seconds``: noise from other work only ever slows a round down, so
    the best round is the steadiest figure (as timeit reports its best repeat)."""
    best = 0.0
    for _ in range(ROUNDS):
        # CPU time of this process, not wall time: other work on the machine does not count.
        done, started = 0, time.process_time()
        while time.process_time() - started < seconds / ROUNDS:
            run_once()
            done += per_run
        best = max(best, done / (time.process_time() - started))
    return best


def rate(content, answer_sets: list[dict], models: dict, seconds: float) -> float:
    """Attempts per second: score + canonical JSON + sha256."""

    def score_all() -> None:
        for answers in answer_sets:
            _ = score(content, answers, models).sha256

    score_all()  # what a worker has seen after its first few attempts
    return best_rate(score_all, len(answer_sets), seconds)


def prediction_rate(document: dict, models: dict, seconds: float) -> float:
    """model.predict() calls per second over the text steps' exemplars."""
    calls = [
        (models[f"{step['id']}/{criterion['id']}"], text)
        for step in text_steps(document)
        for criterion in step["criteria"]
        for text, _ in exemplars_of(criterion)
    ]

    def predict_all() -> None:
        for model, text in calls:
            model.predict(text)

    predict_all()
    return best_rate(predict_all, len(calls), seconds)


def bench_document(document: dict, source: str, seconds: float) -> float:
    """Print one document's table; returns its rate with every text step model-scored."""
    content = compile_assessment(document)
    texts = [step["id"] for step in text_steps(document)]
    models = train_models(document, texts)
    scenarios = [
        ("keyed only (text steps unanswered)", [], {}),
        (f"1 text step, concept ({texts[0]})", texts[:1], {}),
        (f"1 text step, model ({texts[0]})", texts[:1], models),
    ]
    if len(texts) > 1:
        scenarios += [
            ("2 text steps, concept", texts, {}),
            ("2 text steps, model", texts, models),
        ]
    print(f"{source}: {len(document['steps'])} steps; text steps: {', '.join(texts)}; ", end="")
    print(f"compiled in {compile_time(document):.2f} ms (once per version)")
    print(f"{'scenario':<46} {'attempts/s':>11} {'ms/attempt':>11} {'vs keyed':>9}")
    baseline = per_second = 0.0
    for name, answered, scenario_models in scenarios:
        per_second = rate(content, attempts(document, answered), scenario_models, seconds)
        baseline = baseline or per_second
        print(
            f"{name:<46} {per_second:>11.0f} {1000 / per_second:>11.3f} "
            f"{baseline / per_second:>8.2f}x"
        )
    predictions = prediction_rate(document, models, seconds)
    label = "text models alone (predict() calls)"
    print(f"{label:<46} {predictions:>11.0f} {1000 / predictions:>11.3f}\n")
    return per_second


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time per scenario")
    parser.add_argument("--document", help="one demo document, by file name without .yaml")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    documents = load_documents(args.document)
    if not documents:
        parser.error(f"no demo document {args.document!r} with free-text steps")
    print(f"python {platform.python_version()} on {platform.machine()}, pinned to one core;")
    print(
        f"~{args.seconds:.1f}s of CPU time per scenario, best of {ROUNDS} rounds; "
        "score() + canonical_json() + sha256\n"
    )
    results = {
        source: bench_document(document, source, args.seconds) for document, source in documents
    }
    print(f"all text steps model-scored (target {TARGET}/s per core):")
    for source, per_second in results.items():
        verdict = "meets" if per_second >= TARGET else "misses"
        print(f"  {source:<46} {per_second:>8.0f} attempts/s  {verdict}")


if __name__ == "__main__":
    main()
