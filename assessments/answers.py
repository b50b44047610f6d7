"""The shape of an answer for each item type, checked before anything is stored. Pure.

Answers arrive from a browser, so every one is treated as hostile: unknown keys, unknown
option ids, out-of-range ratings, non-finite numbers, over-long text and characters that
PostgreSQL cannot store are refused with a message a candidate can act on.
"""

import math
from typing import Any

from assessments.exceptions import InvalidAnswer

# JSON text in PostgreSQL cannot hold NUL; other C0 controls are never typed by a person.
_FORBIDDEN_CHARS = {chr(code) for code in range(32)} - {"\n", "\r", "\t"}
_ALLOWED_KEYS = {
    "single_choice": {"option"},
    "multiple_choice": {"options"},
    "rate": {"ratings"},
    "best_worst": {"best", "worst"},
    "ranking": {"order"},
    "numeric": {"value"},
    "short_text": {"text"},
    "long_text": {"text"},
}
NUMERIC_LIMIT = 1e15


def answer_kind(item: dict) -> str:
    """The answer shape an item takes: its type, or the SJT mode."""
    if item["type"] == "sjt":
        return "rate" if item.get("mode") == "rate" else "best_worst"
    return item["type"]


def _option_ids(item: dict) -> list[str]:
    return [option["id"] for option in item.get("options", [])]


def _known_option(item: dict, value: Any) -> str:
    if not isinstance(value, str) or value not in _option_ids(item):
        raise InvalidAnswer("That option is not one of the choices on this page.")
    return value


def _check_single(item: dict, answer: dict) -> dict:
    if "option" not in answer or answer["option"] in ("", None):
        return {}
    return {"option": _known_option(item, answer["option"])}


def _check_multiple(item: dict, answer: dict) -> dict:
    chosen = answer.get("options", [])
    if not isinstance(chosen, list):
        raise InvalidAnswer("The choices could not be read.")
    ids = [_known_option(item, value) for value in chosen]
    if len(set(ids)) != len(ids):
        raise InvalidAnswer("Each option can be chosen only once.")
    most = item.get("max_select")
    if most is not None and len(ids) > most:
        raise InvalidAnswer(f"Choose at most {most} options.")
    return {"options": ids} if ids else {}


def _check_rate(item: dict, answer: dict) -> dict:
    ratings = answer.get("ratings", {})
    if not isinstance(ratings, dict):
        raise InvalidAnswer("The ratings could not be read.")
    scale = item.get("scale", {})
    low, high = scale.get("min", 1), scale.get("max", 5)
    clean = {}
    for option_id, rating in ratings.items():
        _known_option(item, option_id)
        if isinstance(rating, bool) or not isinstance(rating, int) or not low <= rating <= high:
            raise InvalidAnswer(f"Each rating must be a whole number from {low} to {high}.")
        clean[option_id] = rating
    return {"ratings": clean} if clean else {}


def _check_best_worst(item: dict, answer: dict) -> dict:
    clean = {
        field: _known_option(item, answer[field])
        for field in ("best", "worst")
        if answer.get(field) not in (None, "")
    }
    if clean.get("best") is not None and clean.get("best") == clean.get("worst"):
        raise InvalidAnswer("The same response cannot be both the most and the least effective.")
    return clean


def _check_ranking(item: dict, answer: dict) -> dict:
    order = answer.get("order", [])
    if not isinstance(order, list):
        raise InvalidAnswer("The order could not be read.")
    if not order:
        return {}
    ids = [_known_option(item, value) for value in order]
    if sorted(ids) != sorted(_option_ids(item)):
        raise InvalidAnswer("Put every item in the list in order, each exactly once.")
    return {"order": ids}


def _check_numeric(item: dict, answer: dict) -> dict:
    if "value" not in answer or answer["value"] is None:
        return {}
    value = answer["value"]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidAnswer("Enter a number, for example 42 or 41.5.")
    if not math.isfinite(value) or abs(value) >= NUMERIC_LIMIT:
        raise InvalidAnswer("That number is too large to be an answer here.")
    return {"value": value}


def _check_text(item: dict, answer: dict) -> dict:
    text = answer.get("text", "")
    if not isinstance(text, str):
        raise InvalidAnswer("The text could not be read.")
    limit = int(item.get("max_length", 4000))
    if len(text) > limit:
        raise InvalidAnswer(
            f"Your answer is {len(text):,} characters long; the limit is {limit:,}. "
            "Shorten it and it will be saved."
        )
    if any(char in _FORBIDDEN_CHARS for char in text):
        raise InvalidAnswer("Your answer contains control characters that cannot be saved.")
    return {"text": text} if text else {}


_CHECKS = {
    "single_choice": _check_single,
    "multiple_choice": _check_multiple,
    "rate": _check_rate,
    "best_worst": _check_best_worst,
    "ranking": _check_ranking,
    "numeric": _check_numeric,
    "short_text": _check_text,
    "long_text": _check_text,
}


def clean_answer(item: dict, answer: Any) -> dict:
    """The answer normalised for storage; raises InvalidAnswer with a candidate-facing message.

    An empty dict means "not answered yet" (partial answers are fine while autosaving).
    """
    if not isinstance(answer, dict):
        raise InvalidAnswer("An answer must be a JSON object.")
    kind = answer_kind(item)
    unknown = set(answer) - _ALLOWED_KEYS[kind]
    if unknown:
        raise InvalidAnswer("The answer has fields this question does not take.")
    return _CHECKS[kind](item, answer)


def incomplete_reason(item: dict, answer: dict) -> str | None:
    """Why a saved answer cannot be final yet (e.g. too few choices), or None.

    A blank answer is allowed: the candidate may skip a step and it scores nothing.
    """
    if not answer:
        return None
    kind = answer_kind(item)
    if kind == "multiple_choice":
        fewest = item.get("min_select") or 0
        if len(answer.get("options", [])) < fewest:
            return f"Choose at least {fewest} options, or clear them all to skip this question."
    if kind == "rate":
        missing = len(_option_ids(item)) - len(answer.get("ratings", {}))
        if missing:
            return "Rate every response before you continue."
    if kind == "best_worst" and len(answer) == 1:
        return "Choose both the most and the least effective response."
    return None


def readable_answer(item: dict, answer: dict) -> dict:
    """An answer with option ids replaced by the options' texts, for the candidate's own copy.

    Option ids are the author's names (``blame``, ``best``…) and say more than the candidate
    was shown; the texts are what they saw and chose.
    """
    texts = {option["id"]: option["text"] for option in item.get("options", [])}
    readable = dict(answer)
    for field in ("option", "best", "worst"):
        if field in answer:
            readable[field] = texts.get(answer[field], answer[field])
    for field in ("options", "order"):
        if field in answer:
            readable[field] = [texts.get(option_id, option_id) for option_id in answer[field]]
    if "ratings" in answer:
        readable["ratings"] = {
            texts.get(option_id, option_id): rating
            for option_id, rating in answer["ratings"].items()
        }
    return readable
