"""The candidate's result from a real engine breakdown: levels, personal feedback, no keys."""

import json

from scoring import engine, presenters
from scoring.presenters import candidate_result
from tests.support.documents import small_document

STRONG_REPLY = "I'm so sorry for the double charge. I will refund it today."


def result_for(answers: dict) -> dict:
    document = small_document()
    breakdown = json.loads(engine.score(document, answers).canonical_json())
    return candidate_result(document, breakdown)


def test_each_skill_has_its_level_and_feedback_from_the_rubric_and_the_chosen_option():
    result = result_for({"first-move": {"option": "check"}, "reply": {"text": STRONG_REPLY}})
    assert [skill["name"] for skill in result["skills"]] == ["Judgement", "Writing"]
    judgement = result["skills"][0]
    assert judgement["level"] in [label for _, label in engine.SKILL_BANDS]
    notes = [note for entry in judgement["strengths"] for note in entry["notes"]]
    assert {"chosen": "Check the payment log", "text": "Facts first."} in notes
    assert {"chosen": None, "text": "You put the customer first."} in notes  # level feedback
    assert judgement["strengths"][0]["step"] == "A double charge"
    assert result["bands"] == [label for _, label in engine.SKILL_BANDS]


def test_weak_answers_land_in_what_to_work_on_and_unanswered_steps_say_so():
    result = result_for({"first-move": {"option": "ignore"}})
    judgement, writing = result["skills"]
    work_on = [note for entry in judgement["work_on"] for note in entry["notes"]]
    assert {"chosen": "Wait for them to write again", "text": "The customer waits."} in work_on
    assert {"chosen": None, "text": "Start from the customer's goal."} in work_on
    writing_notes = [note["text"] for entry in writing["work_on"] for note in entry["notes"]]
    assert any(text.startswith("You did not answer this step.") for text in writing_notes)
    assert not result["passed"]


def test_feedback_never_quotes_options_the_candidate_did_not_choose():
    result = result_for({"first-move": {"option": "refund"}, "reply": {"text": STRONG_REPLY}})
    everything = json.dumps(result)
    assert "Facts first." not in everything  # the rationale of the key
    assert "The customer waits." not in everything
    assert "exemplars" not in everything and "whatever" not in everything


def test_credential_link_hook_is_empty_until_an_app_registers_a_provider(monkeypatch):
    monkeypatch.setattr(presenters, "_credential_link_providers", [])
    assert presenters.credential_link(object()) is None

    def provider(attempt):
        return "/credentials/abc"

    presenters.register_credential_link(provider)
    presenters.register_credential_link(provider)  # registering twice is harmless
    assert presenters.credential_link(object()) == "/credentials/abc"
    document = small_document()
    breakdown = json.loads(
        engine.score(document, {"first-move": {"option": "ignore"}}).canonical_json()
    )
    failed = candidate_result(document, breakdown, credential_url="/credentials/abc")
    assert failed["credential_url"] is None  # never a link without a pass
