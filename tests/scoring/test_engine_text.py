"""Free text: concept rubric, guards against gaming, and text model artifacts."""

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.engine import ArtifactError, TextClassifier, score
from scoring.engine.training import descriptors_of, model_accepted, train_text_model
from tests.scoring.test_engine_fixtures import (
    HONEST_MID_REPLY,
    HONEST_STRONG_REPLY,
    REPLY_LEVELS,
    best_answers,
    labelled_replies,
    make_content,
)


def _reply(text, models=None, content=None):
    answers = {**best_answers(), "reply": {"text": text}}
    return score(content or make_content(), answers, models or {}).criterion("reply/quality")


@pytest.fixture(scope="module")
def trained():
    descriptors = descriptors_of({"levels": REPLY_LEVELS})
    return train_text_model(
        labelled_replies(), seed=0, folds=5, n_levels=4, descriptors=descriptors
    )


# --- concept rubric ----------------------------------------------------------------------


def test_concept_coverage_sets_the_level_and_sends_to_review():
    strong = _reply(HONEST_STRONG_REPLY)
    assert (strong.method, strong.level.index, strong.points) == ("concept", 3, 3.0)
    assert strong.needs_review and "concept_scored" in strong.review_reasons
    lowered = HONEST_STRONG_REPLY.lower()
    phrases = {
        c["concept"]: lowered[c["start"] : c["end"]]
        for c in strong.evidence["concepts"]
        if c["matched"]
    }
    assert phrases == {"apology": "sorry", "action": "refunded", "timeline": "within 5"}
    mid = _reply(HONEST_MID_REPLY)
    assert mid.level.index == 2 and mid.evidence["coverage"] == pytest.approx(2 / 3, abs=1e-6)


def test_concept_phrasings_match_case_insensitively_on_word_boundaries():
    assert _reply("Hello. I am SORRY that this happened to you.").level.index == 1
    # "unsorryish" and "refundable" contain phrasings but not as words
    weak = _reply("The fee is refundable and the tone was unsorryish, as we said before.")
    assert weak.level.index == 0


def test_concept_confidence_reflects_distance_from_level_boundaries():
    # coverage 1/3 with levels at 0.3 and 0.6: 0.033 above one boundary -> close to 0.5
    near = _reply("Hello, we are sorry about what happened to your account this week.")
    assert 0.5 <= near.confidence < 0.6
    none = _reply("Hello, thank you for writing to us about what happened this week.")
    assert none.confidence == pytest.approx(0.5 + 0.5 * min(1.0, 0.3 * 3))


def test_empty_and_whitespace_answers_score_zero_without_review():
    for text in ("", "   \n\t "):
        criterion = _reply(text)
        assert criterion.points == 0.0 and not criterion.needs_review
        assert criterion.evidence["note"] == "empty answer: scored 0"


def test_huge_answer_is_truncated_to_max_length_before_scoring():
    text = "filler words here. " * 200 + HONEST_STRONG_REPLY
    criterion = _reply(text)
    assert criterion.evidence["truncated"] is True
    assert criterion.level.index == 0  # the concepts sit after max_length


def test_garbage_and_non_utf8_text_never_crash_or_pay():
    content = make_content()
    for text in (
        "\ud800\udfff sorry \udc80",  # lone surrogates
        b"\xff\xfe sorry refunded \x80".decode("latin-1"),
        "\x00\x01\x02" * 50,
        "asdkjh qwe zzxq plok mnbv " * 10,
        "🙂" * 500,
        "(" * 1000,
    ):
        breakdown = score(content, {**best_answers(), "reply": {"text": text}}, {})
        criterion = breakdown.criterion("reply/quality")
        assert criterion.points <= 1.0
        breakdown.canonical_json()
    bytes_answer = {**best_answers(), "reply": {"text": b"\xff\xfesorry"}}
    assert score(content, bytes_answer, {}).criterion("reply/quality").points <= 1.0


def test_invalid_phrasing_regex_is_matched_as_literal_text():
    content = make_content()
    content["steps"][-1]["criteria"][0]["concepts"][0]["phrasings"] = ["sorry (", "apolog"]
    assert _reply("I said sorry ( twice to the customer today.", content=content).level.index == 1


# --- guards ------------------------------------------------------------------------------

STUFFED = [
    "sorry apologise apologies refund refunded reversed 3-5 days within 5 refund sorry",
    "Sorry refund refunded reversed apologies within 3 days 5-7 business days sorry",
    "refund refund refund sorry sorry sorry within 5 within 5 3-5 days 3-5 days",
]
COPIED = [
    "Apology, action and timeline, specific and warm. Complete and warm reply, well done.",
    "Tell the customer what happened, what you did and when they will see it. Apologises, "
    "states the refund, gives a timeline.",
    " ".join(level["descriptor"] + " " + level["feedback"] for level in REPLY_LEVELS),
]
FOREIGN = [
    "Hola Zoe, lo siento mucho por el doble cargo. Ya hemos hecho el reembolso y lo verá en "
    "5 días.",
    "Bonjour Zoe, je suis vraiment désolé pour le double prélèvement. Le remboursement est fait "
    "et vous le verrez dans 5 jours.",
    "Hallo Zoe, es tut mir sehr leid wegen der doppelten Abbuchung. Die Rückerstattung ist "
    "erledigt und kommt in 5 Tagen.",
    "您好，很抱歉重复扣款。我们已经退款，五天内到账。",  # noqa: RUF001
]


@pytest.mark.parametrize("text", STUFFED)
def test_keyword_stuffing_scores_below_an_honest_mid_answer(text, trained):
    honest = _reply(HONEST_MID_REPLY)
    stuffed = _reply(text)
    assert stuffed.points < honest.points
    assert "keyword_stuffing" in stuffed.review_reasons and stuffed.needs_review
    models = {"reply/quality": trained.model}
    assert _reply(text, models).points < _reply(HONEST_MID_REPLY, models).points


@pytest.mark.parametrize("text", COPIED)
def test_copying_the_rubric_scores_below_an_honest_mid_answer(text, trained):
    copied = _reply(text)
    assert copied.points < _reply(HONEST_MID_REPLY).points
    assert "rubric_copy" in copied.review_reasons and copied.needs_review
    models = {"reply/quality": trained.model}
    assert _reply(text, models).points < _reply(HONEST_MID_REPLY, models).points


@pytest.mark.parametrize("text", FOREIGN)
def test_answers_in_another_language_score_low_and_go_to_review(text, trained):
    for models in ({}, {"reply/quality": trained.model}):
        criterion = _reply(text, models)
        assert criterion.points == 0.0
        assert criterion.needs_review and "foreign_language" in criterion.review_reasons


def test_honest_answers_trip_no_guard():
    for text, _level in labelled_replies(3):
        assert _reply(text).evidence["guards"]["flags"] == [], text
    for text in (HONEST_MID_REPLY, HONEST_STRONG_REPLY):
        assert _reply(text).evidence["guards"]["flags"] == []


def test_honest_short_summary_is_not_taken_for_stuffing():
    answers = {**best_answers(), "summary": {"text": "Duplicate charge refunded."}}
    criterion = score(make_content(), answers, {}).criterion("summary/facts")
    assert criterion.level.index == 1 and criterion.evidence["guards"]["flags"] == []


# --- text models -------------------------------------------------------------------------


def test_training_reports_cross_validated_qwk_and_agreement(trained):
    assert trained.n_exemplars == 48 and trained.folds == 5
    assert trained.cv_qwk >= 0.7
    assert 0.0 <= trained.cv_exact_agreement <= 1.0
    assert trained.model.metadata["cv_qwk"] == pytest.approx(trained.cv_qwk, abs=1e-6)


def test_model_scores_a_criterion_with_calibrated_confidence_and_ngram_evidence(trained):
    criterion = _reply(HONEST_STRONG_REPLY, {"reply/quality": trained.model})
    assert criterion.method == "model"
    assert criterion.level.index >= 2
    probabilities = criterion.evidence["probabilities"]
    assert len(probabilities) == 4 and sum(probabilities) == pytest.approx(1.0, abs=1e-5)
    assert criterion.confidence == pytest.approx(probabilities[criterion.level.index], abs=1e-6)
    threshold = trained.model.metadata["auto_threshold"]
    assert criterion.needs_review == (threshold is None or criterion.confidence < threshold)
    assert criterion.evidence["automation"]["target_qwk"] == 0.85
    top = criterion.evidence["top_ngrams"]
    assert 1 <= len(top) <= 5 and all(isinstance(entry["weight"], float) for entry in top)
    assert criterion.evidence["model"]["sha256"] == trained.model.sha256


def test_breakdown_names_the_model_it_used(trained):
    answers = {**best_answers(), "reply": {"text": HONEST_MID_REPLY}}
    breakdown = score(make_content(), answers, {"reply/quality": trained.model})
    assert breakdown.models == {
        "reply/quality": {
            "sha256": trained.model.sha256,
            "training_set_sha256": trained.model.training_set_sha256,
        }
    }


def test_model_with_a_different_number_of_levels_is_not_used(trained):
    answers = {**best_answers(), "summary": {"text": "Duplicate charge refunded."}}
    breakdown = score(make_content(), answers, {"summary/facts": trained.model})
    assert breakdown.criterion("summary/facts").method == "concept"
    assert breakdown.models == {}


def test_artifact_round_trips_to_identical_bytes_and_predictions(trained):
    data = trained.model.to_bytes()
    loaded = TextClassifier.from_bytes(data)
    assert loaded.to_bytes() == data and loaded.sha256 == trained.model.sha256
    assert loaded.training_set_sha256 == trained.model.training_set_sha256
    texts = [text for text, _ in labelled_replies(5)] + [HONEST_MID_REPLY, "", "?? !!"]
    for text in texts:
        assert loaded.predict(text) == trained.model.predict(text)


def test_artifact_inference_reproduces_the_scikit_learn_pipeline(trained):
    texts = [text for text, _ in labelled_replies(6)] + [HONEST_STRONG_REPLY, "Zoë — ok"]
    expected = trained.pipeline.predict_proba(texts, trained.model.temperature)
    actual = np.array([trained.model.predict(text).probabilities for text in texts])
    np.testing.assert_allclose(actual, expected, rtol=0, atol=1e-9)
    levels = [trained.model.predict(text).level for text in texts]
    assert levels == [int(np.searchsorted(np.cumsum(p), 0.5)) for p in expected]


def test_artifact_is_json_not_pickle_and_bad_bytes_are_rejected(trained):
    data = trained.model.to_bytes()
    assert json.loads(data)["format"] == "skillproof/text-model@2"
    assert b"\x80\x04" not in data[:2]
    document = json.loads(data)
    bad_documents = [
        b"\x80\x04\x95cos\nsystem\n",  # a pickle
        b"not json",
        b"[]",
        json.dumps({**document, "format": "other"}).encode(),
        json.dumps({**document, "coef": document["coef"][:-1]}).encode(),
        json.dumps({**document, "thresholds": [1e400]}).encode(),
        json.dumps({**document, "temperature": -1}).encode(),
        json.dumps({**document, "word_terms": [1] * len(document["word_terms"])}).encode(),
        json.dumps({**document, "n_levels": "4"}).encode(),
        json.dumps({key: value for key, value in document.items() if key != "dense"}).encode(),
        json.dumps({**document, "dense": {**document["dense"], "coef": [1.0]}}).encode(),
        json.dumps(
            {**document, "metadata": {**document["metadata"], "auto_threshold": "high"}}
        ).encode(),
    ]
    for bad in bad_documents:
        with pytest.raises(ArtifactError):
            TextClassifier.from_bytes(bad)


def test_training_is_deterministic_and_order_independent():
    exemplars = labelled_replies(8)
    first = train_text_model(exemplars, seed=3, n_levels=4)
    second = train_text_model(list(reversed(exemplars)), seed=3, n_levels=4)
    assert first.model.to_bytes() == second.model.to_bytes()
    assert first.model.training_set_sha256 == second.model.training_set_sha256


def test_acceptance_needs_enough_exemplars_and_a_share_that_meets_the_target(trained):
    assert trained.automation.auto_threshold is not None and model_accepted(trained)
    assert not model_accepted(trained, min_exemplars=100)
    # Labels unrelated to the text: no share of answers agrees with them at the target.
    replies = labelled_replies()
    labels = np.random.RandomState(0).permutation([level for _, level in replies])
    shuffled = [(text, int(label)) for (text, _), label in zip(replies, labels, strict=True)]
    noise = train_text_model(shuffled, n_levels=4)
    assert noise.cv_qwk < 0.7 and not model_accepted(noise)
    assert noise.model.metadata["auto_threshold"] is None


def test_training_rejects_unusable_exemplars():
    with pytest.raises(ValueError):
        train_text_model([("only one level", 0)] * 10)
    with pytest.raises(ValueError):
        train_text_model([("a", 0), ("b", 1)])
    with pytest.raises(ValueError):
        train_text_model([("a", 0), ("b", -1)] * 5)


def test_format_1_artifacts_still_predict_exactly_as_they_did():
    """A model stored before format @2 (n-grams only, trained by engine 2.0.0) reads every
    answer as it did then, so the runs it scored replay byte for byte."""
    stored = json.loads((Path(__file__).parent / "legacy_text_model_v1.json").read_text())
    legacy = TextClassifier.from_bytes(stored["artifact"].encode("utf-8"))
    assert legacy.sha256 == stored["sha256"] and legacy.automation is None
    assert legacy.to_bytes() == stored["artifact"].encode("utf-8")
    for expected in stored["predictions"]:
        prediction = legacy.predict(expected["text"])
        assert prediction.level == expected["level"]
        assert list(prediction.probabilities) == expected["probabilities"]
        assert [list(entry) for entry in prediction.top_ngrams] == expected["top_ngrams"]


def test_a_format_1_model_keeps_the_criterion_confidence_threshold():
    stored = json.loads((Path(__file__).parent / "legacy_text_model_v1.json").read_text())
    legacy = TextClassifier.from_bytes(stored["artifact"].encode("utf-8"))
    criterion = _reply(HONEST_STRONG_REPLY, {"reply/quality": legacy})
    assert criterion.method == "model" and "automation" not in criterion.evidence
    assert criterion.needs_review == (criterion.confidence < 0.65)


def test_model_evidence_is_already_canonical_and_serialises_as_walked(trained):
    from scoring.engine.breakdown import Canonical, canonical

    models = {"reply/quality": trained.model}
    for text, _ in labelled_replies(3):
        criterion = _reply(text, models=models)
        assert criterion.method == "model" and isinstance(criterion.evidence, Canonical)
        walked = canonical(dict(criterion.evidence))
        assert json.dumps(walked, sort_keys=True) == json.dumps(criterion.evidence, sort_keys=True)


PHRASINGS = [
    ["seasons?", "time of (the )?year", "season", "easter"],
    ["(a/b|ab|split) test\\w*", "hold[- ]?outs?", "ab"],
    ["yes|no", "7\\.1", "2[12](\\.\\d+)?", "21"],
    ["refund", "refund refund", "sorry ("],
]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "season",
                "seasons",
                "time of year",
                "easter",
                "ab test",
                "ab",
                "hold-out",
                "yes",
                "no",
                "7.1",
                "21.5",
                "21",
                "refund refund",
                "sorry (",
                "x",
                " ",
                "-",
            ]
        ),
        max_size=12,
    )
)
def test_evidence_names_the_branch_the_alternation_took(words):
    import re

    from scoring.engine.concepts import compile_concepts, match_concepts

    text = " ".join(words)
    concepts = compile_concepts([{"id": "c", "phrasings": p} for p in PHRASINGS])
    evidence = match_concepts(concepts, text).evidence
    for phrasings, found in zip(PHRASINGS, evidence, strict=True):
        # Reference: one named group per branch, the group that matched names the phrasing.
        branches = "|".join(
            f"(?P<p{i}>{re.escape(p) if p == 'sorry (' else p})" for i, p in enumerate(phrasings)
        )
        first = next(
            (m for m in re.finditer(rf"(?<!\w)(?:{branches})(?!\w)", text) if m.end() > m.start()),
            None,
        )
        assert found["matched"] is (first is not None)
        if first is not None:
            assert found["pattern"] == phrasings[int(first.lastgroup[1:])]
            assert (found["start"], found["end"]) == first.span()


MANGLED_ENGLISH = [
    # Both read as another language before (engine 2.0.0): "de"/"da" for "the" as Portuguese,
    # "sie" for "side" as German.
    "Hi Zoe, sory 4 de dubl charj, de refnd iz don, da mony bak n 5 dayz",
    "connected tpo positive sie= circuit complete",
]


@pytest.mark.parametrize("text", MANGLED_ENGLISH)
def test_spelling_mangled_english_is_still_english_and_not_sent_to_level_0(text, trained):
    for models in ({}, {"reply/quality": trained.model}):
        criterion = _reply(text, models)
        assert criterion.evidence["guards"]["flags"] == [], criterion.evidence["guards"]
        assert "foreign_language" not in criterion.review_reasons
    assert _reply(text, {"reply/quality": trained.model}).level.index >= 1


def test_remembered_tokens_give_exactly_the_analyzer_ngrams(trained):
    from scoring.engine.textmodel import _prepare, char_ngrams, word_ngrams

    model = TextClassifier.from_bytes(trained.model.to_bytes())
    index = {term: i for i, term in enumerate(model.word_terms)}
    index |= {("c", term): len(model.word_terms) + i for i, term in enumerate(model.char_terms)}
    for text in [
        HONEST_STRONG_REPLY,
        "a ab abc  abcd\tabcde Zoë €45 — ok",
        "",
        "日本語 text",
        "sorry " * 50,
        "e-mail, re-opened ch_02:refund (twice) twice",
    ]:
        prepared = _prepare(text)
        grams = [index[g] for g in word_ngrams(prepared) if g in index]
        grams += [index[("c", g)] for g in char_ngrams(prepared) if ("c", g) in index]
        for _ in range(2):  # read, then remembered
            assert model.contributions(text)[0].tolist() == sorted(set(grams))
    cold = TextClassifier.from_bytes(trained.model.to_bytes())
    for text, _ in labelled_replies(3):
        assert cold.predict(text) == model.predict(text)
