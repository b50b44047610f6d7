"""What a candidate's browser may see of a step: never keys, points, rubrics or other steps.

``candidate_step`` is the chokepoint: every candidate page renders a step only through it, and
``tests/assessments/test_no_leak.py`` checks its output and the HTML of every demo step.
Option ids never leave the server either (an author may call an option ``blame`` or
``best``): the browser sees an alias derived from the attempt, the step and SECRET_KEY, and
``stored_answer`` maps the aliases back. Ranking items are shown in an order shuffled per
attempt, never in the key order.
"""

import hashlib
import hmac
import random
import re
from functools import cache

import markdown as markdown_lib
import nh3
from django.conf import settings
from django.utils.safestring import SafeString, mark_safe

import flow
from assessments.answers import answer_kind
from assessments.exceptions import InvalidAnswer

# Only formatting survives: no raw HTML, scripts, styles, images or event handlers.
_ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h3",
    "h4",
    "hr",
}
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
PREVIEW_SEED = "preview"


def render_markdown(text: str) -> SafeString:
    """Markdown to sanitised HTML. Raw HTML in the source is escaped, then nh3 cleans the rest."""
    source = (text or "").replace("<", "&lt;").replace(">", "&gt;")
    html = markdown_lib.markdown(source, extensions=["sane_lists"])
    clean = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(clean)


def attempt_seed(attempt, step_id: str) -> str:
    """The per-attempt, per-step seed for option aliases and shuffling."""
    return f"{attempt.public_id}:{step_id}"


def option_alias(seed: str, option_id: str) -> str:
    """The name an option goes by in the browser: stable per attempt, meaningless outside it."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"option\x1f{seed}\x1f{option_id}".encode(), hashlib.sha256
    )
    return "o" + digest.hexdigest()[:12]


def _aliases(item: dict, seed: str) -> dict[str, str]:
    return {option["id"]: option_alias(seed, option["id"]) for option in item.get("options", [])}


def _shuffled_ids(item: dict, seed: str) -> list[str]:
    """A deterministic shuffle per attempt that is never the key order."""
    ids = [option["id"] for option in item["options"]]
    rng = random.Random(int.from_bytes(hashlib.sha256(f"order\x1f{seed}".encode()).digest()))
    rng.shuffle(ids)
    if ids == list(item.get("key_order", [])):
        ids = ids[1:] + ids[:1]
    return ids


def stored_answer(item: dict, seed: str, answer: dict) -> dict:
    """A browser answer with aliases mapped back to option ids; unknown aliases are refused."""
    real = {value: key for key, value in _aliases(item, seed).items()}
    # A client that already knows the real ids (a test, an integration) may use them: the
    # secret is what the browser is shown, not what the server accepts.
    ids = set(real.values())

    def one(value):
        if value in (None, "") or (isinstance(value, str) and value in ids):
            return value
        if not isinstance(value, str) or value not in real:
            raise InvalidAnswer("That option is not one of the choices on this page.")
        return real[value]

    def many(values):
        if not isinstance(values, list):
            raise InvalidAnswer("The choices could not be read.")
        return [one(value) for value in values]

    if not isinstance(answer, dict):
        raise InvalidAnswer("An answer must be a JSON object.")
    translated = dict(answer)
    for field in ("option", "best", "worst"):
        if field in answer:
            translated[field] = one(answer[field])
    for field in ("options", "order"):
        if field in answer:
            translated[field] = many(answer[field])
    if "ratings" in answer:
        if not isinstance(answer["ratings"], dict):
            raise InvalidAnswer("The ratings could not be read.")
        translated["ratings"] = {one(key): value for key, value in answer["ratings"].items()}
    return translated


def _scale(item: dict) -> list[dict]:
    scale = item.get("scale", {})
    low, high = int(scale.get("min", 1)), int(scale.get("max", 5))
    labels = list(scale.get("labels", []))
    return [
        {"value": value, "label": labels[index] if index < len(labels) else str(value)}
        for index, value in enumerate(range(low, high + 1))
    ]


def candidate_item(item: dict, seed: str = PREVIEW_SEED, answer: dict | None = None) -> dict:
    """The item as its form needs it: option aliases and texts, the candidate's own answer.

    Never keys, points, rationales or branch targets.
    """
    kind = answer_kind(item)
    texts = {option["id"]: option["text"] for option in item.get("options", [])}
    alias = _aliases(item, seed)
    answer = answer or {}
    view: dict = {"type": item["type"], "kind": kind}
    if kind == "single_choice":
        view["options"] = [
            {"id": alias[i], "text": t, "checked": answer.get("option") == i}
            for i, t in texts.items()
        ]
    elif kind == "multiple_choice":
        chosen = set(answer.get("options", []))
        view["min_select"] = item.get("min_select") or 0
        view["max_select"] = item.get("max_select") or len(texts)
        view["options"] = [
            {"id": alias[i], "text": t, "checked": i in chosen} for i, t in texts.items()
        ]
    elif kind == "rate":
        ratings = answer.get("ratings", {})
        view["scale"] = _scale(item)
        view["options"] = [
            {"id": alias[i], "text": t, "rating": ratings.get(i)} for i, t in texts.items()
        ]
    elif kind == "best_worst":
        view["options"] = [
            {
                "id": alias[i],
                "text": t,
                "best": answer.get("best") == i,
                "worst": answer.get("worst") == i,
            }
            for i, t in texts.items()
        ]
    elif kind == "ranking":
        saved = answer.get("order", [])
        order = saved if sorted(saved) == sorted(texts) else _shuffled_ids(item, seed)
        view["options"] = [{"id": alias[i], "text": texts[i]} for i in order]
    elif kind == "numeric":
        view["unit"] = item.get("unit", "")
        value = answer.get("value")
        view["value"] = "" if value is None else _plain_number(value)
    else:
        view["max_length"] = int(item.get("max_length", 4000))
        view["text"] = answer.get("text", "")
    return view


def _plain_number(value: float) -> str:
    """41.9 rather than 41.900000000000006 or 4.19e1 in the input box."""
    text = repr(float(value))
    if text.endswith(".0"):
        text = text[:-2]
    return text


def _inline(html: str) -> SafeString | None:
    """A one-paragraph rendering without its <p>, to sit inside a legend or label."""
    text = str(html).strip()
    if text.startswith("<p>") and text.endswith("</p>") and text.count("<p>") == 1:
        return mark_safe(text[3:-4])
    return None


HARD_WRAP_WIDTH = 60  # an email line at least this long that goes on was wrapped by its author


def email_paragraphs(body: str) -> list[list[str]]:
    """An email body as paragraphs of lines, with the author's hard wrapping undone.

    Short lines ("Hi,", "Thanks!", a list of figures) keep their breaks; a long line that
    continues on the next one is joined to it, so the text reflows at any width.
    """
    paragraphs = []
    for block in re.split(r"\n\s*\n", (body or "").strip()):
        lines: list[str] = []
        for line in block.splitlines():
            line = line.rstrip()
            if lines and len(lines[-1]) >= HARD_WRAP_WIDTH:
                lines[-1] = f"{lines[-1]} {line.strip()}"
            else:
                lines.append(line)
        if any(lines):
            paragraphs.append(lines)
    return paragraphs


def candidate_data(data: dict | None) -> dict | None:
    """The step's data as shown: tables and logs as written, emails reflowed."""
    if not data or data.get("kind") != "email":
        return data
    messages = [
        {**message, "paragraphs": email_paragraphs(message.get("body", ""))}
        for message in data.get("messages", [])
    ]
    return {**data, "messages": messages}


def candidate_step(step: dict, seed: str = PREVIEW_SEED, answer: dict | None = None) -> dict:
    """A step as the candidate sees it: narrative, prompt, data and the keyless item."""
    prompt_html = render_markdown(step.get("prompt", ""))
    return {
        "id": step["id"],
        "title": step.get("title", ""),
        "context_html": render_markdown(step.get("context", "")),
        "prompt_html": prompt_html,
        "prompt_inline": _inline(prompt_html),
        "data": candidate_data(step.get("data")),
        "item": candidate_item(step["item"], seed, answer),
        "scored": bool(step.get("criteria")),
    }


# --- Progress through a branching scenario ---------------------------------------------------


@cache
def _longest_from(table: tuple) -> dict[str, int]:
    """Longest number of steps from each step to an end (the step itself included)."""
    successors = dict(table)
    longest: dict[str, int] = {}

    def visit(step_id: str, trail: frozenset) -> int:
        if step_id in longest:
            return longest[step_id]
        if step_id in trail or step_id not in successors:
            return 0  # a broken graph never reaches a candidate, but stay finite anyway
        following = [visit(n, trail | {step_id}) for n in successors[step_id] if n]
        longest[step_id] = 1 + max(following, default=0)
        return longest[step_id]

    for step_id in successors:
        visit(step_id, frozenset())
    return longest


def _successor_table(content: dict) -> tuple:
    table = []
    for step in content["steps"]:
        targets = {step.get("next")}
        targets |= {rule["next"] for rule in step.get("rules", [])}
        targets |= {o["next"] for o in step["item"].get("options", []) if o.get("next")}
        table.append((step["id"], tuple(sorted(t for t in targets if t))))
    return tuple(table)


def steps_estimate(content: dict, path: list[str], step_id: str) -> tuple[int, int]:
    """(position, most steps in total) for the progress bar on ``step_id``."""
    table = _successor_table(content)
    longest = _longest_from(table)
    position = path.index(step_id) + 1
    return position, position - 1 + longest.get(step_id, 1)


def length_range(content: dict) -> tuple[int, int]:
    """The fewest and most steps a candidate can see, for the landing page."""
    steps = flow.steps_by_id(content)
    table = _successor_table(content)
    successors = dict(table)
    shortest: dict[str, int] = {}

    def fewest(step_id: str, trail: frozenset) -> int:
        if step_id in shortest:
            return shortest[step_id]
        if step_id in trail or step_id not in steps:
            return 10**6
        options = [fewest(n, trail | {step_id}) for n in successors[step_id]]
        ends = steps[step_id].get("next") is None
        best = 1 + min(options + ([0] if ends else []), default=0)
        shortest[step_id] = best
        return best

    most = _longest_from(table).get(content["start"], len(steps))
    return fewest(content["start"], frozenset()), most
