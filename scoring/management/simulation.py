"""Synthetic candidates for demos, benchmarks and reports, taken through the real services.

Each candidate is invited (``create_invitation``), consents (``start_attempt``), answers the
step the server puts in front of them (``save_answer``), moves on (``advance``, which follows
the version's branching through ``flow.next_step_id``) and submits
(``submit_attempt``, which writes the scoring job) — the one door a browser uses too.

Answers span every level: candidate ``i`` of ``n`` has an ability drawn in the ``i``-th
n-quantile of [0, 1) and each step adds noise, so across a batch every option, rating,
ordering and numeric outcome (exact, partial, miss) appears. Free text is drawn from the
criterion's **held-back exemplars** at the level the ability points to: exemplars the text
models never trained on (``scoring.services.training.split_exemplars``: per level, ordered by the
sha256 of their text, the first ``len // TEXT_MODEL_HOLD_BACK_EVERY``). A level with too few
exemplars to hold one back falls back to its other exemplars; a criterion with none answers
with its reference answer (strong candidates) or a short off-target sentence.

Deterministic for a seed: the same seed, version and count give the same answers.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta

from assessments import services as assessment_services
from flow import TEXT_ITEM_TYPES, steps_by_id
from scoring.models import ScoringJob
from scoring.services.runs import run_scoring_job
from scoring.services.training import split_exemplars

WEAK_TEXT = "I would look into it when I have time."
NEUTRAL_TEXT = "Read and understood."
SKIP_CHANCE = 0.04  # the weakest candidates sometimes leave a step blank
MAX_STEPS = 500


@dataclass
class SimulatedAttempt:
    """One synthetic candidate: their attempt, ability and the text levels aimed at."""

    attempt: object
    ability: float
    text_levels: dict[str, int]


def _noisy(ability: float, rng: random.Random, spread: float = 0.2) -> float:
    return min(1.0, max(0.0, ability + rng.gauss(0.0, spread)))


def _single(item: dict, p: float, rng: random.Random) -> dict:
    options = sorted(item["options"], key=lambda o: (o.get("points", 0), o["id"]))
    index = min(len(options) - 1, int(p * len(options)))
    same = [o for o in options if o.get("points", 0) == options[index].get("points", 0)]
    return {"option": rng.choice(same)["id"]}


def _multiple(item: dict, p: float, rng: random.Random) -> dict:
    options = item["options"]
    right = sorted((o for o in options if o.get("points", 0) > 0), key=lambda o: -o["points"])
    wrong = [o for o in options if o.get("points", 0) <= 0]
    picks = right[: round(p * len(right))]
    picks += rng.sample(wrong, min(len(wrong), round((1 - p) * 2)))
    fewest, most = item.get("min_select") or 1, item.get("max_select") or len(options)
    for option in [*right, *wrong]:
        if len(picks) >= fewest:
            break
        if option not in picks:
            picks.append(option)
    picks = sorted(picks, key=lambda o: -o.get("points", 0))[:most]
    return {"options": [o["id"] for o in picks]}


def _rate(item: dict, p: float, rng: random.Random) -> dict:
    scale = item.get("scale") or {}
    low, high = int(scale.get("min", 1)), int(scale.get("max", 5))
    ratings = {}
    for option in item["options"]:
        key = round(float(option.get("key", (low + high) / 2)))
        drift = round(rng.gauss(0.0, (1 - p) * (high - low) * 0.6))
        ratings[option["id"]] = min(high, max(low, key + drift))
    return {"ratings": ratings}


def _best_worst(item: dict, p: float, rng: random.Random) -> dict:
    ids = [o["id"] for o in item["options"]]
    key = item.get("key") or {}
    best = key.get("best") if rng.random() < p and key.get("best") in ids else rng.choice(ids)
    others = [i for i in ids if i != best]
    worst = key.get("worst") if rng.random() < p and key.get("worst") in others else None
    return {"best": best, "worst": worst or rng.choice(others)}


def _ranking(item: dict, p: float, rng: random.Random) -> dict:
    order = list(item.get("key_order") or [o["id"] for o in item["options"]])
    for _ in range(round((1 - p) * len(order) * 1.5)):
        i = rng.randrange(len(order) - 1)
        order[i], order[i + 1] = order[i + 1], order[i]
    return {"order": order}


def _numeric(item: dict, p: float, rng: random.Random) -> dict:
    answer = float(item["answer"])
    scale = abs(answer) if item.get("tolerance_kind") == "relative" else 1.0
    tolerance = float(item.get("tolerance", 0)) * scale
    partial = item.get("partial_tolerance")
    partial = float(partial) * scale if partial is not None else None
    sign = rng.choice((-1, 1))
    roll = rng.random()
    if roll < p:
        value = answer
    elif partial is not None and partial > tolerance and roll < p + (1 - p) / 2:
        value = answer + sign * (tolerance + partial) / 2
    else:
        value = answer + sign * max(2 * (partial or 0), 2 * tolerance, 0.25 * abs(answer), 1.0)
    return {"value": round(value, 6)}


def _text(step: dict, p: float, rng: random.Random, levels_aimed: dict[str, int]) -> dict:
    item = step["item"]
    limit = int(item.get("max_length", 4000))
    criteria = step.get("criteria") or []
    if not criteria:
        return {"text": NEUTRAL_TEXT[:limit]}
    criterion = criteria[0]
    levels = criterion.get("levels") or []
    target = min(len(levels) - 1, int(p * len(levels))) if levels else 0
    levels_aimed[f"{step['id']}/{criterion['id']}"] = target
    training, held_back = split_exemplars(criterion)
    for pool in (held_back, training):
        at_level = [text for text, level in pool if level == target]
        if at_level:
            return {"text": rng.choice(at_level)[:limit]}
    everything = held_back or training
    if everything:
        nearest = min(everything, key=lambda pair: (abs(pair[1] - target), pair[0]))
        return {"text": nearest[0][:limit]}
    strong = criterion.get("reference_answer") if p >= 0.5 else None
    return {"text": (strong or WEAK_TEXT)[:limit]}


_ANSWERS = {
    "single_choice": _single,
    "multiple_choice": _multiple,
    "ranking": _ranking,
    "numeric": _numeric,
}


def answer_for(step: dict, ability: float, rng: random.Random, levels_aimed: dict) -> dict:
    """A candidate of this ability's answer to one step ({} leaves it blank)."""
    p = _noisy(ability, rng)
    if rng.random() < SKIP_CHANCE * (1 - ability) ** 2:
        return {}
    item = step["item"]
    kind = item["type"]
    if kind in TEXT_ITEM_TYPES:
        return _text(step, p, rng, levels_aimed)
    if kind == "sjt":
        return _rate(item, p, rng) if item.get("mode") == "rate" else _best_worst(item, p, rng)
    return _ANSWERS[kind](item, p, rng)


def take_attempt(attempt, ability: float, rng: random.Random) -> dict[str, int]:
    """Walk the attempt step by step as the server leads; returns the text levels aimed at."""
    steps = steps_by_id(attempt.version.content)
    levels_aimed: dict[str, int] = {}
    step_id = attempt.current_step
    for _ in range(MAX_STEPS):
        answer = answer_for(steps[step_id], ability, rng, levels_aimed)
        if answer:
            assessment_services.save_answer(attempt, step_id, answer)
        step_id = assessment_services.advance(attempt, step_id)
        if step_id is None:
            return levels_aimed
    raise RuntimeError("the assessment did not end within MAX_STEPS steps")


def simulate_candidates(
    version,
    *,
    count: int,
    seed: int,
    submit: bool = True,
    score_inline: bool = False,
    ability_factors: Callable[[list], Mapping[uuid.UUID, float]] | None = None,
) -> list[SimulatedAttempt]:
    """Invite, take and (by default) submit ``count`` synthetic attempts at ``version``.

    ``score_inline`` runs each submission's scoring job in this process (no worker needed).
    ``ability_factors``, given the started attempts, returns a factor per attempt public id
    that scales that candidate's ability (compliance's demographic simulation makes one group
    weaker with it; scoring knows nothing of demographics).
    """
    if count < 1:
        return []
    attempts = []
    for index in range(count):
        invitation, _ = assessment_services.create_invitation(
            version,
            name=f"Simulated candidate {seed}-{index + 1}",
            email=f"sim-{seed}-{index + 1}@simulated.invalid",
            ttl=timedelta(days=30),
        )
        attempts.append(assessment_services.start_attempt(invitation))
    quality = {attempt.public_id: 1.0 for attempt in attempts}
    if ability_factors is not None:
        quality.update(ability_factors(attempts))
    order = list(range(count))
    random.Random(f"skillproof-sim/{seed}/order").shuffle(order)
    simulated = []
    for index, attempt in enumerate(attempts):
        rng = random.Random(f"skillproof-sim/{seed}/{index}")
        ability = (order[index] + rng.random()) / count * quality[attempt.public_id]
        levels = take_attempt(attempt, ability, rng)
        if submit:
            assessment_services.submit_attempt(attempt)
            if score_inline:
                job = ScoringJob.objects.get(attempt=attempt, reason=ScoringJob.Reason.SUBMITTED)
                run_scoring_job(job.pk)
        simulated.append(SimulatedAttempt(attempt, ability, levels))
    return simulated
