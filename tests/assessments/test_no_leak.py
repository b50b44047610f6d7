"""Nothing the candidate's browser receives reveals keys, points, rubrics or other steps.

Every step of every demo assessment (and of the small test document) is opened through the
real views, and its HTML and the JSON of its autosave are searched for anything secret in the
frozen document: rationales, level descriptors and feedback, exemplars, reference answers,
concept labels, option ids and points, the ranking key order, other steps' content.
"""

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from django.urls import reverse

import flow
from assessments import presenters, services
from assessments.models import Attempt
from tests.support.documents import small_document
from tests.support.factories import invitation_for, published_version

DEMO_DIR = Path(__file__).resolve().parents[2] / "assessments" / "demo"
DOCUMENTS = {path.stem: path for path in sorted(DEMO_DIR.glob("*.yaml"))}
MIN_SPECIFIC = 16  # shorter strings ("Not yet", "Strong") are too common to be a leak


def load(name: str) -> dict:
    if name == "small-document":
        return small_document()
    return yaml.safe_load(DOCUMENTS[name].read_text(encoding="utf-8"))


def secrets_of(document: dict) -> set[str]:
    """Text that only the server may know: feedback, descriptors, exemplars, rationales…"""
    found: set[str] = set()
    for step in document["steps"]:
        for option in step["item"].get("options", []):
            found.add(option.get("rationale", ""))
        for criterion in step.get("criteria", []):
            found.add(criterion.get("reference_answer", ""))
            for concept in criterion.get("concepts", []):
                found.add(concept.get("label", ""))
            for level in criterion.get("levels", []):
                found.update([level.get("descriptor", ""), level.get("feedback", "")])
                found.update(level.get("exemplars", []))
    return {text.strip() for text in found if len(text.strip()) >= MIN_SPECIFIC}


def visible_texts(step: dict) -> set[str]:
    """Text a step shows its own candidate (so it may appear on its page)."""
    texts = {step.get("title", ""), step.get("context", ""), step.get("prompt", "")}
    texts.update(option["text"] for option in step["item"].get("options", []))
    data = step.get("data") or {}
    for message in data.get("messages", []):
        texts.update(str(value) for value in message.values())
    texts.update(data.get("lines", []))
    for row in data.get("rows", []):
        texts.update(str(cell) for cell in row)
    return {text.strip() for text in texts if text}


def other_steps_texts(document: dict, step_id: str) -> set[str]:
    own = visible_texts(flow.steps_by_id(document)[step_id])
    others: set[str] = set()
    for step in document["steps"]:
        if step["id"] != step_id:
            others |= visible_texts(step)
    # Markdown is rendered, so compare plain sentences: one per line of the source.
    lines = {line.strip(" *_#>-") for text in others for line in text.splitlines()}
    own_text = re.sub(r"\s+", " ", " ".join(own))
    return {line for line in lines if len(line) >= MIN_SPECIFIC and line not in own_text}


class _Attributes(HTMLParser):
    # Links, and labels that repeat visible text, are not where an option id could hide.
    SKIP = {
        "href",
        "action",
        "data-autosave-url",
        "data-poll-url",
        "data-expired-url",
        "aria-label",
    }

    def __init__(self):
        super().__init__()
        self.values: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.values += [value or "" for name, value in attrs if name not in self.SKIP]


def attribute_tokens(page: str) -> set[str]:
    parser = _Attributes()
    parser.feed(page)
    return {token for value in parser.values for token in re.split(r"[^A-Za-z0-9_-]+", value)}


def plain(page: str) -> str:
    """The page's text with tags removed and entities decoded, whitespace collapsed."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    return re.sub(r"\s+", " ", text)


def valid_answer(step: dict, seed: str) -> dict:
    """A form post with some valid answer for the step, in browser aliases."""
    item = step["item"]
    view = presenters.candidate_item(item, seed)
    kind = view["kind"]
    if kind == "single_choice":
        return {"option": view["options"][0]["id"]}
    if kind == "multiple_choice":
        return {"options": [view["options"][0]["id"]]}
    if kind == "rate":
        return {f"rating-{option['id']}": view["scale"][0]["value"] for option in view["options"]}
    if kind == "best_worst":
        return {"best": view["options"][0]["id"], "worst": view["options"][1]["id"]}
    if kind == "ranking":
        return {"order": [option["id"] for option in view["options"]]}
    if kind == "numeric":
        return {"value": "1"}
    return {"text": "An answer."}


ALLOWED_STEP_KEYS = {
    "id", "title", "context_html", "prompt_html", "prompt_inline", "data", "item", "scored",
}  # fmt: skip
ALLOWED_ITEM_KEYS = {
    "type", "kind", "options", "min_select", "max_select", "scale", "unit", "value",
    "max_length", "text",
}  # fmt: skip
ALLOWED_OPTION_KEYS = {"id", "text", "checked", "rating", "best", "worst"}


@pytest.mark.parametrize("name", [*DOCUMENTS, "small-document"])
def test_candidate_step_is_the_chokepoint_and_keeps_only_what_the_form_needs(name):
    document = load(name)
    for step in document["steps"]:
        view = presenters.candidate_step(step, f"seed:{step['id']}")
        assert set(view) <= ALLOWED_STEP_KEYS
        assert set(view["item"]) <= ALLOWED_ITEM_KEYS
        real_ids = {option["id"] for option in step["item"].get("options", [])}
        for option in view["item"].get("options", []):
            assert set(option) <= ALLOWED_OPTION_KEYS
            assert option["id"] not in real_ids
        if step["item"]["type"] == "ranking":
            shown = [option["id"] for option in view["item"]["options"]]
            order = presenters.stored_answer(step["item"], f"seed:{step['id']}", {"order": shown})
            assert order["order"] != step["item"]["key_order"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", [*DOCUMENTS, "small-document"])
def test_no_page_or_json_of_any_step_reveals_secrets(client, name):
    document = load(name)
    version = published_version(document)
    invitation, token = invitation_for(version)
    assert client.post(reverse("assessments:start", kwargs={"token": token}), {"consent": "yes"})
    attempt = invitation.attempts.get()
    # Open every step, not only one path, so that every branch's page is checked.
    every_step = [step["id"] for step in document["steps"]]
    Attempt.objects.filter(pk=attempt.pk).update(path=every_step)
    attempt.refresh_from_db()
    secrets = secrets_of(document)
    option_ids = {
        option["id"] for step in document["steps"] for option in step["item"].get("options", [])
    }
    landing_like = [reverse("assessments:review", kwargs={"token": token})]
    for step in document["steps"]:
        kwargs = {"token": token, "step_id": step["id"]}
        response = client.get(reverse("assessments:step", kwargs=kwargs))
        assert response.status_code == 200, step["id"]
        page = response.content.decode()
        text = plain(page)
        for secret in secrets:
            assert secret not in text, (step["id"], secret)
        for other in other_steps_texts(document, step["id"]):
            assert other not in text, (step["id"], "another step's text", other)
        leaked_ids = attribute_tokens(page) & (option_ids - set(every_step))
        assert not leaked_ids, (step["id"], leaked_ids)
        for word in ("rationale", "points", "key_order", "exemplars", "descriptor"):
            # Not as an attribute, a data- attribute, or a JSON key (prose may say "points").
            assert not re.search(rf"(data-{word}|{word}=|\"{word}\"\s*:)", page), (step["id"], word)
        item = step["item"]
        if item["type"] == "numeric" and str(item["answer"]) not in " ".join(visible_texts(step)):
            assert not re.search(rf"(?<![\d.]){re.escape(str(item['answer']))}(?![\d])", text), (
                step["id"],
                "the numeric answer",
            )
        seed = presenters.attempt_seed(attempt, step["id"])
        saved = client.post(
            reverse("assessments:autosave", kwargs=kwargs), valid_answer(step, seed)
        )
        body = json.loads(saved.content)
        if services.answer_is_final(attempt, step["id"]):
            # Every step is on this forced path, so branch points count as continued past.
            assert saved.status_code == 400 and body == {"error": services.FINAL_ANSWER_MESSAGE}
        else:
            assert saved.status_code == 200, (step["id"], saved.content)
            assert set(body) == {"saved", "saved_at"}
    for url in landing_like:
        page = client.get(url).content.decode()
        for secret in secrets:
            assert secret not in plain(page)
    # The candidate's data download (open during the attempt) names options by their texts.
    export = client.get(reverse("compliance:my-data", kwargs={"token": token}))
    texts = {o["text"] for step in document["steps"] for o in step["item"].get("options", [])}
    for saved in json.loads(export.content)["attempts"][0]["answers"]:
        answer = saved["answer"]
        chosen = [answer.get(k) for k in ("option", "best", "worst") if k in answer]
        chosen += answer.get("options", []) + answer.get("order", [])
        chosen += list(answer.get("ratings", {}))
        assert set(chosen) <= texts, (saved["step"], chosen)
    for secret in secrets:
        assert secret not in export.content.decode()
