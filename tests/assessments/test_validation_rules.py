"""Every validation rule of the assessment document, with the message it gives."""

import copy

import pytest

from assessments.documents import document_problems, validate_document
from assessments.exceptions import InvalidDocument
from tests.support.documents import small_document


def branching_document() -> dict:
    """Start → (option a: left | option b: right) → join → end, each path scoring both skills."""
    document = small_document()
    first = document["steps"][0]
    first["item"]["options"][0]["next"] = "left"
    first["item"]["options"][1]["next"] = "right"
    first["next"] = "left"
    reply = document["steps"][1]
    narrative = {
        "title": "Branch",
        "context": "",
        "prompt": "Read this.",
        "item": {"type": "short_text", "max_length": 100},
        "criteria": [],
    }
    document["steps"] = [
        first,
        {**copy.deepcopy(narrative), "id": "left", "next": "reply"},
        {**copy.deepcopy(narrative), "id": "right", "next": "reply"},
        reply,
    ]
    return document


def messages(document) -> list[str]:
    return [str(problem) for problem in document_problems(document)]


def test_a_sound_document_has_no_problems():
    assert messages(small_document()) == []
    assert messages(branching_document()) == []


def test_schema_problems_name_the_path_and_the_step():
    document = small_document()
    del document["steps"][1]["item"]["max_length"]
    assert messages(document) == [
        "steps[1].item: 'max_length' is a required property (step 'reply')"
    ]


def test_unreachable_step():
    document = branching_document()
    document["steps"][0]["item"]["options"][1]["next"] = "left"
    assert messages(document) == [
        "steps[2]: step 'right' cannot be reached from the start step 'first-move'"
    ]


def test_cycle():
    document = branching_document()
    document["steps"][2]["next"] = "first-move"  # right → first-move, but left still ends
    assert messages(document) == [
        "steps[2].next: step 'right' closes a cycle: first-move → right → first-move"
    ]


def test_a_path_that_never_ends():
    document = branching_document()
    document["steps"][1]["next"] = "right"
    document["steps"][2]["next"] = "left"
    problems = messages(document)
    assert "steps[1]: no path from step 'left' ever ends: every way on loops back" in problems
    assert "steps[2]: no path from step 'right' ever ends: every way on loops back" in problems
    assert any("closes a cycle" in problem for problem in problems)


def test_a_path_that_skips_a_skill_the_pass_rules_need():
    document = branching_document()
    document["steps"][2]["next"] = None  # right ends before the reply that scores writing
    assert messages(document) == [
        "steps[2]: the path first-move → right ends at step 'right' without scoring skill "
        "'writing', which the pass rules need"
    ]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["steps"][0].update(next="nowhere"),
            "steps[0].next: step 'first-move' points to no step 'nowhere'",
        ),
        (
            lambda d: d["steps"][0]["item"]["options"][1].update(next="escalate-2"),
            "steps[0].item.options[1].next: step 'first-move' option 'refund' points to no "
            "step 'escalate-2'",
        ),
        (
            lambda d: d["steps"][0].update(rules=[{"when": {"option": "check"}, "next": "gone"}]),
            "steps[0].rules[0].next: step 'first-move' rule 1 points to no step 'gone'",
        ),
        (
            lambda d: d["steps"][0].update(rules=[{"when": {"option": "maybe"}, "next": "reply"}]),
            "steps[0].rules[0].when.option: step 'first-move' has no option 'maybe'",
        ),
        (lambda d: d.update(start="opening"), "start: the start points to no step 'opening'"),
    ],
    ids=["step-next", "option-next", "rule-next", "rule-option", "start"],
)
def test_dangling_targets(change, expected):
    document = small_document()
    change(document)
    assert expected in messages(document)


def test_unknown_skill_ids():
    document = small_document()
    document["steps"][1]["criteria"][0]["skill"] = "empathy"
    document["pass_rules"]["certifies"].append("leadership")
    document["pass_rules"]["skill_thresholds"]["tact"] = 10
    assert messages(document) == [
        "pass_rules.certifies[2]: unknown skill 'leadership'",
        "pass_rules.skill_thresholds.tact: unknown skill 'tact'",
        "steps[1].criteria[0].skill: step 'reply' criterion 'reply-quality' scores unknown "
        "skill 'empathy'",
    ]


def test_duplicate_ids():
    document = small_document()
    document["steps"][1]["id"] = "first-move"
    document["steps"][0]["item"]["options"][2]["id"] = "check"
    problems = messages(document)
    assert "steps[1].id: step id 'first-move' is used twice" in problems
    assert (
        "steps[0].item.options[2].id: option id 'check' is used twice in step 'first-move'"
        in problems
    )


def test_item_keys_and_rubric_rules():
    document = small_document()
    document["steps"][0]["criteria"][0]["levels"][2]["points"] = 1
    document["steps"][1]["criteria"][0]["concepts"][0]["phrasings"].append("(unclosed")
    problems = messages(document)
    assert (
        "steps[0].criteria[0].levels[2].points: step 'first-move' criterion 'choice': level "
        "points must go up (1 then 1)" in problems
    )
    assert any(
        p.startswith("steps[1].criteria[0].concepts[0].phrasings[2]: step 'reply'")
        and "not a valid regular expression" in p
        for p in problems
    )


def test_numeric_rules_only_on_numeric_items():
    document = small_document()
    document["steps"][0]["rules"] = [{"when": {"op": "lt", "value": 3}, "next": "reply"}]
    assert "steps[0].rules[0].when: 'option' is a required property (step 'first-move')" in (
        messages(document)
    )


def test_validate_document_raises_with_every_problem():
    document = small_document(start="nowhere")
    with pytest.raises(InvalidDocument) as caught:
        validate_document(document)
    assert caught.value.errors == ["start: the start points to no step 'nowhere'"]
    assert caught.value.problems[0].path == ("start",)
