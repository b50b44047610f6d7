"""Synthetic demographics for demonstrations: realistic shares, declines, and a disparity."""

import random
from collections import Counter, defaultdict

import pytest
from django.core.management import CommandError, call_command

from compliance.models import Demographics
from compliance.services import compute_bias_report
from compliance.simulation import assign_demographics, draw_profile, parse_target
from scoring.models import ScoreRun
from tests.compliance.helpers import bulk_scored_attempts
from tests.scoring.support import publish_demo


def test_profiles_are_deterministic_for_a_seed():
    first = [draw_profile(random.Random(7)) for _ in range(3)]
    again = [draw_profile(random.Random(7)) for _ in range(3)]
    assert first == again


def test_shares_are_realistic_and_some_decline():
    rng = random.Random(1)
    profiles = [draw_profile(rng) for _ in range(20_000)]
    declined = sum(p.declined for p in profiles) / len(profiles)
    assert 0.04 < declined < 0.08
    sexes = Counter(p.sex for p in profiles if p.sex)
    assert 0.44 < sexes["female"] / sum(sexes.values()) < 0.50
    races = Counter(p.race_ethnicity for p in profiles if p.race_ethnicity)
    assert 0.55 < races["white"] / sum(races.values()) < 0.65
    assert len(races) == 7


def test_the_disadvantaged_group_answers_worse():
    rng = random.Random(3)
    profiles = [draw_profile(rng, disparity=0.3, target=("sex", "female")) for _ in range(500)]
    assert {p.quality for p in profiles if p.disadvantaged} == {0.7}
    assert {p.quality for p in profiles if not p.disadvantaged} == {1.0}


def test_a_group_must_be_known():
    assert parse_target("race_ethnicity=asian") == ("race_ethnicity", "asian")
    with pytest.raises(ValueError):
        parse_target("sex=unknown")


@pytest.mark.django_db
def test_disparity_on_scored_attempts_shows_up_as_a_flag(scored):
    rows = [{"passed": i % 2 == 0, "score": float(i % 100)} for i in range(1500)]
    attempts = bulk_scored_attempts(scored.version, rows)
    scores = {a.pk: row["score"] for a, row in zip(attempts, rows, strict=True)}
    assign_demographics(list(scores), seed=5, disparity=0.5, scores=scores)
    assert Demographics.objects.count() == 1500
    report = compute_bias_report(scored.version.assessment)
    female = report.dimension("sex").scoring.category("female")
    assert female.flag and female.p_value < 0.05


@pytest.mark.django_db
def test_no_disparity_means_no_flag_on_sex(scored):
    rows = [{"passed": i % 2 == 0, "score": float(i % 100)} for i in range(1500)]
    attempts = bulk_scored_attempts(scored.version, rows)
    assign_demographics([a.public_id for a in attempts], seed=5)
    report = compute_bias_report(scored.version.assessment)
    assert not any(c.flag for c in report.dimension("sex").selection.categories)


@pytest.mark.django_db
def test_command_assigns_demographics_to_scored_attempts(scored, capsys):
    bulk_scored_attempts(scored.version, [{"passed": True}] * 20)
    call_command(
        "simulate_demographics",
        assessment=scored.version.assessment.slug,
        seed=2,
        disparity=0.2,
        group="race_ethnicity=asian",
    )
    assert "to 20 attempts" in capsys.readouterr().out
    call_command("simulate_demographics", assessment=scored.version.assessment.slug)
    assert "to 0 attempts" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("simulate_demographics", assessment="nope")


@pytest.mark.django_db
def test_new_candidates_with_a_disparity_answer_worse_in_the_target_group(capsys):
    """Scoring's simulator runs the candidates; compliance alone holds their demographics."""
    publish_demo("support-escalation")
    call_command(
        "simulate_demographics",
        assessment="support-escalation",
        candidates=30,
        seed=4,
        disparity=0.6,
        score_now=True,
    )
    assert "30 simulated candidates with synthetic demographics" in capsys.readouterr().out
    assert Demographics.objects.count() == 30
    runs = {run.attempt.public_id: run.overall_score for run in ScoreRun.objects.all()}
    by_sex = defaultdict(list)
    for row in Demographics.objects.exclude(sex=""):
        by_sex[row.sex].append(runs[row.attempt_public_id])
    mean = {sex: sum(scores) / len(scores) for sex, scores in by_sex.items()}
    assert mean["female"] < mean["male"]  # the default disadvantaged group scores lower
    with pytest.raises(CommandError, match="from 0 to below 1"):
        call_command(
            "simulate_demographics", assessment="support-escalation", candidates=1, disparity=1.0
        )
