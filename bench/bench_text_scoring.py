"""How well text scoring agrees with people on SemEval-2013 Task 7, before and after.

Run: .venv/bin/python bench/bench_text_scoring.py [--zip PATH] [--before REV] [--jobs 2]

The data is read in place from the zip in ../shared/datasets/semeval2013-task7 (CC BY-SA 3.0;
nothing is copied into the repository). Labels are ordered contradictory (0) < incorrect (1;
includes partially correct, irrelevant, off-domain) < correct (2).

"before" is the engine at git revision --before (default: the commit this work started from),
exported with ``git archive`` into a temporary folder and run in a subprocess with that folder
first on PYTHONPATH; "after" is the engine of the working tree. Both in the same run.

1. Unseen answers: one criterion per question, trained on that question's training answers
   (after: with the question's first reference answer as the top level's descriptor), scored on
   its test answers; macro-F1 and QWK pooled over the questions of each corpus. After also gives
   what production would do with each test answer: the share scored without a person
   (coverage) and QWK on that share (the model is used only when accepted).
2. Unseen questions: no answer of these questions was seen. Before: the highest TF-IDF cosine
   to a reference answer, mapped to a level by two thresholds fitted on the training questions
   (what the README reported). After: one criterion for the whole corpus, trained by the
   engine on every training answer of every training question, applied to the new questions.
3. The --simulate-review learning curve (scoring.evaluation.simulate_review, as
   ``manage.py evaluate_text_scoring --simulate-review``): beetle as one question set, 40
   starting exemplars, batches of 20 reviewed answers, up to 200 reviews, figures on the beetle
   unseen-answers test set; then per question (each its own criterion, the only way one
   criterion is used in production): the beetle questions with at least 120 answers, 40 of
   them held out, 40 starting exemplars, batches of 10 until the pool is used up.

Each section ends with a RESULT line.
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
import warnings
import xml.etree.ElementTree as ElementTree
import zipfile
from concurrent.futures import ProcessPoolExecutor
from io import BytesIO
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if os.environ.get("BENCH_BEFORE") is None:
    sys.path.insert(0, str(ROOT))

from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.metrics import f1_score  # noqa: E402

from scoring.engine.training import quadratic_kappa, train_text_model  # noqa: E402

DEFAULT_ZIP = ROOT.parent / "shared" / "datasets" / "semeval2013-task7" / "semeval-3way.zip"
DEFAULT_BEFORE = "ac80e6f"  # main when this work began (engine 2.0.0)
LEVELS = {"contradictory": 0, "incorrect": 1, "correct": 2}
CORPORA = ("beetle", "sciEntsBank")
ENGINE_PATHS = ("scoring/__init__.py", "scoring/engine", "phrasings")


def read_questions(archive: zipfile.ZipFile, prefix: str) -> dict[str, dict]:
    """Question id -> {'references': [...], 'answers': [(text, level), ...]} under prefix."""
    questions = {}
    for name in sorted(archive.namelist()):
        if not (name.startswith(prefix) and name.endswith(".xml")):
            continue
        root = ElementTree.fromstring(archive.read(name))
        questions[root.get("id")] = {
            "references": [node.text or "" for node in root.iter("referenceAnswer")],
            "answers": [
                (node.text or "", LEVELS[node.get("accuracy")])
                for node in root.iter("studentAnswer")
                if node.get("accuracy") in LEVELS
            ],
        }
    return questions


def _figures(truth, predicted) -> dict:
    return {
        "macro_f1": round(float(f1_score(truth, predicted, average="macro", labels=[0, 1, 2])), 3),
        "qwk": round(quadratic_kappa(truth, predicted, 3), 3),
    }


def _train(rows, references=()):
    """The engine's training, with the reference as the top level's descriptor when the engine
    has descriptors (the before engine has none)."""
    if "descriptors" in inspect.signature(train_text_model).parameters:
        return train_text_model(rows, n_levels=3, descriptors=["", "", *references[:1]])
    return train_text_model(rows, n_levels=3)


def _one_question(job):
    """Test labels, the model's levels and (after only) what production did with each answer."""
    references, train, test = job
    warnings.filterwarnings("ignore")
    trained = _train(train, references)
    texts = [text for text, _ in test]
    levels = [trained.model.predict(text).level for text in texts]
    decisions = []
    if os.environ.get("BENCH_BEFORE") is None:
        from scoring.engine import model_accepted
        from scoring.evaluation import production_decisions

        model = trained.model if model_accepted(trained) else None
        decisions = production_decisions(model, texts, 3, ["", "", *references[:1]])
    return [level for _, level in test], levels, decisions


def unseen_answers(archive, corpus: str, jobs: int) -> dict:
    train = read_questions(archive, f"training/3way/{corpus}/")
    test = read_questions(archive, f"test/3way/{corpus}/test-unseen-answers/")
    ids = [qid for qid in sorted(test) if qid in train]
    work = [(train[q]["references"], train[q]["answers"], test[q]["answers"]) for q in ids]
    truth, predicted, decisions = [], [], []
    with ProcessPoolExecutor(jobs) as pool:
        for labels, levels, decided in pool.map(_one_question, work):
            truth += labels
            predicted += levels
            decisions += decided
    figures = {"questions": len(ids), "answers": len(truth), **_figures(truth, predicted)}
    if decisions:
        from scoring.evaluation import agreement

        figures |= agreement(decisions, truth, 3)
    return figures


def reference_similarity(archive, corpus: str) -> dict:
    """Unseen questions, before: the best TF-IDF cosine to a reference answer, two thresholds."""
    from scipy import sparse

    train = read_questions(archive, f"training/3way/{corpus}/")
    test = read_questions(archive, f"test/3way/{corpus}/test-unseen-questions/")
    texts = [text for q in train.values() for text, _ in q["answers"]]
    word = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit(texts)
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True).fit(texts)

    def vectors(items):
        return sparse.hstack([word.transform(items), char.transform(items)]).tocsr() / np.sqrt(2)

    def similarities(questions):
        scores, labels = [], []
        for question in questions.values():
            if question["answers"] and question["references"]:
                answers = vectors([text for text, _ in question["answers"]])
                best = (answers @ vectors(question["references"]).T).max(axis=1).toarray().ravel()
                scores += best.tolist()
                labels += [level for _, level in question["answers"]]
        return np.array(scores), labels

    def levels(scores, low, high):
        return np.where(scores < low, 0, np.where(scores < high, 1, 2))

    train_scores, train_labels = similarities(train)
    grid = np.round(np.arange(0.05, 1.0, 0.025), 3)
    low, high = max(
        ((low, high) for low in grid for high in grid if high > low),
        key=lambda pair: quadratic_kappa(train_labels, levels(train_scores, *pair), 3),
    )
    test_scores, test_labels = similarities(test)
    return {"answers": len(test_labels), **_figures(test_labels, levels(test_scores, low, high))}


def pooled_model(archive, corpus: str) -> dict:
    """Unseen questions, after: one engine criterion trained on the corpus's training answers."""
    train = read_questions(archive, f"training/3way/{corpus}/")
    test = read_questions(archive, f"test/3way/{corpus}/test-unseen-questions/")
    rows = [answer for question in train.values() for answer in question["answers"]]
    started = time.monotonic()
    trained = _train(rows)
    answers = [answer for question in test.values() for answer in question["answers"]]
    predicted = [trained.model.predict(text).level for text, _ in answers]
    return {
        "answers": len(answers),
        "n_train": len(rows),
        "seconds_train": round(time.monotonic() - started),
        **_figures([level for _, level in answers], predicted),
    }


def engine_figures(archive_path: Path, jobs: int) -> dict:
    """Unseen answers per corpus with whichever engine is importable."""
    with zipfile.ZipFile(archive_path) as archive:
        return {corpus: unseen_answers(archive, corpus, jobs) for corpus in CORPORA}


def before_figures(revision: str, archive_path: Path, jobs: int) -> dict:
    """engine_figures with the engine of ``revision``, in a subprocess."""
    exported = subprocess.run(
        ["git", "archive", revision, *ENGINE_PATHS], cwd=ROOT, check=True, capture_output=True
    ).stdout
    with tempfile.TemporaryDirectory() as folder:
        with tarfile.open(fileobj=BytesIO(exported)) as tar:
            tar.extractall(folder, filter="data")
        environment = {**os.environ, "PYTHONPATH": folder, "BENCH_BEFORE": revision}
        command = [sys.executable, __file__, "--zip", str(archive_path), "--jobs", str(jobs)]
        output = subprocess.run(
            [*command, "--engine-only"], env=environment, check=True, capture_output=True, text=True
        ).stdout
    return json.loads(output.splitlines()[-1])


def learning_curve(archive, start: int, batch: int, reviews: int) -> list[dict]:
    from scoring.engine.textmodel import DEFAULT_MIN_EXEMPLARS, DEFAULT_TARGET_QWK
    from scoring.evaluation import Setup, simulate_review

    pool = [
        a for q in read_questions(archive, "training/3way/beetle/").values() for a in q["answers"]
    ]
    test_questions = read_questions(archive, "test/3way/beetle/test-unseen-answers/")
    test = [answer for question in test_questions.values() for answer in question["answers"]]
    setup = Setup(n_levels=3, target_qwk=DEFAULT_TARGET_QWK, min_exemplars=DEFAULT_MIN_EXEMPLARS)
    steps = []

    def report(step):
        steps.append(step)
        print(
            f"    reviews {step['reviews']:>3}  labels {step['n_train']:>3}  "
            f"replaced {step['replaced']!s:<5}  qwk {_shown(step['qwk'])}  "
            f"coverage {_shown(step['coverage'])}  qwk_auto {_shown(step['qwk_auto'])}",
            flush=True,
        )

    simulate_review(pool, test, setup, start=start, batch=batch, max_reviews=reviews, report=report)
    return steps


def question_curves(archive, start: int, batch: int, held_out: int, smallest: int) -> list[dict]:
    """The learning curve per question, each question its own criterion: every beetle question
    with at least ``smallest`` answers (training and unseen-answers test files together); a
    seeded ``held_out`` of them is the test set, the rest the review pool. Pooled per step."""
    from scoring.engine.textmodel import DEFAULT_MIN_EXEMPLARS, DEFAULT_TARGET_QWK
    from scoring.evaluation import Setup, simulate_review

    train = read_questions(archive, "training/3way/beetle/")
    test = read_questions(archive, "test/3way/beetle/test-unseen-answers/")
    by_step: dict[int, list[dict]] = {}
    for qid in sorted(train):
        rows = train[qid]["answers"] + test.get(qid, {"answers": []})["answers"]
        if len(rows) < smallest:
            continue
        order = np.random.default_rng(0).permutation(len(rows))
        held = [rows[i] for i in order[:held_out]]
        pool = [rows[i] for i in order[held_out:]]
        setup = Setup(
            n_levels=3,
            target_qwk=DEFAULT_TARGET_QWK,
            min_exemplars=DEFAULT_MIN_EXEMPLARS,
            descriptors=("", "", *train[qid]["references"][:1]),
        )
        steps = []
        simulate_review(
            pool, held, setup, start=start, batch=batch, max_reviews=len(pool), report=steps.append
        )
        for index, step in enumerate(steps):
            by_step.setdefault(index, []).append(step)
    curve = []
    for index, steps in sorted(by_step.items()):
        automated = sum(step["coverage"] * step["n_test"] for step in steps)
        agreeing = [s for s in steps if s["qwk_auto"] is not None]
        point = {
            "step": index,
            "questions": len(steps),
            "reviews": round(float(np.mean([s["reviews"] for s in steps])), 1),
            "models_used": sum(s["model_used"] for s in steps),
            "coverage": round(automated / sum(s["n_test"] for s in steps), 3),
            "mean_qwk_auto": round(float(np.mean([s["qwk_auto"] for s in agreeing])), 3)
            if agreeing
            else None,
        }
        curve.append(point)
        print(f"    {point}", flush=True)
    return curve


def _shown(value) -> str:
    return "  -  " if value is None else f"{value:.3f}"


def comparisons(args) -> None:
    """Sections 1 and 2: before and after."""
    print(f"-- unseen answers: before = engine at {args.before}, after = working tree")
    before = before_figures(args.before, args.zip, args.jobs)
    after = engine_figures(args.zip, args.jobs)
    for corpus in CORPORA:
        print(f"{corpus:<12} before {before[corpus]}\n{'':<12} after  {after[corpus]}")
    print(f"RESULT unseen_answers before={json.dumps(before)} after={json.dumps(after)}")
    print("-- unseen questions: before = reference similarity, after = one engine criterion")
    with zipfile.ZipFile(args.zip) as archive:
        questions = {
            corpus: {
                "before": reference_similarity(archive, corpus),
                "after": pooled_model(archive, corpus),
            }
            for corpus in CORPORA
        }
    for corpus, figures in questions.items():
        print(f"{corpus:<12} before {figures['before']}\n{'':<12} after  {figures['after']}")
    print(f"RESULT unseen_questions {json.dumps(questions)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--zip", type=Path, default=DEFAULT_ZIP)
    parser.add_argument("--before", default=DEFAULT_BEFORE, help="git revision of 'before'")
    parser.add_argument("--jobs", type=int, default=2, help="processes for per-question models")
    parser.add_argument("--engine-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--curves-only", action="store_true", help="only the learning curves (section 3)"
    )
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    if args.engine_only:  # the before engine's half, run by before_figures()
        print(json.dumps(engine_figures(args.zip, args.jobs)))
        return
    if not args.zip.exists():
        sys.exit(f"SemEval zip not found at {args.zip}")
    started = time.monotonic()
    print(f"== SemEval-2013 Task 7, 3-way ({args.zip}) ==")
    if not args.curves_only:
        comparisons(args)
    with zipfile.ZipFile(args.zip) as archive:
        print("-- learning curve: beetle as one question set, 40 exemplars, batches of 20")
        curve = learning_curve(archive, start=40, batch=20, reviews=200)
        print(f"RESULT learning_curve {json.dumps(curve[-1])}")
        print("-- learning curve per question: beetle questions with >= 120 answers, 40 held out")
        per_question = question_curves(archive, start=40, batch=10, held_out=40, smallest=120)
        print(f"RESULT learning_curve_per_question {json.dumps(per_question[-1])}")
    print(f"\n{time.monotonic() - started:.0f}s with {args.jobs} processes")


if __name__ == "__main__":
    main()
