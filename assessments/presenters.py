"""What a candidate's browser may see of a step: never keys, points, rubrics or other steps."""

import markdown as markdown_lib
import nh3
from django.utils.safestring import SafeString, mark_safe

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


_ITEM_FIELDS_FOR_CANDIDATE = {
    "single_choice": ("type",),
    "multiple_choice": ("type", "min_select", "max_select"),
    "sjt": ("type", "mode", "scale"),
    "ranking": ("type",),
    "numeric": ("type", "unit"),
    "short_text": ("type", "max_length"),
    "long_text": ("type", "max_length"),
}


def candidate_item(item: dict) -> dict:
    """The item without keys, points, rationales or branch targets."""
    visible = {
        field: item[field] for field in _ITEM_FIELDS_FOR_CANDIDATE[item["type"]] if field in item
    }
    if "options" in item:
        visible["options"] = [
            {"id": option["id"], "text": option["text"]} for option in item["options"]
        ]
    return visible


def candidate_step(step: dict) -> dict:
    """A step as the candidate sees it: narrative, prompt, data and the keyless item."""
    return {
        "id": step["id"],
        "title": step.get("title", ""),
        "context_html": render_markdown(step.get("context", "")),
        "prompt_html": render_markdown(step.get("prompt", "")),
        "data": step.get("data"),
        "item": candidate_item(step["item"]),
        "scored": bool(step.get("criteria")),
    }
