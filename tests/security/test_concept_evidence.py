"""Concept evidence names the concept, the phrasing and where it matched, never the candidate's
words: once the answer is erased, no breakdown scored from now on quotes it."""

from scoring.engine import score
from scoring.review_display import breakdown_layout
from tests.support.documents import small_document

# Upper-case dotted I lower-cases to two characters: the offsets must index the same text the
# reviewer's page cuts the phrase from.
ANSWER = "İstanbul desk here. So sorry! I will refund zebediah quimby today."
MATCHED = "refund zebediah quimby today"


def _scored():
    document = small_document()
    # A phrasing that spans the words around it, as recruiters write them.
    document["steps"][1]["criteria"][0]["concepts"][1]["phrasings"] = [r"refund(?: \w+){0,2} today"]
    answers = {"first-move": {"option": "check"}, "reply": {"text": ANSWER}}
    return document, answers, score(document, answers, {})


def _document_strings(document: dict) -> set[str]:
    strings = set()
    for concept in document["steps"][1]["criteria"][0]["concepts"]:
        strings |= {concept["id"], concept["label"], *concept["phrasings"]}
    return strings


def test_concept_evidence_holds_no_text_of_the_answer():
    document, _, breakdown = _scored()
    evidence = breakdown.criterion("reply/reply-quality").evidence
    assert [entry["matched"] for entry in evidence["concepts"]] == [True, True]
    for entry in evidence["concepts"]:
        strings = {value for value in entry.values() if isinstance(value, str)}
        assert strings <= _document_strings(document)
    assert "zebediah" not in breakdown.canonical_json().decode()


def _concept_rows(document, breakdown, answers):
    layout = breakdown_layout(document, breakdown.to_dict(), answers)
    (reply,) = [step for step in layout["steps"] if step["id"] == "reply"]
    (table,) = [t for t in reply["criteria"][0]["evidence"]["tables"] if t["caption"] == "Concepts"]
    return table["rows"]


def test_the_reviewer_sees_the_matched_words_while_the_answer_exists_and_none_after_erasure():
    document, answers, breakdown = _scored()
    rows = _concept_rows(document, breakdown, answers)
    assert [row[2] for row in rows] == ["sorry", MATCHED]
    erased = _concept_rows(document, breakdown, None)
    assert [row[2] for row in erased] == ["", ""]
    assert [row[3] for row in erased] == ["sorry", r"refund(?: \w+){0,2} today"]
