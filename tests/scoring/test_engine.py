"""The pure scoring engine: keyed items, paths, aggregation, overrides, canonical output."""

import ast
import json
import math
from pathlib import Path

import jsonschema
import pytest

from scoring.engine import ENGINE_VERSION, SKILL_BANDS, HumanOverride, candidate_path, score
from tests.scoring.test_engine_fixtures import best_answers, make_content

ENGINE_DIR = Path(__file__).resolve().parents[2] / "scoring" / "engine"


def _criterion(breakdown, key):
    return breakdown.criterion(key)


def _with(answers: dict, **changes) -> dict:
    result = dict(answers)
    for step_id, answer in changes.items():
        result[step_id.replace("_", "-")] = answer
    return result


# --- keyed items --------------------------------------------------------------------------


def test_best_answers_earn_every_point_and_pass():
    breakdown = score(make_content(), best_answers(), {})
    for criterion in breakdown.criteria():
        if criterion.method not in ("concept", "model"):
            assert criterion.points == criterion.max_points, criterion.key
    assert breakdown.skill("judgement").score == 100.0
    assert breakdown.skill("judgement").level.label == "Advanced"
    assert breakdown.passed


def test_single_choice_partial_credit_and_rationale_in_evidence():
    breakdown = score(make_content(), _with(best_answers(), intro={"option": "forward"}), {})
    criterion = _criterion(breakdown, "intro/first-move")
    assert (criterion.points, criterion.max_points, criterion.method) == (0.0, 2.0, "keyed")
    assert criterion.evidence["option"] == "forward"
    assert criterion.evidence["rationale"] == "Silence."
    assert criterion.level.label == "Not yet"


def test_multiple_choice_wrong_pick_costs_points():
    answers = _with(best_answers(), checks={"options": ["amount", "credit"]})
    criterion = _criterion(score(make_content(), answers, {}), "checks/checks")
    # (1 - 1) / 2.5 of the maximum
    assert criterion.points == 0.0
    answers = _with(best_answers(), checks={"options": ["amount", "invoice"]})
    criterion = _criterion(score(make_content(), answers, {}), "checks/checks")
    assert criterion.points == pytest.approx(2 * 2 / 2.5)
    assert criterion.level.index == 1  # 1.6 points: highest level whose points <= 1.6


def test_multiple_choice_over_max_select_is_invalid():
    answers = _with(best_answers(), checks={"options": ["amount", "invoice", "history", "credit"]})
    breakdown = score(make_content(), answers, {})
    criterion = _criterion(breakdown, "checks/checks")
    assert criterion.points == 0.0
    assert criterion.evidence["note"].startswith("invalid answer")


def test_sjt_rate_distance_normalised_by_scale_range():
    answers = _with(best_answers(), rate={"ratings": {"specific": 4, "vague": 3, "blame": 3}})
    criterion = _criterion(score(make_content(), answers, {}), "rate/ratings")
    # mean |d| = (1 + 0 + 2) / 3 = 1, over range 4 -> 0.25 distance
    assert criterion.evidence["mean_distance"] == pytest.approx(0.25)
    assert criterion.points == pytest.approx(1.5)


def test_sjt_rate_missing_option_counts_as_full_miss():
    answers = _with(best_answers(), rate={"ratings": {"specific": 5, "vague": 3}})
    criterion = _criterion(score(make_content(), answers, {}), "rate/ratings")
    assert criterion.points == pytest.approx(2 * (1 - 1 / 3), abs=1e-6)


def test_sjt_best_worst_half_credit_for_each_match():
    answers = _with(best_answers(), best_worst={"best": "goodwill", "worst": "promise"})
    criterion = _criterion(score(make_content(), answers, {}), "best-worst/picks")
    assert criterion.points == 0.5
    assert criterion.evidence["best"]["matched"] is True
    assert criterion.evidence["worst"]["matched"] is False


def test_ranking_partial_credit_is_spearman_rho_floored_at_zero():
    answers = _with(best_answers(), order={"order": ["reply", "refund", "bug", "retro"]})
    criterion = _criterion(score(make_content(), answers, {}), "order/ordering")
    assert criterion.evidence["spearman_rho"] == pytest.approx(0.8)
    assert criterion.points == pytest.approx(1.6)
    answers = _with(best_answers(), order={"order": ["retro", "bug", "reply", "refund"]})
    criterion = _criterion(score(make_content(), answers, {}), "order/ordering")
    assert criterion.evidence["spearman_rho"] == pytest.approx(-1.0)
    assert criterion.points == 0.0


@pytest.mark.parametrize(
    ("value", "hit", "points"),
    [(4.55, "exact", 1.0), (4.56, "exact", 1.0), (4.9, "partial", 0.5), (5.2, "miss", 0.0)],
)
def test_numeric_tolerance_bands(value, hit, points):
    criterion = _criterion(
        score(make_content(), _with(best_answers(), amount={"value": value}), {}), "amount/credit"
    )
    assert criterion.evidence["hit"] == hit
    assert criterion.points == points
    assert criterion.evidence["difference"] == pytest.approx(value - 4.55)


@pytest.mark.parametrize(
    ("step_id", "answer"),
    [
        ("intro", {"option": "nope"}),
        ("intro", {"option": 3}),
        ("intro", ["own"]),
        ("intro", "own"),
        ("rate", {"ratings": {"specific": "5"}}),
        ("rate", {"ratings": {"specific": float("nan")}}),
        ("rate", {"ratings": {"specific": 9}}),
        ("rate", {"ratings": {"ghost": 3}}),
        ("best-worst", {"best": "goodwill", "worst": "goodwill"}),
        ("best-worst", {"best": "ghost"}),
        ("order", {"order": ["refund", "reply"]}),
        ("order", {"order": ["refund", "refund", "bug", "retro"]}),
        ("checks", {"options": "amount"}),
        ("checks", {"options": ["ghost"]}),
        ("checks", {"options": [1, 2]}),
        ("amount", {"value": "4.55"}),
        ("amount", {"value": float("nan")}),
        ("amount", {"value": float("inf")}),
        ("amount", {"value": True}),
        ("amount", {}),
        ("summary", {"text": 42}),
        ("summary", {"txt": "duplicate refunded"}),
        ("reply", None),
    ],
)
def test_malformed_answers_score_zero_with_invalid_evidence(step_id, answer):
    answers = {**best_answers(), step_id: answer}
    if answer is None:
        answers[step_id] = [None]
    breakdown = score(make_content(), answers, {})
    step = next(step for step in breakdown.steps if step.step_id == step_id)
    assert step.status == "invalid"
    for criterion in step.criteria:
        assert criterion.points == 0.0
        assert "invalid answer" in criterion.evidence["note"]
    json.loads(breakdown.canonical_json())


# --- path, unanswered, aggregation ---------------------------------------------------------


def test_unanswered_steps_on_the_path_score_zero_with_evidence():
    answers = best_answers()
    del answers["order"], answers["reply"]
    breakdown = score(make_content(), answers, {})
    for key in ("order/ordering", "reply/quality"):
        criterion = _criterion(breakdown, key)
        assert criterion.points == 0.0
        assert criterion.evidence == {"status": "unanswered", "note": "not answered: scored 0"}
        assert not criterion.needs_review
    assert breakdown.skill("judgement").score < 100


def test_branch_not_taken_neither_costs_nor_earns():
    answers = _with(best_answers(), intro={"option": "proof"})
    answers["rate"] = {"ratings": {"specific": 1, "vague": 1, "blame": 5}}  # off path: ignored
    breakdown = score(make_content(), answers, {})
    steps = {step.step_id: step for step in breakdown.steps}
    assert candidate_path(make_content(), answers)[:2] == ["intro", "order"]
    assert steps["rate"].status == "off_path" and steps["rate"].criteria == ()
    assert steps["best-worst"].status == "off_path"
    assert steps["recheck"].status == "off_path"
    judgement = breakdown.skill("judgement")
    assert set(judgement.criteria) == {"intro/first-move", "order/ordering", "checks/checks"}
    # (1.5 * 0.5 + 1 + 1) / 3.5
    assert judgement.score == pytest.approx(100 * 2.75 / 3.5, abs=1e-5)


def test_numeric_rule_branch_adds_recheck_step():
    answers = _with(best_answers(), amount={"value": 45.5})
    answers["recheck"] = {"value": 50.3}
    breakdown = score(make_content(), answers, {})
    recheck = _criterion(breakdown, "recheck/total")
    assert recheck.evidence["hit"] == "exact"  # within 1% of 50.05
    assert breakdown.skill("numeracy").score == pytest.approx(100 * 0.5 / 1.5, abs=1e-5)


def test_skill_and_overall_scores_are_weighted_means():
    answers = _with(best_answers(), intro={"option": "forward"})
    breakdown = score(make_content(), answers, {})
    judgement = breakdown.skill("judgement")
    assert judgement.score == pytest.approx(100 * 3 / 4.5, abs=1e-5)
    criteria = [c for c in breakdown.criteria() if c.max_points > 0]
    expected = 100 * sum(c.weight * c.points / c.max_points for c in criteria)
    assert breakdown.overall_score == pytest.approx(expected / sum(c.weight for c in criteria))


def test_skill_threshold_failure_fails_the_attempt():
    answers = _with(
        best_answers(),
        intro={"option": "forward"},
        best_worst={"best": "refuse", "worst": "goodwill"},
        order={"order": ["retro", "bug", "reply", "refund"]},
    )
    breakdown = score(make_content(), answers, {})
    judgement = breakdown.skill("judgement")
    assert judgement.score < 50 and not judgement.passed
    assert not breakdown.passed


def test_skill_bands_are_defined_once_and_applied():
    assert [label for _, label in SKILL_BANDS] == [
        "Emerging",
        "Developing",
        "Proficient",
        "Advanced",
    ]
    breakdown = score(make_content(), {}, {})
    assert all(skill.level.label == "Emerging" for skill in breakdown.skills)
    assert not breakdown.passed


def test_empty_responses_and_garbage_responses_do_not_raise():
    for responses in ({}, None, [], "garbage", {"ghost": {"option": "x"}}):
        breakdown = score(make_content(), responses, {})
        assert breakdown.overall_score == 0.0


# --- overrides ---------------------------------------------------------------------------


def test_human_override_replaces_level_and_keeps_machine_result():
    answers = _with(best_answers(), reply={"text": "We have received your email."})
    override = HumanOverride(level=2, reviewer="rev-7", reason="Apology implied in context")
    breakdown = score(make_content(), answers, {}, overrides={"reply/quality": override})
    criterion = _criterion(breakdown, "reply/quality")
    assert (criterion.method, criterion.confidence, criterion.points) == ("human", 1.0, 2.0)
    assert criterion.evidence["reason"] == "Apology implied in context"
    assert criterion.evidence["reviewer"] == "rev-7"
    assert criterion.evidence["machine"]["method"] == "concept"
    assert not criterion.needs_review
    assert "reply/quality" not in breakdown.overall.review_items


def test_invalid_or_unknown_overrides_are_listed_as_ignored():
    overrides = {
        "reply/quality": HumanOverride(level=9, reviewer="r", reason="typo"),
        "ghost/criterion": HumanOverride(level=0, reviewer="r", reason="x"),
        "rate/ratings": HumanOverride(level=1, reviewer="r", reason="off path"),
    }
    answers = _with(best_answers(), intro={"option": "proof"})
    breakdown = score(make_content(), answers, {}, overrides=overrides)
    assert breakdown.overrides_ignored == ("ghost/criterion", "rate/ratings", "reply/quality")
    assert _criterion(breakdown, "reply/quality").method == "concept"


# --- canonical output ----------------------------------------------------------------------


def test_canonical_json_is_sorted_compact_and_hashed():
    breakdown = score(make_content(), best_answers(), {})
    data = breakdown.canonical_json()
    document = json.loads(data)
    again = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert again.encode("utf-8") == data
    assert document["engine_version"] == ENGINE_VERSION
    import hashlib

    assert breakdown.sha256 == hashlib.sha256(data).hexdigest()


def test_floats_are_rounded_to_six_decimals():
    answers = _with(best_answers(), rate={"ratings": {"specific": 4, "vague": 3, "blame": 2}})
    document = score(make_content(), answers, {}).to_dict()

    def floats(value):
        if isinstance(value, float):
            yield value
        elif isinstance(value, dict):
            for item in value.values():
                yield from floats(item)
        elif isinstance(value, list):
            for item in value:
                yield from floats(item)

    for value in floats(document):
        assert math.isfinite(value)
        assert round(value, 6) == value


def test_breakdown_matches_its_json_schema():
    schema = json.loads((ENGINE_DIR / "breakdown.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    answers_variants = [
        best_answers(),
        {},
        _with(best_answers(), intro={"option": "proof"}, amount={"value": "x"}),
    ]
    for answers in answers_variants:
        breakdown = score(
            make_content(),
            answers,
            {},
            overrides={"intro/first-move": HumanOverride(1, "r", "because")},
        )
        jsonschema.validate(breakdown.to_dict(), schema)


def test_score_does_not_modify_its_inputs():
    content, answers = make_content(), best_answers()
    before = json.dumps([content, answers], sort_keys=True)
    score(content, answers, {})
    assert json.dumps([content, answers], sort_keys=True) == before


# --- purity --------------------------------------------------------------------------------


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "__import__":
            names |= {arg.value for arg in node.args if isinstance(arg, ast.Constant)}
    return names


def test_engine_imports_no_django_database_clock_or_network():
    modules = sorted(ENGINE_DIR.rglob("*.py"))
    assert len(modules) >= 5
    forbidden = ("django", "rest_framework", "celery", "datetime", "time", "random")
    forbidden += ("socket", "urllib", "http", "requests", "pickle", "joblib", "assessments")
    for module in modules:
        for name in _imported_modules(module):
            root = name.split(".")[0]
            assert root not in forbidden, f"{module.name} imports {name}"
            if root == "scoring":
                assert name.startswith("scoring.engine"), f"{module.name} imports {name}"


def test_same_bytes_in_fresh_processes_with_different_hash_seeds():
    import os
    import subprocess
    import sys

    program = (
        "from scoring.engine import score\n"
        "from tests.scoring.test_engine_fixtures import best_answers, make_content\n"
        "answers = best_answers()\n"
        "answers['checks'] = {'options': ['invoice', 'amount', 'amount']}\n"
        "print(score(make_content(), answers, {}).sha256)\n"
    )
    root = Path(__file__).resolve().parents[2]
    digests = set()
    for seed in ("0", "1", "12345"):
        environment = {**os.environ, "PYTHONHASHSEED": seed}
        result = subprocess.run(
            [sys.executable, "-c", program],
            cwd=root,
            env=environment,
            capture_output=True,
            text=True,
            check=True,
        )
        digests.add(result.stdout.strip())
    answers = best_answers()
    answers["checks"] = {"options": ["invoice", "amount", "amount"]}
    assert digests == {score(make_content(), answers, {}).sha256}
