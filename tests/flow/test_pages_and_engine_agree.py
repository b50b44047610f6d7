"""The path a candidate walks through the pages' services is exactly the path the engine scores.

Both follow ``flow.next_step_id``; these tests hold them to it with generated documents and
answers (every rule kind), the multiple-choice case that once drifted, and every score run of
simulated candidates over the demo library.
"""

import copy
import io
import json
import sys

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import flow
from assessments import services as assessment_services
from assessments.documents import successors
from assessments.models import Attempt
from scoring.management.simulation import simulate_candidates
from scoring.models import ScoreRun
from scoring.selectors import current_score_run
from scoring.services.compiled import compute_breakdown
from scoring.services.runs import attempt_responses
from tests.scoring.support import DEMO_SLUGS, demo_document, run_pending
from tests.support.factories import invitation_for

pytestmark = pytest.mark.django_db
# The module, not the function of the same name that scoring.engine exports.
engine_score = sys.modules["scoring.engine.score"]

_LEVELS = [
    {"points": 0, "label": "Not yet", "descriptor": "Misses it.", "feedback": "Look again."},
    {"points": 1, "label": "Strong", "descriptor": "Gets it.", "feedback": "Keep it up."},
]
OPTION_IDS = ("a", "b", "c", "d")
NUMERIC_OPS = ("lt", "le", "gt", "ge", "eq")
BOUNDS = (0, 5, 10)


def _options(count: int) -> list[dict]:
    return [
        {"id": option_id, "text": f"Option {option_id}", "points": 1, "rationale": "Because."}
        for option_id in OPTION_IDS[:count]
    ]


@st.composite
def _step(draw, index: int, count: int) -> dict:
    """Step ``s{index}`` of ``count``: a choice or numeric item whose branches all lead forward
    (so the graph is valid), with rules of its kind, option ``next`` and a default ``next``."""
    later = [f"s{i}" for i in range(index + 1, count)]
    kind = draw(st.sampled_from(["single_choice", "multiple_choice", "numeric"]))
    step = {
        "id": f"s{index}",
        "title": f"Step {index}",
        "context": "Context.",
        "prompt": "Answer.",
        "next": later[0] if later else None,
        "criteria": [{"id": "c", "skill": "judgement", "weight": 1, "levels": _LEVELS}],
    }
    if kind == "numeric":
        step["item"] = {
            "type": "numeric",
            "answer": 5,
            "tolerance": 1,
            "tolerance_kind": "absolute",
            "unit": "items",
        }
        conditions = st.fixed_dictionaries(
            {"op": st.sampled_from(NUMERIC_OPS), "value": st.sampled_from(BOUNDS)}
        )
    else:
        options = _options(draw(st.integers(2, 4)))
        step["item"] = {"type": kind, "options": options}
        if kind == "multiple_choice":
            step["item"].update(min_select=1, max_select=len(options))
        elif later:
            for option in options:
                target = draw(st.none() | st.sampled_from(later))
                if target:
                    option["next"] = target
        conditions = st.fixed_dictionaries(
            {"option": st.sampled_from([option["id"] for option in options])}
        )
    if later:
        rules = draw(st.lists(conditions, max_size=3))
        if rules:
            step["rules"] = [{"when": when, "next": draw(st.sampled_from(later))} for when in rules]
        if later[0] not in {target for _, target in successors(step)}:
            # Every option leads past the next step; one must reach it, or it is unreachable.
            step["item"]["options"][-1]["next"] = later[0]
    return step


@st.composite
def documents(draw) -> dict:
    count = draw(st.integers(2, 6))
    return {
        "format": "skillproof/assessment@1",
        "slug": "branching-property",
        "title": "Branching property",
        "role": "Tester",
        "description": "Generated.",
        "time_limit_minutes": 30,
        "skills": [{"id": "judgement", "name": "Judgement", "description": "Choosing."}],
        "pass_rules": {
            "overall_threshold": 50,
            "skill_thresholds": {"judgement": 50},
            "certifies": ["judgement"],
        },
        "start": "s0",
        "steps": [draw(_step(index, count)) for index in range(count)],
    }


def _answer(draw, step: dict) -> dict | None:
    """A random answer to the step, or None to leave it unanswered."""
    item = step["item"]
    if draw(st.integers(0, 9)) == 0:
        return None
    if item["type"] == "numeric":
        return {"value": draw(st.sampled_from([-1, 0, 4.5, 5, 9, 10, 11]))}
    option_ids = [option["id"] for option in item["options"]]
    if item["type"] == "single_choice":
        return {"option": draw(st.sampled_from(option_ids))}
    picked = draw(st.lists(st.sampled_from(option_ids), min_size=1, unique=True))
    return {"options": picked}


def _walk_through_services(version, answers_for) -> Attempt:
    """Take the attempt as the candidate pages do: answer, continue, until the path ends."""
    invitation, _ = invitation_for(version, email="walker@example.com")
    attempt = assessment_services.start_attempt(invitation)
    step_id = version.content["start"]
    while step_id is not None:
        answer = answers_for(step_id)
        if answer is not None:
            assessment_services.save_answer(attempt, step_id, answer)
        step_id = assessment_services.advance(attempt, step_id)
    assessment_services.submit_attempt(attempt)
    attempt.refresh_from_db()
    return attempt


def _on_path(breakdown_steps) -> list[str]:
    return [step["step_id"] for step in breakdown_steps if step["on_path"]]


def _scored_path(attempt: Attempt) -> list[str]:
    breakdown = compute_breakdown(attempt.version.content, attempt_responses(attempt))
    return _on_path(json.loads(breakdown.canonical_json())["steps"])


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(document=documents(), data=st.data())
def test_generated_documents_score_the_path_the_candidate_walked(document, data):
    version = assessment_services.publish_document(document)
    steps = {step["id"]: step for step in document["steps"]}
    attempt = _walk_through_services(version, lambda step_id: _answer(data.draw, steps[step_id]))
    # Document order is path order here (every branch leads forward).
    assert _scored_path(attempt) == attempt.path


def _support_escalation_with_an_option_rule() -> tuple[dict, str, str, str]:
    """support-escalation with one option rule on its multiple-choice step: the first
    multiple-choice step jumps over its usual next step when one option is among those picked."""
    document = copy.deepcopy(demo_document("support-escalation"))
    steps = document["steps"]
    index = next(i for i, step in enumerate(steps) if step["item"]["type"] == "multiple_choice")
    step = steps[index]
    usual = step["next"]
    jump_to = steps[[s["id"] for s in steps].index(usual) + 1]["id"]
    option = step["item"]["options"][0]["id"]
    step["rules"] = [{"when": {"option": option}, "next": jump_to}]
    return document, step["id"], option, usual


def test_a_multiple_choice_option_rule_is_scored_on_the_path_the_candidate_took():
    document, step_id, option, usual = _support_escalation_with_an_option_rule()
    version = assessment_services.publish_document(document)
    steps = {step["id"]: step for step in document["steps"]}

    def answers_for(here):
        if here == step_id:
            return {"options": [option]}
        item = steps[here]["item"]
        if item["type"] == "single_choice":
            return {"option": item["options"][0]["id"]}
        return None

    attempt = _walk_through_services(version, answers_for)
    assert usual not in attempt.path
    breakdown = json.loads(
        compute_breakdown(version.content, attempt_responses(attempt)).canonical_json()
    )
    status = {step["step_id"]: step["status"] for step in breakdown["steps"]}
    assert status[usual] == "off_path"
    assert status[step_id] == "answered"
    assert _on_path(breakdown["steps"]) == [s for s in steps if s in attempt.path]


@pytest.mark.parametrize("slug", [*DEMO_SLUGS, "support-escalation+option-rule"])
def test_every_score_run_marks_exactly_the_attempts_path_on_path(slug):
    if slug.endswith("+option-rule"):
        document = _support_escalation_with_an_option_rule()[0]
    else:
        document = demo_document(slug)
    version = assessment_services.publish_document(document)
    simulated = simulate_candidates(version, count=40, seed=12, score_inline=True)
    runs = ScoreRun.objects.filter(attempt__version=version).select_related("attempt")
    assert runs.count() == len(simulated)
    for run in runs:
        on_path = _on_path(json.loads(run.breakdown_json)["steps"])
        assert sorted(on_path) == sorted(run.attempt.path), run.attempt.public_id


def test_rescore_outdated_rescores_runs_of_the_previous_engine_onto_the_walked_path(
    monkeypatch,
):
    """A run stored by the engine that ignored multiple-choice option rules is outdated; after
    the upgrade `rescore --outdated` gives it a run on the path the candidate walked."""
    document, *_, usual = _support_escalation_with_an_option_rule()
    version = assessment_services.publish_document(document)
    simulate_candidates(version, count=30, seed=5, submit=False)
    walked = [a for a in Attempt.objects.filter(version=version) if usual not in a.path]
    assert walked, "some simulated candidate should pick the option that jumps"
    for attempt in Attempt.objects.filter(version=version):
        assessment_services.submit_attempt(attempt)
    with monkeypatch.context() as old_engine:
        old_engine.setattr(engine_score, "ENGINE_VERSION", "1.1.0")
        old_engine.setattr(
            flow, "rule_matches", lambda when, answer: answer.get("option") == when.get("option")
        )
        run_pending()
    assert set(ScoreRun.objects.values_list("engine_version", flat=True)) == {"1.1.0"}

    call_command("rescore", "--outdated", stdout=io.StringIO())
    run_pending()

    for attempt in walked:
        run = current_score_run(attempt)
        assert run.engine_version == engine_score.ENGINE_VERSION
        assert sorted(_on_path(json.loads(run.breakdown_json)["steps"])) == sorted(attempt.path)
    call_command("rescore", "--outdated", "--dry-run", stdout=(out := io.StringIO()))
    assert out.getvalue().startswith("0 attempt(s)")
