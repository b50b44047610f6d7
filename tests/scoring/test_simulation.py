"""simulate_candidates: real services, real branching, every level, held-back text, a seed."""

import json
from collections import defaultdict

import pytest
from django.core.management import CommandError, call_command

from assessments.models import Attempt
from flow import next_step_id, steps_by_id
from scoring.management.simulation import simulate_candidates
from scoring.models import ScoreRun, ScoringJob
from scoring.services.training import split_exemplars, text_criteria
from tests.scoring.support import DEMO_SLUGS, publish_demo

pytestmark = pytest.mark.django_db


def _answers(attempt) -> dict:
    return {r.step_id: r.answer for r in attempt.responses.all()}


@pytest.mark.parametrize("slug", DEMO_SLUGS)
def test_simulated_candidates_walk_the_branching_and_submit_through_the_services(slug):
    version = publish_demo(slug)
    simulated = simulate_candidates(version, count=12, seed=3)
    steps = steps_by_id(version.content)
    paths = set()
    for candidate in simulated:
        attempt = Attempt.objects.get(pk=candidate.attempt.pk)
        assert attempt.state == Attempt.State.SUBMITTED
        answers = _answers(attempt)
        # The stored path is exactly what the flow gives for these answers.
        expected = [version.content["start"]]
        while True:
            following = next_step_id(steps[expected[-1]], answers.get(expected[-1]))
            if following is None:
                break
            expected.append(following)
        assert attempt.path == expected
        paths.add(tuple(attempt.path))
        assert ScoringJob.objects.filter(attempt=attempt, reason="submitted").count() == 1
    assert len(paths) > 1, "a batch should take more than one branch"


def test_same_seed_gives_the_same_answers_and_another_seed_does_not():
    version = publish_demo("support-escalation")

    def batch(seed):
        return [_answers(c.attempt) for c in simulate_candidates(version, count=6, seed=seed)]

    assert batch(7) == batch(7)
    assert batch(7) != batch(8)


def test_free_text_comes_from_held_back_exemplars_only():
    version = publish_demo("incident-triage")
    held_back = defaultdict(set)
    trained = defaultdict(set)
    for key, step, criterion in text_criteria(version.content):
        training, kept = split_exemplars(criterion)
        held_back[step["id"]] |= {text for text, _ in kept}
        trained[step["id"]] |= {text for text, _ in training}
        assert kept and not {t for t, _ in kept} & {t for t, _ in training}, key
    for candidate in simulate_candidates(version, count=15, seed=1):
        for step_id, answer in _answers(candidate.attempt).items():
            if step_id in held_back and answer.get("text"):
                assert answer["text"] in held_back[step_id]
                assert answer["text"] not in trained[step_id]


def test_answers_span_every_level_of_every_criterion():
    version = publish_demo("support-escalation")
    simulate_candidates(version, count=40, seed=2, score_inline=True)
    reached = defaultdict(set)
    for run in ScoreRun.objects.all():
        for step in json.loads(run.breakdown_json)["steps"]:
            for criterion in step["criteria"]:
                key = f"{criterion['step_id']}/{criterion['criterion_id']}"
                reached[key].add(criterion["level"]["index"])
    levels = {
        f"{step['id']}/{criterion['id']}": len(criterion["levels"])
        for step in version.content["steps"]
        for criterion in step.get("criteria") or []
    }
    for key, count in levels.items():
        if key in reached:  # branch steps are reached by some candidates only
            assert len(reached[key]) >= min(count, 2), (key, reached[key])
    overall = sorted(run.overall_score for run in ScoreRun.objects.all())
    assert overall[0] < 40 and overall[-1] > 75
    assert {run.passed for run in ScoreRun.objects.all()} == {True, False}


def test_the_command_creates_and_scores_and_refuses_an_unknown_assessment(capsys):
    publish_demo("data-analysis")
    call_command("simulate_candidates", assessment="data-analysis", count=3, seed=1, score_now=True)
    assert ScoreRun.objects.count() == 3
    assert "3 simulated candidates" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("simulate_candidates", assessment="no-such-thing", count=1)
