"""Scorers for keyed items: each turns an answer into a fraction of credit in [0, 1].

An item is compiled once (compile_item): its key is read into a scorer of answers, so scoring
many attempts never re-reads the document. A single-choice item has one outcome per option,
all computed when it is compiled.

A malformed answer (wrong shape, unknown option id, NaN, a string for a number, too many picks)
is never an error: it scores 0 with the reason in its evidence.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

# Relative slack on numeric tolerances so that 4.56 - 4.55 (0.0099999..., or 0.0100000...1
# depending on the operands) counts as within a 0.01 tolerance: authors mean decimal maths.
_TOLERANCE_SLACK = 1e-9


@dataclass(frozen=True, slots=True)
class ItemOutcome:
    """What an item scorer concluded: the fraction of credit and why."""

    fraction: float
    method: str
    evidence: dict = field(default_factory=dict)
    valid: bool = True


def invalid(method: str, reason: str) -> ItemOutcome:
    """A malformed answer: no credit, and the reason kept as evidence."""
    return ItemOutcome(
        0.0, method, {"status": "invalid", "note": f"invalid answer: {reason}"}, False
    )


def _options(item: dict) -> dict[str, dict]:
    return {
        option["id"]: option
        for option in item.get("options") or []
        if isinstance(option, dict) and "id" in option
    }


def _number(value: Any) -> float | None:
    """A finite real number, or None (bools, strings, NaN and infinities are not numbers)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _clip(value: float) -> float:
    return min(1.0, max(0.0, value))


def _single_choice(item: dict) -> Callable[[Any], ItemOutcome]:
    """Credit = the option's points over the best option's points."""
    options = _options(item)
    best = max((_number(o.get("points")) or 0.0 for o in options.values()), default=0.0)
    outcomes = {}
    for option_id, option in options.items():
        points = _number(option.get("points")) or 0.0
        evidence = {
            "status": "answered",
            "option": option["id"],
            "option_points": points,
            "best_points": best,
            "rationale": option.get("rationale", ""),
        }
        outcomes[option_id] = ItemOutcome(
            _clip(points / best) if best > 0 else 0.0, "keyed", evidence
        )
    malformed = invalid("keyed", "expected {'option': id}")
    unknown = invalid("keyed", "unknown option id")

    def score(answer: Any) -> ItemOutcome:
        if not isinstance(answer, dict) or not isinstance(answer.get("option"), str):
            return malformed
        return outcomes.get(answer["option"], unknown)

    return score


def _multiple_choice(item: dict) -> Callable[[Any], ItemOutcome]:
    """Credit = sum of the picked options' points (wrong picks are negative) over the best sum.

    Repeated ids count once. More picks than ``max_select`` is an invalid answer (the form never
    sends one, and allowing it would let a candidate tick everything); fewer than ``min_select``
    is scored as it stands, since missing picks already cost credit.
    """
    options = _options(item)
    points = {option_id: _number(o.get("points")) or 0.0 for option_id, o in options.items()}
    best = sum(max(0.0, value) for value in points.values())
    max_select = item.get("max_select")
    if not isinstance(max_select, int) or isinstance(max_select, bool):
        max_select = None
    malformed = invalid("keyed", "expected {'options': [id, ...]}")
    unknown = invalid("keyed", "unknown option id")
    too_many = invalid("keyed", f"more than max_select={max_select} options")

    def score(answer: Any) -> ItemOutcome:
        picks = answer.get("options") if isinstance(answer, dict) else None
        if not isinstance(picks, list) or not all(isinstance(pick, str) for pick in picks):
            return malformed
        chosen = sorted(set(picks))
        if any(pick not in options for pick in chosen):
            return unknown
        if max_select is not None and len(chosen) > max_select:
            return too_many
        total = sum(points[pick] for pick in chosen)
        evidence = {
            "status": "answered",
            "selected": [
                {
                    "option": pick,
                    "points": points[pick],
                    "rationale": options[pick].get("rationale", ""),
                }
                for pick in chosen
            ],
            "selected_points": total,
            "best_points": best,
        }
        return ItemOutcome(_clip(total / best) if best > 0 else 0.0, "keyed", evidence)

    return score


def _sjt(item: dict) -> Callable[[Any], ItemOutcome]:
    """Situational judgement: rate mode or best/worst mode."""
    if item.get("mode") == "best_worst":
        return partial(_score_best_worst, _options(item), item.get("key") or {})
    return _rate(item)


def _rate(item: dict) -> Callable[[Any], ItemOutcome]:
    """Credit = 1 - mean |rating - key| / scale range; an option left unrated is a full miss."""
    options = _options(item)
    scale = item.get("scale") or {}
    low, high = _number(scale.get("min")), _number(scale.get("max"))
    usable = low is not None and high is not None and high > low and bool(options)
    keys = {option_id: _number(option.get("key")) for option_id, option in options.items()}

    def score(answer: Any) -> ItemOutcome:
        ratings = answer.get("ratings") if isinstance(answer, dict) else None
        if not isinstance(ratings, dict):
            return invalid("sjt", "expected {'ratings': {id: rating}}")
        if not usable:
            return invalid("sjt", "item has no usable scale")
        if any(option_id not in options for option_id in ratings):
            return invalid("sjt", "unknown option id")
        span = high - low
        per_option = []
        for option_id, key in keys.items():
            if option_id not in ratings:
                per_option.append(
                    {"option": option_id, "rating": None, "key": key, "distance": 1.0}
                )
                continue
            rating = _number(ratings[option_id])
            if rating is None or not low <= rating <= high:
                return invalid("sjt", f"rating for {option_id!r} is not a number on the scale")
            distance = abs(rating - key) / span if key is not None else 1.0
            per_option.append(
                {"option": option_id, "rating": rating, "key": key, "distance": min(1.0, distance)}
            )
        mean_distance = sum(entry["distance"] for entry in per_option) / len(per_option)
        evidence = {
            "status": "answered",
            "mode": "rate",
            "mean_distance": mean_distance,
            "ratings": per_option,
        }
        return ItemOutcome(_clip(1.0 - mean_distance), "sjt", evidence)

    return score


def _score_best_worst(options: dict, key: dict, answer: Any) -> ItemOutcome:
    """Half credit for the expert's best option, half for the expert's worst."""
    if not isinstance(answer, dict):
        return invalid("sjt", "expected {'best': id, 'worst': id}")
    picks = {}
    for side in ("best", "worst"):
        pick = answer.get(side)
        if pick is not None and (not isinstance(pick, str) or pick not in options):
            return invalid("sjt", f"unknown option id for {side}")
        picks[side] = pick
    if picks["best"] is not None and picks["best"] == picks["worst"]:
        return invalid("sjt", "the same option cannot be both best and worst")
    matched = {side: picks[side] is not None and picks[side] == key.get(side) for side in picks}
    evidence = {
        "status": "answered",
        "mode": "best_worst",
        **{
            side: {"chosen": picks[side], "key": key.get(side), "matched": matched[side]}
            for side in ("best", "worst")
        },
    }
    return ItemOutcome(0.5 * matched["best"] + 0.5 * matched["worst"], "sjt", evidence)


def spearman_rho(order: list[str], key_order: list[str]) -> float:
    """Spearman's rank correlation between two orderings of the same ids (no ties)."""
    n = len(key_order)
    if n < 2:
        return 1.0
    key_rank = {option_id: rank for rank, option_id in enumerate(key_order)}
    squared = sum((rank - key_rank[option_id]) ** 2 for rank, option_id in enumerate(order))
    return 1.0 - 6.0 * squared / (n * (n * n - 1))


def _ranking(item: dict) -> Callable[[Any], ItemOutcome]:
    """Credit = max(0, Spearman rho) against the key order; the order names each option once."""
    key_order = [option_id for option_id in item.get("key_order", []) if isinstance(option_id, str)]
    expected = sorted(key_order)

    def score(answer: Any) -> ItemOutcome:
        order = answer.get("order") if isinstance(answer, dict) else None
        if not isinstance(order, list) or not all(isinstance(item_id, str) for item_id in order):
            return invalid("ranking", "expected {'order': [id, ...]}")
        if sorted(order) != expected or len(set(order)) != len(order):
            return invalid("ranking", "the order must list every option exactly once")
        rho = spearman_rho(order, key_order)
        evidence = {
            "status": "answered",
            "order": list(order),  # a copy: outcomes may be remembered, answers are the caller's
            "key_order": key_order,
            "spearman_rho": rho,
        }
        return ItemOutcome(max(0.0, rho), "ranking", evidence)

    return score


def _within(difference: float, tolerance: float, kind: str, expected: float) -> bool:
    allowed = tolerance * abs(expected) if kind == "relative" else tolerance
    return difference <= allowed * (1 + _TOLERANCE_SLACK) + _TOLERANCE_SLACK * 1e-3


def _numeric(item: dict) -> Callable[[Any], ItemOutcome]:
    """Full credit within ``tolerance``, half within ``partial_tolerance``, else none."""
    expected = _number(item.get("answer"))
    kind = item.get("tolerance_kind", "absolute")
    tolerance = _number(item.get("tolerance")) or 0.0
    partial_tolerance = _number(item.get("partial_tolerance"))
    unit = item.get("unit", "")

    def score(answer: Any) -> ItemOutcome:
        value = _number(answer.get("value")) if isinstance(answer, dict) else None
        if value is None:
            return invalid("numeric", "expected {'value': a finite number}")
        if expected is None:
            return invalid("numeric", "item has no numeric answer")
        difference = abs(value - expected)
        if _within(difference, tolerance, kind, expected):
            hit, fraction = "exact", 1.0
        elif partial_tolerance is not None and _within(
            difference, partial_tolerance, kind, expected
        ):
            hit, fraction = "partial", 0.5
        else:
            hit, fraction = "miss", 0.0
        evidence = {
            "status": "answered",
            "value": value,
            "expected": expected,
            "difference": value - expected,
            "tolerance": tolerance,
            "tolerance_kind": kind,
            "partial_tolerance": partial_tolerance,
            "unit": unit,
            "hit": hit,
        }
        return ItemOutcome(fraction, "numeric", evidence)

    return score


_COMPILERS: dict[str, Callable[[dict], Callable[[Any], ItemOutcome]]] = {
    "single_choice": _single_choice,
    "multiple_choice": _multiple_choice,
    "sjt": _sjt,
    "ranking": _ranking,
    "numeric": _numeric,
}

KEYED_METHODS = {
    "single_choice": "keyed",
    "multiple_choice": "keyed",
    "sjt": "sjt",
    "ranking": "ranking",
    "numeric": "numeric",
}

_UNKNOWN_TYPE = ItemOutcome(
    0.0, "keyed", {"status": "invalid", "note": "invalid answer: unknown item type"}, False
)


@dataclass(frozen=True, slots=True)
class CompiledItem:
    """A keyed item ready to score answers."""

    score: Callable[[Any], ItemOutcome]
    # The answer reduced to all that score() reads, as a hashable value, for items whose
    # answers repeat from one candidate to the next (choices, orders); None for the rest.
    answer_key: Callable[[Any], Hashable | None]


def compile_item(item: dict) -> CompiledItem:
    """The scorer of answers to one keyed item, its key read once."""
    item_type = str(item.get("type", ""))
    compiler = _COMPILERS.get(item_type)
    if compiler is None:
        return CompiledItem(lambda _answer: _UNKNOWN_TYPE, _no_key)
    if item_type == "sjt" and item.get("mode") != "best_worst":
        return CompiledItem(compiler(item), _no_key)
    return CompiledItem(compiler(item), _ANSWER_KEYS.get(item_type, _no_key))


def _no_key(_answer: Any) -> None:
    return None


def _option_key(answer: Any) -> Hashable | None:
    option = answer.get("option") if isinstance(answer, dict) else None
    return option if isinstance(option, str) else None


def _strings_in(answer: Any, field_name: str) -> list[str] | None:
    values = answer.get(field_name) if isinstance(answer, dict) else None
    if isinstance(values, list) and all(isinstance(value, str) for value in values):
        return values
    return None


def _selection_key(answer: Any) -> Hashable | None:
    picks = _strings_in(answer, "options")
    return None if picks is None else tuple(sorted(set(picks)))


def _order_key(answer: Any) -> Hashable | None:
    order = _strings_in(answer, "order")
    return None if order is None else tuple(order)


def _best_worst_key(answer: Any) -> Hashable | None:
    if not isinstance(answer, dict):
        return None
    picks = (answer.get("best"), answer.get("worst"))
    return picks if all(pick is None or isinstance(pick, str) for pick in picks) else None


_ANSWER_KEYS: dict[str, Callable[[Any], Hashable | None]] = {
    "single_choice": _option_key,
    "multiple_choice": _selection_key,
    "ranking": _order_key,
    "sjt": _best_worst_key,
}
