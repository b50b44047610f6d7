"""How well the engine's text models agree with human labels.

Run: .venv/bin/python bench/bench_text_quality.py [path/to/semeval-3way.zip] [--jobs 2]

1. Demo exemplars (assessments/demo/*.yaml, when present): cross-validated QWK and exact
   agreement of train_text_model on each free-text criterion's exemplars, and whether the model
   would pass the default acceptance bar.
2. SemEval-2013 Task 7, 3-way (read from the zip in place; nothing is copied into the repo).
   Labels are ordered contradictory (0) < incorrect (1; includes partially correct, irrelevant,
   off-domain) < correct (2).
   - test-unseen-answers: one model per question, trained on that question's training answers
     (seed 0, 5-fold CV for the gate), scored from its artifact on the test answers; macro-F1,
     accuracy and QWK pooled over the questions of each corpus, plus mean per-question CV QWK
     and how many questions' models pass the bar.
   - test-unseen-questions: no answers of these questions were seen, so answers are scored
     against the reference answers, like a concept rubric: the highest cosine similarity (word
     1-2 + char 3-5 TF-IDF, idf from the training answers) to any reference answer, mapped to a
     level by two thresholds chosen to maximise QWK on the training questions.
"""

from __future__ import annotations

import argparse
import sys
import time
import xml.etree.ElementTree as ElementTree
import zipfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.metrics import accuracy_score, f1_score  # noqa: E402

from flow import TEXT_ITEM_TYPES  # noqa: E402
from scoring.engine.textmodel import DEFAULT_MIN_EXEMPLARS, DEFAULT_QWK_BAR  # noqa: E402
from scoring.engine.training import (  # noqa: E402
    exemplars_of,
    model_accepted,
    quadratic_kappa,
    train_text_model,
)

DEFAULT_ZIP = Path("/work/shared/datasets/semeval2013-task7/semeval-3way.zip")
LEVELS = {"contradictory": 0, "incorrect": 1, "correct": 2}
CORPORA = ("beetle", "sciEntsBank")


def read_questions(archive: zipfile.ZipFile, prefix: str) -> dict[str, dict]:
    """Question id -> {'references': [...], 'answers': [(text, level), ...]} under prefix."""
    questions = {}
    for name in sorted(archive.namelist()):
        if not (name.startswith(prefix) and name.endswith(".xml")):
            continue
        root = ElementTree.fromstring(archive.read(name))
        references = [node.text or "" for node in root.iter("referenceAnswer")]
        answers = [
            (node.text or "", LEVELS[node.get("accuracy")])
            for node in root.iter("studentAnswer")
            if node.get("accuracy") in LEVELS
        ]
        questions[root.get("id")] = {"references": references, "answers": answers}
    return questions


def demo_report() -> None:
    import yaml

    paths = sorted((ROOT / "assessments" / "demo").glob("*.yaml"))
    print("== Demo exemplars (5-fold CV, seed 0) ==")
    if not paths:
        print("no assessments/demo/*.yaml\n")
        return
    print(f"{'document / criterion':<60} {'n':>4} {'QWK':>6} {'exact':>6} {'accepted':>9}")
    for path in paths:
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
        for step in content["steps"]:
            if step["item"]["type"] not in TEXT_ITEM_TYPES:
                continue
            for criterion in step.get("criteria") or []:
                exemplars = exemplars_of(criterion)
                name = f"{path.stem} / {step['id']}/{criterion['id']}"
                try:
                    trained = train_text_model(exemplars, n_levels=len(criterion["levels"]))
                except ValueError as error:
                    print(f"{name:<60} {len(exemplars):>4} not trainable: {error}")
                    continue
                print(
                    f"{name:<60} {trained.n_exemplars:>4} {trained.cv_qwk:>6.3f} "
                    f"{trained.cv_exact_agreement:>6.3f} {model_accepted(trained)!s:>9}"
                )
    print(
        f"(accepted = at least {DEFAULT_MIN_EXEMPLARS} exemplars and CV QWK >= {DEFAULT_QWK_BAR})\n"
    )


def _question_result(job: tuple[list, list]) -> tuple[list, list, float | None, bool, int]:
    """Train on one question's answers, predict its test answers from the artifact."""
    train, test = job
    labels = {level for _, level in train}
    if len(labels) < 2 or len(train) < 5:
        majority = max(labels or {1}, key=lambda level: sum(1 for _, x in train if x == level))
        return [level for _, level in test], [majority] * len(test), None, False, len(train)
    trained = train_text_model(train, seed=0, folds=5, n_levels=3)
    predicted = [trained.model.predict(text).level for text, _ in test]
    accepted = model_accepted(trained)
    return [level for _, level in test], predicted, trained.cv_qwk, accepted, len(train)


def _figures(truth: list[int], predicted: list[int]) -> str:
    return (
        f"macro-F1 {f1_score(truth, predicted, average='macro', labels=[0, 1, 2]):.3f}  "
        f"accuracy {accuracy_score(truth, predicted):.3f}  "
        f"QWK {quadratic_kappa(truth, predicted, 3):.3f}"
    )


def unseen_answers(archive, corpus: str, pool: ProcessPoolExecutor) -> None:
    train = read_questions(archive, f"training/3way/{corpus}/")
    test = read_questions(archive, f"test/3way/{corpus}/test-unseen-answers/")
    ids = [qid for qid in sorted(test) if qid in train]
    jobs = [(train[qid]["answers"], test[qid]["answers"]) for qid in ids]
    truth, predicted, cv_scores, accepted, fallback = [], [], [], 0, 0
    for result in pool.map(_question_result, jobs):
        truth += result[0]
        predicted += result[1]
        if result[2] is None:
            fallback += 1
        else:
            cv_scores.append(result[2])
            accepted += result[3]
    print(f"{corpus:<12} unseen answers : {len(ids)} questions, {len(truth)} test answers")
    print(f"    {_figures(truth, predicted)}")
    print(
        f"    per-question CV QWK mean {np.mean(cv_scores):.3f}; models passing the "
        f"{DEFAULT_QWK_BAR} bar with >= {DEFAULT_MIN_EXEMPLARS} answers: {accepted}/{len(ids)}; "
        f"majority-label fallback (one label in training): {fallback}"
    )


def _similarities(vectorizer, questions: dict[str, dict]) -> tuple[list[float], list[int]]:
    scores, labels = [], []
    for question in questions.values():
        if not question["answers"] or not question["references"]:
            continue
        references = vectorizer.transform(question["references"])
        answers = vectorizer.transform([text for text, _ in question["answers"]])
        best = (answers @ references.T).max(axis=1).toarray().ravel()
        scores += best.tolist()
        labels += [level for _, level in question["answers"]]
    return scores, labels


def _levels(scores, low: float, high: float) -> list[int]:
    return [0 if s < low else 1 if s < high else 2 for s in scores]


def unseen_questions(archive, corpus: str) -> None:
    train = read_questions(archive, f"training/3way/{corpus}/")
    test = read_questions(archive, f"test/3way/{corpus}/test-unseen-questions/")
    texts = [text for q in train.values() for text, _ in q["answers"]]
    word = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit(texts)
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True).fit(texts)

    class Both:
        @staticmethod
        def transform(items):
            from scipy import sparse

            return sparse.hstack([word.transform(items), char.transform(items)]).tocsr() / np.sqrt(
                2
            )

    train_scores, train_labels = _similarities(Both, train)
    grid = np.round(np.arange(0.05, 1.0, 0.025), 3)
    best = max(
        ((low, high) for low in grid for high in grid if high > low),
        key=lambda pair: quadratic_kappa(train_labels, _levels(train_scores, *pair), 3),
    )
    test_scores, test_labels = _similarities(Both, test)
    predicted = _levels(test_scores, *best)
    print(
        f"{corpus:<12} unseen questions: {len(test)} questions, {len(test_labels)} answers; "
        f"reference similarity, thresholds {best[0]:.3f}/{best[1]:.3f} from training questions"
    )
    print(f"    {_figures(test_labels, predicted)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("zip", nargs="?", type=Path, default=DEFAULT_ZIP)
    parser.add_argument("--jobs", type=int, default=2, help="processes for per-question models")
    args = parser.parse_args()
    started = time.monotonic()
    demo_report()
    if not args.zip.exists():
        print(f"SemEval zip not found at {args.zip}; skipping the SemEval figures")
        return
    print(f"== SemEval-2013 Task 7, 3-way ({args.zip}) ==")
    with zipfile.ZipFile(args.zip) as archive, ProcessPoolExecutor(args.jobs) as pool:
        for corpus in CORPORA:
            unseen_answers(archive, corpus, pool)
        for corpus in CORPORA:
            unseen_questions(archive, corpus)
    print(f"\n{time.monotonic() - started:.0f}s with {args.jobs} processes")


if __name__ == "__main__":
    main()
