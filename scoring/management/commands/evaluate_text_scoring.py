"""Evaluate text scoring on labelled CSV answers, exactly as production trains and decides."""

import json

from django.core.management.base import BaseCommand, CommandError

from scoring import evaluation
from scoring.services.config import auto_target_qwk, min_exemplars

FIGURES = ("n_train", "n_test", "qwk", "model_used", "coverage", "qwk_auto", "exact_auto")


class Command(BaseCommand):
    help = (
        "Train what production would train for one free-text criterion on TRAIN.csv (or a "
        "stratified sample of it), decide as production would (model used or not; per answer, "
        "scored or sent to review) and score TEST.csv. Labels are level indices 0..K-1. "
        "--simulate-review gives the test figures after each batch of reviewed answers. "
        "--json writes the figures as one JSON object on the last line."
    )

    def add_arguments(self, parser):
        parser.add_argument("--train", required=True, help="CSV of labelled training answers")
        parser.add_argument("--test", required=True, help="CSV of labelled test answers")
        parser.add_argument("--text-column", default="text")
        parser.add_argument("--label-column", default="label")
        parser.add_argument("--levels", type=int, help="number of levels (default: max label + 1)")
        parser.add_argument("--exemplars", type=int, help="train on a stratified sample of N rows")
        parser.add_argument("--seed", type=int, default=0, help="sample, folds and review order")
        parser.add_argument(
            "--simulate-review",
            action="store_true",
            help="start from --exemplars rows; review the rest in batches as production routes it",
        )
        parser.add_argument("--batch", type=int, default=20, help="reviews per retraining")
        parser.add_argument("--reviews", type=int, default=200, help="stop after this many")
        parser.add_argument("--json", action="store_true", help="JSON figures on the last line")

    def handle(self, *args, **options):
        try:
            setup, train_rows, test_rows = self._inputs(options)
            if options["simulate_review"]:
                figures = self._simulate(setup, train_rows, test_rows, options)
            else:
                if options["exemplars"]:
                    train_rows = evaluation.stratified_sample(
                        train_rows, options["exemplars"], options["seed"]
                    )
                figures = evaluation.evaluate(train_rows, test_rows, setup)
                self._print(figures)
        except evaluation.EvaluationError as error:
            raise CommandError(str(error)) from error
        if options["json"]:
            self.stdout.write(json.dumps(figures, sort_keys=True))

    def _inputs(self, options):
        columns = (options["text_column"], options["label_column"])
        raw_train = evaluation.read_labelled_csv(options["train"], *columns)
        raw_test = evaluation.read_labelled_csv(options["test"], *columns)
        n_levels = options["levels"] or evaluation.infer_levels(raw_train, raw_test)
        if n_levels < 2:
            raise evaluation.EvaluationError("need at least 2 levels (labels 0 and 1 at least)")
        for name in ("exemplars", "batch", "reviews"):
            if options[name] is not None and options[name] < 1:
                raise evaluation.EvaluationError(f"--{name} must be at least 1")
        if options["simulate_review"] and not options["exemplars"]:
            raise evaluation.EvaluationError("--simulate-review needs --exemplars N to start from")
        setup = evaluation.Setup(
            n_levels=n_levels,
            target_qwk=auto_target_qwk(),
            min_exemplars=min_exemplars(),
            seed=options["seed"],
        )
        train_rows = evaluation.parse_labels(raw_train, n_levels, options["train"])
        test_rows = evaluation.parse_labels(raw_test, n_levels, options["test"])
        return setup, train_rows, test_rows

    def _simulate(self, setup, train_rows, test_rows, options):
        self.stdout.write(
            f"{'reviews':>7} {'n_train':>7} {'replaced':>8} {'qwk':>6} "
            f"{'coverage':>8} {'qwk_auto':>8} {'exact_auto':>10}"
        )

        def report(step):
            self.stdout.write(
                f"{step['reviews']:>7} {step['n_train']:>7} {step['replaced']!s:>8} "
                f"{_number(step['qwk']):>6} {_number(step['coverage']):>8} "
                f"{_number(step['qwk_auto']):>8} {_number(step['exact_auto']):>10}"
            )

        return evaluation.simulate_review(
            train_rows,
            test_rows,
            setup,
            start=options["exemplars"],
            batch=options["batch"],
            max_reviews=options["reviews"],
            report=report,
        )

    def _print(self, figures):
        for name in (*FIGURES, "seconds_train"):
            self.stdout.write(f"{name:<13} {_number(figures[name])}")


def _number(value) -> str:
    if value is None:
        return "-"
    return f"{value:.3f}" if isinstance(value, float) else str(value)
