"""Helpers for the candidate browser tests: answer plans that take different branches, a driver
that answers any item type through the real UI, keyboard-only navigation, and axe-core."""

import re
from pathlib import Path

import yaml

import flow
from tests.support.documents import small_document

DEMO_DIR = Path(__file__).resolve().parents[2] / "assessments" / "demo"
DEMO_FILES = sorted(DEMO_DIR.glob("*.yaml"))


def load_document(name: str) -> dict:
    """A demo document by file stem, or the small test document."""
    if name == "small-document":
        return small_document()
    return yaml.safe_load((DEMO_DIR / f"{name}.yaml").read_text(encoding="utf-8"))


# --- Answer plans ------------------------------------------------------------------------------

TEXT_ANSWER = (
    "I would check the facts first, apologise for the impact, fix what I can today and tell "
    "them exactly what happens next and when."
)


def default_answer(step: dict) -> dict:
    """A plausible stored answer for any item (first option, the key's value, some text)."""
    item = step["item"]
    ids = [option["id"] for option in item.get("options", [])]
    kind = item["type"] if item["type"] != "sjt" else item.get("mode", "rate")
    if kind == "single_choice":
        return {"option": ids[0]}
    if kind == "multiple_choice":
        return {"options": ids[: max(1, item.get("min_select") or 0)]}
    if kind == "rate":
        low = item["scale"]["min"]
        return {"ratings": dict.fromkeys(ids, low + 1)}
    if kind == "best_worst":
        return {"best": ids[0], "worst": ids[1]}
    if kind == "ranking":
        return {"order": list(reversed(item["key_order"]))}
    if kind == "numeric":
        return {"value": item["answer"]}
    return {"text": TEXT_ANSWER[: item.get("max_length", 4000)]}


def _numeric_for(rule: dict) -> float:
    value = rule["value"]
    return {"lt": value - 1, "le": value, "gt": value + 1, "ge": value, "eq": value}[rule["op"]]


def diverting_answer(step: dict, usual_next: str | None) -> dict | None:
    """An answer that sends the candidate somewhere other than ``usual_next``, if any does."""
    item = step["item"]
    if item["type"] == "single_choice":
        for option in item["options"]:
            answer = {"option": option["id"]}
            if flow.next_step_id(step, answer) != usual_next:
                return answer
    if item["type"] == "numeric":
        for rule in step.get("rules", []):
            answer = {"value": _numeric_for(rule["when"])}
            if flow.next_step_id(step, answer) != usual_next:
                return answer
    return None


def simulate(document: dict, answers: dict[str, dict]) -> list[str]:
    """The path the server will take for these answers."""
    steps = flow.steps_by_id(document)
    path, current = [], document["start"]
    while current is not None:
        path.append(current)
        current = flow.next_step_id(steps[current], answers.get(current))
    return path


def plans(document: dict) -> list[dict[str, dict]]:
    """Two answer plans: the first options everywhere, and one that branches off early."""
    base = {step["id"]: default_answer(step) for step in document["steps"]}
    steps = flow.steps_by_id(document)
    for step_id in simulate(document, base):
        usual = flow.next_step_id(steps[step_id], base[step_id])
        other = diverting_answer(steps[step_id], usual)
        if other is not None:
            return [base, {**base, step_id: other}]
    # No branching at all: the second plan differs in its answers only.
    alternative = dict(base)
    for step in document["steps"]:
        if step["item"]["type"] == "single_choice" and len(step["item"]["options"]) > 1:
            alternative[step["id"]] = {"option": step["item"]["options"][-1]["id"]}
    return [base, alternative]


# --- Answering through the UI ------------------------------------------------------------------


def _texts(step: dict) -> dict[str, str]:
    return {option["id"]: option["text"] for option in step["item"].get("options", [])}


def answer_in_browser(page, step: dict, answer: dict) -> None:
    """Give ``answer`` (stored form) to ``step`` by clicking and typing like a candidate."""
    item = step["item"]
    texts = _texts(step)
    kind = item["type"] if item["type"] != "sjt" else item.get("mode", "rate")
    if kind == "single_choice":
        page.get_by_label(texts[answer["option"]], exact=True).check()
    elif kind == "multiple_choice":
        for option_id in answer["options"]:
            page.get_by_label(texts[option_id], exact=True).check()
    elif kind == "rate":
        labels = item["scale"].get("labels", [])
        for option_id, rating in answer["ratings"].items():
            group = page.get_by_role("group", name=texts[option_id], exact=True)
            label = labels[rating - item["scale"]["min"]] if labels else str(rating)
            group.get_by_label(label, exact=True).check()
    elif kind == "best_worst":
        page.get_by_label(f"Most effective: {texts[answer['best']]}", exact=True).check()
        page.get_by_label(f"Least effective: {texts[answer['worst']]}", exact=True).check()
    elif kind == "ranking":
        for position, option_id in enumerate(answer["order"]):
            while rank_texts(page).index(texts[option_id]) > position:
                page.get_by_role("button", name=f"Move up: {texts[option_id]}", exact=True).click()
    elif kind == "numeric":
        page.locator("#answer-value").fill(str(answer["value"]))
    else:
        page.locator("#answer-text").fill(answer["text"])


def rank_texts(page) -> list[str]:
    """The ranking list's texts, top to bottom, as shown."""
    return [text.strip() for text in page.locator(".rank-text").all_inner_texts()]


def step_id_of(url: str) -> str | None:
    match = re.search(r"/step/([a-z0-9-]+)$", url)
    return match.group(1) if match else None


# --- Keyboard only -----------------------------------------------------------------------------


def tab_to(page, selector: str, *, limit: int = 80, backwards: bool = False) -> None:
    """Press Tab until the focused element matches ``selector``; fail if it never does."""
    for _ in range(limit):
        if page.evaluate(
            "s => !!document.activeElement && document.activeElement.matches(s)", selector
        ):
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    raise AssertionError(f"Tab never reached {selector!r}")


def focus_is_visible(page) -> bool:
    """Whether the focused element draws a focus indicator (outline or ring) and is not hidden
    under the sticky header (WCAG 2.4.7 and 2.4.11)."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            if (!el || el === document.body) return false;
            const style = getComputedStyle(el);
            const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
            const ring = style.boxShadow && style.boxShadow !== 'none';
            const header = document.querySelector('.site-header');
            const top = el.getBoundingClientRect().top;
            const clear = !header || el.closest('.site-header') ||
                top >= header.getBoundingClientRect().bottom - 1;
            return (outline || ring) && !!clear;
        }"""
    )
