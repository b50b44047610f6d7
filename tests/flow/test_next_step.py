"""Branching on the server: option next, then rules, then the step's default."""

from flow import next_step_id

STEP = {
    "id": "s",
    "item": {
        "type": "single_choice",
        "options": [{"id": "a", "text": "A", "next": "via-option"}, {"id": "b", "text": "B"}],
    },
    "rules": [{"when": {"option": "b"}, "next": "via-rule"}],
    "next": "default",
}


def test_option_next_wins_over_rules_and_default():
    assert next_step_id(STEP, {"option": "a"}) == "via-option"


def test_rule_applies_when_the_option_has_no_next():
    assert next_step_id(STEP, {"option": "b"}) == "via-rule"


def test_default_next_without_answer():
    assert next_step_id(STEP, None) == "default"


def test_multiple_choice_rule_matches_when_option_is_among_those_picked():
    step = {"item": {"type": "multiple_choice", "options": []}, "next": None}
    step["rules"] = [{"when": {"option": "x"}, "next": "picked-x"}]
    assert next_step_id(step, {"options": ["y", "x"]}) == "picked-x"
    assert next_step_id(step, {"options": ["y"]}) is None


def test_numeric_rules_compare_the_value():
    step = {
        "item": {"type": "numeric"},
        "rules": [{"when": {"op": "lt", "value": 10}, "next": "low"}],
        "next": "high",
    }
    assert next_step_id(step, {"value": 3}) == "low"
    assert next_step_id(step, {"value": 30}) == "high"
    assert next_step_id(step, {"value": "3"}) == "high"  # not a number: no rule matches
