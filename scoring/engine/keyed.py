"""Scorers for keyed items: each turns (item, answer) into a fraction of credit in [0, 1].

A malformed answer (wrong shape, unknown option id, NaN, a string for a number, too many picks)
is never an error: it scores 0 with the reason in its evidence.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
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
    return {option["id"]: option for option in item.get("options", []) if "id" in option}


def _number(value: Any) -> float | None:
    """A finite real number, or None (bools, strings, NaN and infinities are not numbers)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _clip(value: float) -> float:
    return min(1.0, max(0.0, value))


def score_single_choice(item: dict, answer: Any) -> ItemOutcome:
    """Credit = the option's points over the best option's points."""
    if not isinstance(answer, dict) or not isinstance(answer.get("option"), str):
        return invalid("keyed", "expected {'option': id}")
    options = _options(item)
    option = options.get(answer["option"])
    if option is None:
        return invalid("keyed", "unknown option id")
    best = max((_number(o.get("points")) or 0.0 for o in options.values()), default=0.0)
    points = _number(option.get("points")) or 0.0
    fraction = _clip(points / best) if best > 0 else 0.0
    evidence = {
        "status": "answered",
        "option": option["id"],
        "option_points": points,
        "best_points": best,
        "rationale": option.get("rationale", ""),
    }
    return ItemOutcome(fraction, "keyed", evidence)


def score_multiple_choice(item: dict, answer: Any) -> ItemOutcome:
    """Credit = sum of the picked options' points (wrong picks are negative) over the best sum.

    Repeated ids count once. More picks than ``max_select`` is an invalid answer (the form never
    sends one, and allowing it would let a candidate tick everything); fewer than ``min_select``
    is scored as it stands, since missing picks already cost credit.
    """
    picks = answer.get("options") if isinstance(answer, dict) else None
    if not isinstance(picks, list) or not all(isinstance(pick, str) for pick in picks):
        return invalid("keyed", "expected {'options': [id, ...]}")
    options = _options(item)
    chosen = sorted(set(picks))
    if any(pick not in options for pick in chosen):
        return invalid("keyed", "unknown option id")
    max_select = item.get("max_select")
    if (
        isinstance(max_select, int)
        and not isinstance(max_select, bool)
        and len(chosen) > max_select
    ):
        return invalid("keyed", f"more than max_select={max_select} options")
    best = sum(max(0.0, _number(o.get("points")) or 0.0) for o in options.values())
    total = sum(_number(options[pick].get("points")) or 0.0 for pick in chosen)
    fraction = _clip(total / best) if best > 0 else 0.0
    evidence = {
        "status": "answered",
        "selected": [
            {
                "option": pick,
                "points": _number(options[pick].get("points")) or 0.0,
                "rationale": options[pick].get("rationale", ""),
            }
            for pick in chosen
        ],
        "selected_points": total,
        "best_points": best,
    }
    return ItemOutcome(fraction, "keyed", evidence)


def score_sjt(item: dict, answer: Any) -> ItemOutcome:
    """Situational judgement: rate mode or best/worst mode."""
    if item.get("mode") == "best_worst":
        return _score_best_worst(item, answer)
    return _score_rate(item, answer)


def _score_rate(item: dict, answer: Any) -> ItemOutcome:
    """Credit = 1 - mean |rating - key| / scale range; an option left unrated is a full miss."""
    ratings = answer.get("ratings") if isinstance(answer, dict) else None
    if not isinstance(ratings, dict):
        return invalid("sjt", "expected {'ratings': {id: rating}}")
    options = _options(item)
    scale = item.get("scale") or {}
    low, high = _number(scale.get("min")), _number(scale.get("max"))
    if low is None or high is None or high <= low or not options:
        return invalid("sjt", "item has no usable scale")
    if any(option_id not in options for option_id in ratings):
        return invalid("sjt", "unknown option id")
    span = high - low
    per_option = []
    for option_id, option in options.items():
        key = _number(option.get("key"))
        if option_id not in ratings:
            per_option.append({"option": option_id, "rating": None, "key": key, "distance": 1.0})
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


def _score_best_worst(item: dict, answer: Any) -> ItemOutcome:
    """Half credit for the expert's best option, half for the expert's worst."""
    if not isinstance(answer, dict):
        return invalid("sjt", "expected {'best': id, 'worst': id}")
    options = _options(item)
    key = item.get("key") or {}
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


def score_ranking(item: dict, answer: Any) -> ItemOutcome:
    """Credit = max(0, Spearman rho) against the key order; the order names each option once."""
    order = answer.get("order") if isinstance(answer, dict) else None
    if not isinstance(order, list) or not all(isinstance(option_id, str) for option_id in order):
        return invalid("ranking", "expected {'order': [id, ...]}")
    key_order = [option_id for option_id in item.get("key_order", []) if isinstance(option_id, str)]
    if sorted(order) != sorted(key_order) or len(set(order)) != len(order):
        return invalid("ranking", "the order must list every option exactly once")
    rho = spearman_rho(order, key_order)
    evidence = {"status": "answered", "order": order, "key_order": key_order, "spearman_rho": rho}
    return ItemOutcome(max(0.0, rho), "ranking", evidence)


def _within(difference: float, tolerance: float, kind: str, expected: float) -> bool:
    allowed = tolerance * abs(expected) if kind == "relative" else tolerance
    return difference <= allowed * (1 + _TOLERANCE_SLACK) + _TOLERANCE_SLACK * 1e-3


def score_numeric(item: dict, answer: Any) -> ItemOutcome:
    """Full credit within ``tolerance``, half within ``partial_tolerance``, else none."""
    value = _number(answer.get("value")) if isinstance(answer, dict) else None
    if value is None:
        return invalid("numeric", "expected {'value': a finite number}")
    expected = _number(item.get("answer"))
    if expected is None:
        return invalid("numeric", "item has no numeric answer")
    kind = item.get("tolerance_kind", "absolute")
    tolerance = _number(item.get("tolerance")) or 0.0
    partial = _number(item.get("partial_tolerance"))
    difference = abs(value - expected)
    if _within(difference, tolerance, kind, expected):
        hit, fraction = "exact", 1.0
    elif partial is not None and _within(difference, partial, kind, expected):
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
        "partial_tolerance": partial,
        "unit": item.get("unit", ""),
        "hit": hit,
    }
    return ItemOutcome(fraction, "numeric", evidence)


KEYED_SCORERS: dict[str, Callable[[dict, Any], ItemOutcome]] = {
    "single_choice": score_single_choice,
    "multiple_choice": score_multiple_choice,
    "sjt": score_sjt,
    "ranking": score_ranking,
    "numeric": score_numeric,
}

KEYED_METHODS = {
    "single_choice": "keyed",
    "multiple_choice": "keyed",
    "sjt": "sjt",
    "ranking": "ranking",
    "numeric": "numeric",
}
