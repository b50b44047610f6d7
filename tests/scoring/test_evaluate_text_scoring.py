"""manage.py evaluate_text_scoring: production's training and decisions on labelled CSV files."""

import csv
import io
import json
import re
from itertools import pairwise

import pytest
from django.core.management import CommandError, call_command

from tests.scoring.labelled_answers import answers

KEYS = {
    "n_train",
    "n_test",
    "qwk",
    "model_used",
    "coverage",
    "qwk_auto",
    "exact_auto",
    "seconds_train",
}


def write_csv(path, rows, header=("text", "label")):
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def run(*args):
    out = io.StringIO()
    call_command("evaluate_text_scoring", *args, "--json", stdout=out)
    lines = out.getvalue().splitlines()
    return json.loads(lines[-1]), lines[:-1]


@pytest.fixture
def training(tmp_path):
    return write_csv(tmp_path / "train.csv", answers(60, seed=1))


def test_figures_match_a_hand_computation(tmp_path, training):
    # Two training answers of each level, which the model reads back as their level; the test
    # file labels one level-2 answer as 3. By hand, with quadratic weights (i - j)^2:
    #   observed disagreement: one answer one level off = 1
    #   chance disagreement: label counts (2, 2, 1, 3), predicted counts (2, 2, 2, 2):
    #     sum_i,j label_i * predicted_j * (i - j)^2 / 8 = (2*28 + 2*12 + 1*12 + 3*28) / 8 = 22
    #   QWK = 1 - 1/22 = 0.9545; exact agreement 7/8.
    rows = answers(60, seed=1)
    picked = [
        next(text for text, level in rows[i:] if level == k) for i in (0, 30) for k in range(4)
    ]
    labels = [0, 1, 2, 3, 0, 1, 3, 3]
    test = write_csv(tmp_path / "test.csv", list(zip(picked, labels, strict=True)))
    figures, printed = run("--train", str(training), "--test", str(test), "--levels", "4")
    assert set(figures) == KEYS
    assert figures["n_train"] == 60 and figures["n_test"] == 8
    assert figures["qwk"] == round(1 - 1 / 22, 4) == 0.9545
    assert figures["model_used"] is True
    assert figures["coverage"] == 1.0
    assert figures["qwk_auto"] == 0.9545 and figures["exact_auto"] == 0.875
    assert figures["seconds_train"] > 0
    assert printed[0].split() == ["n_train", "60"]


def test_too_few_exemplars_means_no_model_and_everything_to_review(tmp_path):
    train = write_csv(tmp_path / "train.csv", answers(20, seed=1))
    test = write_csv(tmp_path / "test.csv", answers(12, seed=2))
    figures, _ = run("--train", str(train), "--test", str(test))
    assert figures["n_train"] == 20 and figures["n_test"] == 12
    assert figures["model_used"] is False and figures["coverage"] == 0.0
    assert figures["qwk_auto"] is None and figures["exact_auto"] is None


def test_exemplars_are_a_stratified_sample_of_the_training_rows(tmp_path, training):
    test = write_csv(tmp_path / "test.csv", answers(12, seed=2))
    figures, _ = run("--train", str(training), "--test", str(test), "--exemplars", "40")
    assert figures["n_train"] == 40
    from scoring.evaluation import stratified_sample

    sample = stratified_sample(answers(60, seed=1), 40, seed=0)
    assert sorted(level for _, level in sample) == sorted([0, 1, 2, 3] * 10)
    assert stratified_sample(answers(60, seed=1), 40, seed=0) == sample
    assert stratified_sample(answers(60, seed=1), 40, seed=5) != sample


def test_columns_are_chosen_by_name(tmp_path):
    rows = [(level, f"id-{i}", text) for i, (text, level) in enumerate(answers(40, seed=1))]
    train = write_csv(tmp_path / "train.csv", rows, header=("grade", "id", "answer"))
    args = ["--text-column", "answer", "--label-column", "grade"]
    figures, _ = run("--train", str(train), "--test", str(train), *args)
    assert figures["n_train"] == figures["n_test"] == 40


def test_simulated_review_prints_the_learning_curve(tmp_path):
    pool = write_csv(tmp_path / "pool.csv", answers(100, seed=1, noise=0.1))
    test = write_csv(tmp_path / "test.csv", answers(60, seed=2, noise=0.1))
    figures, printed = run(
        "--train", str(pool), "--test", str(test), "--simulate-review",
        "--exemplars", "40", "--batch", "20", "--reviews", "40",
    )  # fmt: skip
    assert printed[0].split()[:3] == ["reviews", "n_train", "replaced"]
    steps = [[int(step[0]), int(step[1]), step[2], step[4]] for step in map(str.split, printed[1:])]
    # The 40 starting exemplars train the first model (it is accepted: the labels are clear).
    assert steps[0][:3] == [0, 40, "True"] and steps[1][:2] == [20, 60]
    reviews = [step[0] for step in steps]
    assert all(0 < later - earlier <= 20 for earlier, later in pairwise(reviews))
    assert all(n_train == 40 + done for done, n_train, *_ in steps) and reviews[-1] <= 40
    assert set(figures) >= KEYS and figures["reviews"] == reviews[-1]
    assert figures["model_used"] and figures["coverage"] > 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "no column text or label; columns: none (the file is empty)"),
        ("text,label\n", "no rows after the header"),
        ("answer,label\nhello,1\n", "no column text; columns: answer, label"),
        ("text,label\nhello,1\nbye,x\n", "row 3: label 'x' is not a level index 0..3"),
        ("text,label\nhello,1\nbye,7\n", "row 3: label '7' is not a level index 0..3"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(tmp_path, training, content, message):
    bad = tmp_path / "bad.csv"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=re.escape(message)):
        run("--train", str(training), "--test", str(bad), "--levels", "4")


def test_a_missing_file_and_a_bad_option_are_named(tmp_path, training):
    with pytest.raises(CommandError, match=r"nope\.csv: no such file"):
        run("--train", str(training), "--test", str(tmp_path / "nope.csv"))
    with pytest.raises(CommandError, match="--simulate-review needs --exemplars"):
        run("--train", str(training), "--test", str(training), "--simulate-review")
