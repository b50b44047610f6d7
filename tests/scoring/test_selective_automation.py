"""Selective automation: each criterion's model scores alone only where it agrees with people."""

import numpy as np
import pytest

from scoring import evaluation
from scoring.engine import decide_replacement, model_accepted, score, train_text_model
from scoring.engine.training import choose_automation
from tests.scoring.labelled_answers import answers

TARGET = 0.85
SETUP = evaluation.Setup(n_levels=4, target_qwk=TARGET, min_exemplars=30)


@pytest.fixture(scope="module")
def clear():
    """Labels that follow the text: the target can be met."""
    return train_text_model(answers(120, seed=1), n_levels=4, target_qwk=TARGET)


@pytest.fixture(scope="module")
def noise():
    """Labels drawn at random: no share of answers agrees with them."""
    return train_text_model(answers(120, seed=1, noise=1.0), n_levels=4, target_qwk=TARGET)


def test_threshold_is_the_lowest_confidence_whose_share_meets_the_target():
    confidences = np.linspace(0.3, 0.95, 60)
    labels = np.tile([0, 1, 2, 3], 15)
    # Confident readings (the upper 40) are right; the 20 least confident are off by two levels.
    levels = np.where(np.arange(60) >= 20, labels, (labels + 2) % 4)
    automation = choose_automation(levels, confidences, labels, 4, TARGET)
    # The lowest threshold is at or just below the first right reading: a wrong reading or two
    # among forty right ones still meets the target, a few more do not.
    first = int(np.searchsorted(confidences, automation.auto_threshold))
    assert 15 <= first <= 20
    assert automation.cv_coverage == pytest.approx((60 - first) / 60, abs=1e-6)
    assert automation.cv_qwk_auto >= TARGET
    assert automation.cv_exact_auto == pytest.approx(40 / (60 - first), abs=1e-6)
    assert choose_automation(levels[20:], confidences[20:], labels[20:], 4, TARGET).cv_coverage == 1


def test_no_threshold_when_even_the_most_confident_readings_disagree():
    labels = np.tile([0, 1, 2, 3], 15)
    automation = choose_automation((labels + 2) % 4, np.linspace(0.3, 0.95, 60), labels, 4, TARGET)
    assert automation.auto_threshold is None and automation.cv_coverage == 0.0
    assert automation.cv_qwk_auto is None


def test_too_few_confident_readings_automate_nothing():
    labels = np.array([0, 1, 2, 3] * 2)
    automation = choose_automation(labels, np.full(8, 0.9), labels, 4, TARGET, min_rows=10)
    assert automation.auto_threshold is None


def test_where_the_target_cannot_be_met_coverage_is_0_and_everything_goes_to_review(noise):
    assert noise.automation.auto_threshold is None and noise.automation.cv_coverage == 0.0
    assert noise.model.metadata["auto_threshold"] is None and not model_accepted(noise)
    held_out = answers(80, seed=2)
    # Even if such a model were used, the engine sends every answer to a person and says why.
    document = evaluation.one_criterion_document(4)
    for text, _ in held_out:
        criterion = score(document, {"answer": {"text": text}}, {"answer/level": noise.model})
        criterion = criterion.criterion("answer/level")
        assert criterion.method == "model" and criterion.needs_review
        assert criterion.review_reasons == ("low_confidence",)
        assert criterion.evidence["automation"]["threshold"] is None
    figures = evaluation.evaluate(answers(120, seed=1, noise=1.0), held_out, SETUP)
    assert figures["model_used"] is False and figures["coverage"] == 0.0
    assert figures["qwk_auto"] is None and figures["exact_auto"] is None


def test_where_the_target_can_be_met_qwk_on_held_out_automated_answers_meets_it(clear):
    assert model_accepted(clear) and clear.automation.cv_qwk_auto >= TARGET
    held_out = answers(300, seed=7)
    texts = [text for text, _ in held_out]
    decisions = evaluation.production_decisions(clear.model, texts, 4)
    figures = evaluation.agreement(decisions, [level for _, level in held_out], 4)
    assert figures["coverage"] >= 0.5
    assert figures["qwk_auto"] >= TARGET
    # Below the threshold a person decides; at or above it nobody does.
    threshold = clear.automation.auto_threshold
    for text, decision in zip(texts[:40], decisions[:40], strict=True):
        assert decision.automated == (clear.model.predict(text).confidence >= threshold)


def test_a_worse_candidate_does_not_replace_the_active_model(clear, noise):
    fresh = answers(40, seed=9)
    kept = decide_replacement(noise, clear.model, fresh)
    assert not kept.replace and "no share" in kept.reason
    better = train_text_model(answers(120, seed=1) + fresh, n_levels=4, target_qwk=TARGET)
    verdict = decide_replacement(better, clear.model, fresh)
    assert verdict.replace, verdict
    assert verdict.candidate["fresh"]["rows"] == 40 and verdict.active["fresh"]["rows"] == 40
    assert verdict.candidate["fresh"]["qwk"] >= verdict.active["fresh"]["qwk"]
    assert decide_replacement(clear, None).replace
