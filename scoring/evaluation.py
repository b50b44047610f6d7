"""Evaluate text scoring on labelled answers, exactly as production trains and decides.

The instrument behind ``manage.py evaluate_text_scoring`` and bench/bench_text_scoring.py. One
free-text criterion: training rows are its labelled exemplars, test rows the answers it meets.

- Training is engine.train_text_model, acceptance engine.model_accepted, replacement
  engine.decide_replacement: the functions scoring.services.training calls.
- Each test answer is scored by engine.score on a one-step document (a long_text item whose one
  criterion has the given levels), with the model when production would use it and without it
  otherwise: the level, and whether a person must review it, come from the production code path,
  guards included. ``coverage`` is the share scored without a person.
- ``qwk`` is the model's own level for every test answer (engine prediction), whether or not
  production would use the model.

No Django: settings (the target, the minimum number of exemplars) are passed in.
"""

from __future__ import annotations

import csv
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from scoring import engine
from scoring.engine.text import HARD_MAX_LENGTH
from scoring.engine.training import quadratic_kappa

Labelled = list[tuple[str, int]]
STEP_ID = "answer"
CRITERION_ID = "level"
MODEL_KEY = f"{STEP_ID}/{CRITERION_ID}"


class EvaluationError(ValueError):
    """Input the evaluation cannot use; the message says which file, row or column."""


# --- reading labelled answers -----------------------------------------------------------------


def read_labelled_csv(path: Path, text_column: str, label_column: str) -> list[tuple[str, str]]:
    """(text, raw label) rows of a CSV file with a header; labels are checked by parse_labels."""
    path = Path(path)
    if not path.is_file():
        raise EvaluationError(f"{path}: no such file")
    with path.open(newline="", encoding="utf-8-sig") as stream:
        reader = csv.DictReader(stream)
        columns = reader.fieldnames or []
        missing = [name for name in (text_column, label_column) if name not in columns]
        if missing:
            found = ", ".join(columns) if columns else "none (the file is empty)"
            raise EvaluationError(f"{path}: no column {' or '.join(missing)}; columns: {found}")
        rows = [(row[text_column] or "", (row[label_column] or "").strip()) for row in reader]
    if not rows:
        raise EvaluationError(f"{path}: no rows after the header")
    return rows


def parse_labels(rows: list[tuple[str, str]], n_levels: int, source: str) -> Labelled:
    """Rows with integer labels 0..n_levels-1; the first bad label is named with its row."""
    labelled = []
    for number, (text, raw) in enumerate(rows, start=2):  # row 1 is the header
        try:
            level = int(raw)
        except ValueError:
            level = -1
        if not 0 <= level < n_levels:
            raise EvaluationError(
                f"{source} row {number}: label {raw!r} is not a level index 0..{n_levels - 1}"
            )
        labelled.append((text, level))
    return labelled


def infer_levels(*row_sets: list[tuple[str, str]]) -> int:
    """The number of levels when --levels is not given: the largest integer label + 1."""
    values = [int(raw) for rows in row_sets for _, raw in rows if raw.lstrip("-").isdigit()]
    return max(values, default=0) + 1


def stratified_sample(rows: Labelled, n: int, seed: int) -> Labelled:
    """``n`` rows with the levels in the proportions of ``rows`` (each level present keeps at
    least one row while n allows), chosen with a seeded generator: the same seed, the same
    sample."""
    if n >= len(rows):
        return list(rows)
    random = np.random.default_rng(seed)
    by_level: dict[int, list[int]] = {}
    for index, (_, level) in enumerate(rows):
        by_level.setdefault(level, []).append(index)
    levels = sorted(by_level)
    quota = {level: len(by_level[level]) * n / len(rows) for level in levels}
    counts = {
        level: max(1, math.floor(quota[level])) if n >= len(levels) else 0 for level in levels
    }
    # Hand out what rounding left over to the largest remainders (ties: lower level first).
    for level in sorted(levels, key=lambda k: (counts[k] - quota[k], k)):
        if sum(counts.values()) >= n:
            break
        counts[level] = min(len(by_level[level]), counts[level] + 1)
    chosen = [
        int(index)
        for level in levels
        for index in random.permutation(by_level[level])[: counts[level]]
    ]
    return [rows[index] for index in sorted(chosen)]


# --- production's decision --------------------------------------------------------------------


def one_criterion_document(n_levels: int, descriptors: Sequence[str] = ()) -> dict:
    """A published-document shape with one free-text step and one criterion of n_levels."""
    return {
        "format": "skillproof/assessment@1",
        "slug": "evaluation",
        "title": "Text scoring evaluation",
        "skills": [{"id": "text", "name": "Free text"}],
        "pass_rules": {"overall_threshold": 50},
        "start": STEP_ID,
        "steps": [
            {
                "id": STEP_ID,
                "title": "Answer",
                "prompt": "Answer",
                "item": {"type": "long_text", "max_length": HARD_MAX_LENGTH},
                "criteria": [
                    {
                        "id": CRITERION_ID,
                        "skill": "text",
                        "levels": [
                            {
                                "label": f"level {index}",
                                "points": index,
                                "descriptor": (list(descriptors) + [""] * n_levels)[index],
                            }
                            for index in range(n_levels)
                        ],
                    }
                ],
            }
        ],
    }


@dataclass(frozen=True)
class Decision:
    """What production did with one answer."""

    level: int
    automated: bool  # scored without a person


def production_decisions(
    model: engine.TextClassifier | None, texts: Sequence[str], n_levels: int, descriptors=()
) -> list[Decision]:
    """Score each answer as the worker would: engine.score, with the model when it is in use."""
    document = engine.compile_assessment(one_criterion_document(n_levels, descriptors))
    models = {MODEL_KEY: model} if model is not None else {}
    decisions = []
    for text in texts:
        criterion = engine.score(document, {STEP_ID: {"text": text}}, models).criterion(MODEL_KEY)
        decisions.append(Decision(criterion.level.index, not criterion.needs_review))
    return decisions


def agreement(decisions: Sequence[Decision], labels: Sequence[int], n_levels: int) -> dict:
    """coverage, and QWK and exact agreement on the automated share (None when it is empty)."""
    automated = [
        (d.level, label) for d, label in zip(decisions, labels, strict=True) if d.automated
    ]
    if not automated:
        return {"coverage": 0.0, "qwk_auto": None, "exact_auto": None}
    predicted, truth = zip(*automated, strict=True)
    return {
        "coverage": round(len(automated) / len(labels), 4),
        "qwk_auto": round(quadratic_kappa(truth, predicted, n_levels), 4),
        "exact_auto": round(float(np.mean(np.array(predicted) == np.array(truth))), 4),
    }


@dataclass(frozen=True)
class Setup:
    """What production reads from settings, and the training seed."""

    n_levels: int
    target_qwk: float
    min_exemplars: int
    seed: int = 0
    descriptors: tuple[str, ...] = ()


def train(rows: Labelled, setup: Setup) -> tuple[engine.TrainedClassifier, float]:
    """Train as production does; returns the trained classifier and the seconds it took."""
    started = time.monotonic()
    trained = engine.train_text_model(
        rows,
        seed=setup.seed,
        n_levels=setup.n_levels,
        target_qwk=setup.target_qwk,
        descriptors=list(setup.descriptors),
    )
    return trained, round(time.monotonic() - started, 3)


def evaluate(train_rows: Labelled, test_rows: Labelled, setup: Setup) -> dict:
    """Train on ``train_rows``, decide and score ``test_rows``: the command's JSON figures."""
    if not test_rows:
        raise EvaluationError("no test rows")
    try:
        trained, seconds = train(train_rows, setup)
    except ValueError as error:
        raise EvaluationError(f"cannot train on the training rows: {error}") from error
    used = engine.model_accepted(trained, min_exemplars=setup.min_exemplars)
    return _figures(trained.model, used, train_rows, test_rows, setup) | {"seconds_train": seconds}


def _figures(model, used: bool, train_rows: Labelled, test_rows: Labelled, setup: Setup) -> dict:
    texts = [text for text, _ in test_rows]
    labels = [level for _, level in test_rows]
    predicted = [model.predict(text).level for text in texts]
    decisions = production_decisions(
        model if used else None, texts, setup.n_levels, setup.descriptors
    )
    return {
        "n_train": len(train_rows),
        "n_test": len(test_rows),
        "qwk": round(quadratic_kappa(labels, predicted, setup.n_levels), 4),
        "model_used": used,
        **agreement(decisions, labels, setup.n_levels),
    }


# --- simulated review -------------------------------------------------------------------------


def simulate_review(
    pool: Labelled,
    test_rows: Labelled,
    setup: Setup,
    *,
    start: int,
    batch: int,
    max_reviews: int,
    report: Callable[[dict], None] = lambda step: None,
) -> dict:
    """The learning curve of review: start from ``start`` exemplars drawn from ``pool``; the
    pool answers production sends to review get their true label (as a reviewer gives it), in
    batches of ``batch`` in a seeded random order, like a queue; after each batch the criterion
    retrains and engine.decide_replacement decides whether the new model takes over, judged on
    the labels gathered since the active model was trained (as scoring.services.training does).
    ``report`` gets each step's figures on the test rows; returns the last step's."""
    random = np.random.default_rng(setup.seed)
    labelled = stratified_sample(pool, start, setup.seed)
    taken = set(_positions(pool, labelled))
    remaining = [i for i in range(len(pool)) if i not in taken]
    active, reviews, fresh, step = None, 0, [], {}
    while True:
        try:
            candidate, seconds = train(labelled, setup)
        except ValueError:
            candidate, seconds = None, 0.0
        replaced = False
        if candidate is not None:
            verdict = engine.decide_replacement(candidate, active, fresh, setup.min_exemplars)
            if verdict.replace:
                active, replaced, fresh = candidate.model, True, []
        figures = _curve_step(active, candidate and candidate.model, test_rows, setup)
        step = {
            "reviews": reviews,
            "n_train": len(labelled),
            "replaced": replaced,
            "seconds_train": seconds,
            **figures,
        }
        report(step)
        if reviews >= max_reviews or not remaining:
            return step
        routed = _routed_to_review(active, pool, remaining, setup)
        if not routed:
            return step
        chosen = [
            routed[i] for i in random.permutation(len(routed))[: min(batch, max_reviews - reviews)]
        ]
        fresh += [pool[i] for i in chosen]
        labelled += [pool[i] for i in chosen]
        reviews += len(chosen)
        reviewed = set(chosen)
        remaining = [i for i in remaining if i not in reviewed]


def _positions(pool: Labelled, rows: Labelled) -> list[int]:
    """Indices in ``pool`` of ``rows`` (each pool row used once)."""
    free: dict[tuple[str, int], list[int]] = {}
    for index, row in enumerate(pool):
        free.setdefault(row, []).append(index)
    return [free[row].pop(0) for row in rows]


def _routed_to_review(active, pool: Labelled, remaining: list[int], setup: Setup) -> list[int]:
    decisions = production_decisions(
        active, [pool[i][0] for i in remaining], setup.n_levels, setup.descriptors
    )
    return [
        index
        for index, decision in zip(remaining, decisions, strict=True)
        if not decision.automated
    ]


def _curve_step(active, latest, test_rows: Labelled, setup: Setup) -> dict:
    """Production's figures with the active model; ``qwk`` is the latest trained model's (used
    or not), as in evaluate()."""
    texts = [text for text, _ in test_rows]
    labels = [level for _, level in test_rows]
    decisions = production_decisions(active, texts, setup.n_levels, setup.descriptors)
    qwk = None
    if latest is not None:
        predicted = [latest.predict(text).level for text in texts]
        qwk = round(quadratic_kappa(labels, predicted, setup.n_levels), 4)
    return {
        "n_test": len(test_rows),
        "qwk": qwk,
        "model_used": active is not None,
        **agreement(decisions, labels, setup.n_levels),
    }
