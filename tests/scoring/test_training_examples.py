"""Reviews teach the models: a decision on free text becomes a training example with its
provenance; it follows the criterion while the scale is unchanged; erasure takes its words;
quality-control items come from a hash, never from the breakdown."""

import json
import uuid

import pytest

from audit.models import AuditEvent
from audit.services import Action
from compliance.services import erase_candidate
from scoring.content import find_criterion, scale_sha256
from scoring.management.simulation import simulate_candidates
from scoring.models import ReviewItem, ScoreRun, TrainingExample
from scoring.review_services import decide_review_item
from scoring.services.quality_control import chosen_for_quality_control
from scoring.services.replay import replay_score_run
from scoring.services.training import reviewed_examples, train_text_models
from tests.scoring.support import publish_demo, run_pending, take_small
from tests.support.documents import small_document
from tests.support.factories import published_version

pytestmark = pytest.mark.django_db

ANSWER = "So sorry about the double charge: the refund goes out this afternoon."


def _decide(item, reviewer, level=1):
    return decide_review_item(item, level=level, reason="Apology, no time given.", user=reviewer)


def test_a_review_decision_on_free_text_becomes_a_training_example_with_provenance(reviewer):
    attempt = take_small(text=ANSWER)
    run_pending(attempt)
    item = ReviewItem.objects.get(attempt=attempt, criterion_key="reply/reply-quality")

    decision = _decide(item, reviewer, level=1)

    example = TrainingExample.objects.get()
    assert (example.text, example.level, example.criterion_key) == (ANSWER, 1, item.criterion_key)
    assert example.decision == decision and example.decision.item == item
    assert (example.reviewer_label, example.labelled_at) == ("reviewer", decision.decided_at)
    assert example.assessment_id == attempt.version.assessment_id
    assert example.version_id == item.run.version_id
    assert example.machine_level == item.machine_level
    assert not example.quality_control and example.trained_at is None
    criterion = find_criterion(attempt.version.content, "reply", "reply-quality")
    assert example.scale_sha256 == scale_sha256(criterion)
    payload = json.loads(AuditEvent.objects.get(action=Action.REVIEW_DECIDED).payload)
    assert payload["training_example"] == example.pk and payload["quality_control"] is False
    # What the criterion's next model trains on.
    assert [
        (t, lv)
        for t, lv, _ in reviewed_examples(example.assessment_id, example.criterion_key, criterion)
    ] == [(ANSWER, 1)]


def test_examples_follow_the_criterion_into_a_new_version_only_on_the_same_scale(reviewer):
    attempt = take_small(text=ANSWER)
    run_pending(attempt)
    _decide(ReviewItem.objects.get(attempt=attempt), reviewer)
    key = "reply/reply-quality"
    assessment_id = attempt.version.assessment_id

    same_scale = small_document()
    same_scale["steps"][-1]["criteria"][0]["levels"][0]["exemplars"].append("New exemplar.")
    version_2 = published_version(same_scale)
    changed = small_document()
    changed["steps"][-1]["criteria"][0]["levels"][1]["descriptor"] = "Something else entirely."
    version_3 = published_version(changed)
    assert version_2.assessment_id == version_3.assessment_id == assessment_id

    def examples(version):
        criterion = find_criterion(version.content, "reply", "reply-quality")
        return [text for text, _, _ in reviewed_examples(assessment_id, key, criterion)]

    assert examples(version_2) == [ANSWER]
    assert examples(version_3) == []


def test_erasure_removes_the_candidates_words_from_training_examples(reviewer):
    erased = take_small(text=ANSWER, email="erase.me@example.com")
    kept = take_small(text="Sorry! Refund today, promise.", email="keep@example.com")
    run_pending()
    for item in ReviewItem.objects.filter(criterion_key="reply/reply-quality"):
        _decide(item, reviewer)
    assert TrainingExample.objects.count() == 2

    erase_candidate(erased.invitation)

    example = TrainingExample.objects.get(attempt=erased)
    assert example.text == "" and example.erased_at is not None
    assert example.level == 1 and example.reviewer_label == "reviewer"  # provenance stays
    assert TrainingExample.objects.get(attempt=kept).text == "Sorry! Refund today, promise."
    assert not TrainingExample.objects.filter(text__contains="double charge").exists()
    criterion = find_criterion(erased.version.content, "reply", "reply-quality")
    texts = [
        t for t, _, _ in reviewed_examples(example.assessment_id, example.criterion_key, criterion)
    ]
    assert texts == ["Sorry! Refund today, promise."]
    event = AuditEvent.objects.get(action=Action.DATA_ERASED)
    assert json.loads(event.payload)["training_examples_erased"] == 1


def test_the_quality_control_choice_is_a_stable_hash_at_about_the_rate():
    ids = [uuid.UUID(int=n) for n in range(4000)]
    chosen = [chosen_for_quality_control(i, "a/b", 0.05) for i in ids]
    assert chosen == [chosen_for_quality_control(i, "a/b", 0.05) for i in ids]
    assert 0.04 < sum(chosen) / len(ids) < 0.06
    assert not any(chosen_for_quality_control(i, "a/b", 0.0) for i in ids)
    assert all(chosen_for_quality_control(i, "a/b", 1.0) for i in ids)


def test_quality_control_reviews_confident_model_scores_without_touching_the_breakdown(
    settings, reviewer
):
    version = publish_demo("incident-triage")
    train_text_models(version)
    settings.TEXT_QC_SAMPLE_RATE = 1.0  # every confident model score is checked
    simulate_candidates(version, count=6, seed=5, score_inline=True)

    checks = ReviewItem.objects.filter(quality_control=True)
    assert checks.exists(), "the demo's models should score some answers with confidence"
    for item in checks:
        assert item.reasons == ["quality_control"] and item.machine_method == "model"
        breakdown = json.loads(item.run.breakdown_json)
        scored = next(
            c
            for step in breakdown["steps"]
            for c in step["criteria"]
            if f"{c['step_id']}/{c['criterion_id']}" == item.criterion_key
        )
        assert scored["method"] == "model" and not scored["needs_review"]
    settings.TEXT_QC_SAMPLE_RATE = 0.0  # the choice is not part of the scores: replay agrees
    assert all(replay_score_run(run).identical for run in ScoreRun.objects.all())

    item = checks.first()
    _decide(item, reviewer, level=0)
    example = TrainingExample.objects.get()
    assert example.quality_control and example.machine_level == item.machine_level
    # A later run (the decision's) leaves the other quality-control items open.
    run_pending(item.attempt)
    others = checks.exclude(pk=item.pk).filter(attempt=item.attempt)
    assert all(other.state == ReviewItem.State.OPEN for other in others)
