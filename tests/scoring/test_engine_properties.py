"""Property tests: bounds, determinism and monotonicity of the engine on generated answers."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.engine import compile_assessment, score
from scoring.engine.breakdown import Canonical, canonical, encode_canonical, rounded
from tests.scoring.test_engine_fixtures import best_answers, make_content

CONTENT = make_content()
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

junk = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=50),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=10,
)
option_ids = st.sampled_from(["own", "proof", "forward", "ghost"])
check_ids = st.sampled_from(["amount", "invoice", "credit", "history"])
ratings = st.dictionaries(
    st.sampled_from(["specific", "vague", "blame"]),
    st.integers(min_value=1, max_value=5) | st.floats(allow_nan=True),
)
texts = st.text(max_size=400) | st.sampled_from(
    ["", "sorry refund within 5", "I am sorry, I have refunded it; expect it within 5 days."]
)

answers = st.fixed_dictionaries(
    {},
    optional={
        "intro": st.fixed_dictionaries({"option": option_ids}) | junk,
        "rate": st.fixed_dictionaries({"ratings": ratings}) | junk,
        "best-worst": st.fixed_dictionaries(
            {"best": st.sampled_from(["goodwill", "refuse", "promise"])},
            optional={"worst": st.sampled_from(["goodwill", "refuse", "promise"])},
        )
        | junk,
        "order": st.fixed_dictionaries(
            {"order": st.permutations(["refund", "reply", "bug", "retro"])}
        )
        | junk,
        "checks": st.fixed_dictionaries({"options": st.lists(check_ids, max_size=4)}) | junk,
        "amount": st.fixed_dictionaries(
            {"value": st.floats(allow_nan=True, allow_infinity=True) | st.integers()}
        )
        | junk,
        "recheck": st.fixed_dictionaries({"value": st.floats(-100, 100)}),
        "summary": st.fixed_dictionaries({"text": texts}) | junk,
        "reply": st.fixed_dictionaries({"text": texts}) | junk,
    },
)


@SETTINGS
@given(answers)
def test_points_stay_within_bounds_and_output_is_canonical(responses):
    breakdown = score(CONTENT, responses, {})
    for criterion in breakdown.criteria():
        assert 0.0 <= criterion.points <= criterion.max_points
        assert 0.0 <= criterion.confidence <= 1.0
        assert criterion.level.index >= 0
    for skill in breakdown.skills:
        assert 0.0 <= skill.score <= 100.0
    assert 0.0 <= breakdown.overall_score <= 100.0
    data = breakdown.canonical_json()
    assert json.loads(data) == breakdown.to_dict()


@SETTINGS
@given(answers)
def test_same_inputs_give_the_same_bytes_across_fresh_calls(responses):
    first = score(make_content(), json.loads(json.dumps(responses, default=str)), {})
    second = score(make_content(), json.loads(json.dumps(responses, default=str)), {})
    assert first.canonical_json() == second.canonical_json()
    assert first.sha256 == second.sha256


@SETTINGS
@given(st.lists(check_ids, max_size=2, unique=True), st.sampled_from(["amount", "invoice"]))
def test_adding_a_keyed_option_to_a_selection_never_lowers_the_score(picks, keyed):
    base = {**best_answers(), "checks": {"options": picks}}
    more = {**best_answers(), "checks": {"options": sorted({*picks, keyed})}}
    before, after = score(CONTENT, base, {}), score(CONTENT, more, {})
    assert after.criterion("checks/checks").points >= before.criterion("checks/checks").points
    assert after.overall_score >= before.overall_score


@SETTINGS
@given(option_ids.filter(lambda option: option != "proof"))
def test_choosing_the_best_option_never_lowers_the_score(option):
    # "proof" branches elsewhere; compare answers that share a path.
    chosen = score(CONTENT, {**best_answers(), "intro": {"option": option}}, {})
    best = score(CONTENT, {**best_answers(), "intro": {"option": "own"}}, {})
    assert best.criterion("intro/first-move").points >= chosen.criterion("intro/first-move").points
    assert best.overall_score >= chosen.overall_score


@SETTINGS
@given(st.permutations(["refund", "reply", "bug", "retro"]))
def test_key_order_scores_at_least_as_well_as_any_order(order):
    chosen = score(CONTENT, {**best_answers(), "order": {"order": order}}, {})
    assert chosen.criterion("order/ordering").points <= 2.0
    assert chosen.overall_score <= score(CONTENT, best_answers(), {}).overall_score


# --- the fast paths give exactly the bytes of the plain ones ---------------------------------

COMPILED = compile_assessment(CONTENT)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False).map(rounded)
    | st.floats(min_value=-1e-3, max_value=1e-3).map(rounded)  # repr with an exponent
    | st.text(max_size=30)  # lone surrogates included
    | st.sampled_from(["0.00001", "time-based", "1e-5", "é\u2028\x7f\x00", "\ud800 lone"]),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


def plain_json(data) -> bytes:
    """The definition of the canonical bytes (what encode_canonical must equal)."""
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8", "replace")


@SETTINGS
@given(json_values)
def test_the_fast_encoder_writes_the_bytes_of_json_dumps(value):
    data = canonical(value)
    assert encode_canonical(data) == plain_json(data)


@SETTINGS
@given(answers)
def test_a_compiled_assessment_scores_to_the_same_bytes_as_its_document(responses):
    from_document = score(make_content(), responses, {})
    from_compiled = score(COMPILED, responses, {})
    assert from_compiled.canonical_json() == from_document.canonical_json()
    assert from_compiled.canonical_json() == plain_json(from_document.to_dict())


@SETTINGS
@given(answers)
def test_evidence_marked_canonical_is_what_canonical_would_make_of_it(responses):
    for criterion in score(COMPILED, responses, {}).criteria():
        if isinstance(criterion.evidence, Canonical):
            walked = canonical(dict(criterion.evidence))
            assert plain_json(walked) == plain_json(criterion.evidence)


def test_the_cases_orjson_writes_differently_fall_back_to_json_dumps():
    assert encode_canonical({"a": 1.2e-05, "b": [1e-06]}) == b'{"a":1.2e-05,"b":[1e-06]}'
    assert encode_canonical({"big": 2**70}) == b'{"big":1180591620717411303424}'
    assert encode_canonical({"s": "\ud800"}) == b'{"s":"?"}'
    assert encode_canonical({"z": 1.5e16, "a": "x-y"}) == b'{"a":"x-y","z":1.5e+16}'


@pytest.mark.parametrize("evidence", [{"n": 2**70}, {"x": 2e-05}, {"s": "\ud800"}])
def test_a_step_orjson_writes_differently_still_gives_the_bytes_of_json_dumps(evidence):
    from dataclasses import replace

    scored = score(COMPILED, {"amount": {"value": 4.55}}, {})
    steps = [
        replace(step, criteria=tuple(replace(c, evidence=evidence) for c in step.criteria))
        if step.status == "answered"
        else step
        for step in scored.steps
    ]
    breakdown = replace(scored, steps=tuple(steps))
    assert breakdown.canonical_json() == plain_json(breakdown.to_dict())


def test_a_remembered_answer_is_not_changed_by_its_caller_afterwards():
    compiled = compile_assessment(make_content())
    order = ["reply", "refund", "bug", "retro"]
    first = score(compiled, {**best_answers(), "order": {"order": order}}, {})
    expected = first.canonical_json()
    order.reverse()  # the caller reuses its list
    again = score(
        compiled, {**best_answers(), "order": {"order": ["reply", "refund", "bug", "retro"]}}, {}
    )
    assert json.loads(again.canonical_json()) == json.loads(expected)
    assert first.criterion("order/ordering").evidence["order"][0] == "reply"
