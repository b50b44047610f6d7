"""Synthetic demographics for demonstrations and tests of the bias audit.

`simulate_candidates_with_demographics` runs scoring's candidate simulator and gives the
attempts it creates realistic category shares, some candidates declining; with a disparity X
one group's answers are made worse: each profile carries a ``quality`` factor (1.0, or 1 - X
for the disadvantaged group) that scales the candidate's ability. Scoring never sees the
demographics: it only receives those factors. For attempts that are already scored, pass
``scores`` to `assign_demographics` instead: the disadvantaged group is then drawn more often
among the low scorers, which gives the same observable gap. Deterministic for a given seed.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import transaction

from assessments.models import Attempt
from compliance import demographics
from scoring.management.simulation import SimulatedAttempt, simulate_candidates

# Roughly the US labour force (BLS, EEO-1 categories). Two categories are under 2%, so the
# reports' small-category rule shows up in every demonstration.
SEX_SHARES: dict[str, float] = {"female": 0.47, "male": 0.53}
RACE_ETHNICITY_SHARES: dict[str, float] = {
    "hispanic-or-latino": 0.185,
    "white": 0.60,
    "black-or-african-american": 0.125,
    "native-hawaiian-or-pacific-islander": 0.004,
    "asian": 0.065,
    "american-indian-or-alaska-native": 0.007,
    "two-or-more-races": 0.014,
}
DECLINE_ALL = 0.06  # answers nothing
DECLINE_SEX = 0.02  # answers race/ethnicity only
DECLINE_RACE = 0.04  # answers sex only
DEFAULT_TARGET = ("sex", "female")


@dataclass(frozen=True)
class Profile:
    """One synthetic candidate's answers and how the simulator should treat their answers."""

    sex: str  # "" when not answered
    race_ethnicity: str  # "" when not answered
    declined: bool
    disadvantaged: bool
    # Multiply the chance of a strong answer by this (1.0 unless disadvantaged).
    quality: float


def parse_target(text: str) -> tuple[str, str]:
    """``"sex=female"`` or ``"race_ethnicity=asian"`` as a (dimension, category) pair."""
    dimension, _, category = text.partition("=")
    shares = {"sex": SEX_SHARES, "race_ethnicity": RACE_ETHNICITY_SHARES}.get(dimension)
    if shares is None or category not in shares:
        raise ValueError(
            f"{text!r} is not a group: use sex=<{'|'.join(SEX_SHARES)}> or "
            f"race_ethnicity=<{'|'.join(RACE_ETHNICITY_SHARES)}>."
        )
    return dimension, category


def _pick(rng: random.Random, shares: Mapping[str, float], boost: tuple[str, float] | None) -> str:
    weights = dict(shares)
    if boost is not None:
        category, factor = boost
        weights[category] = weights[category] * factor
    categories = list(weights)
    return rng.choices(categories, weights=[weights[c] for c in categories])[0]


def draw_profile(
    rng: random.Random,
    *,
    disparity: float = 0.0,
    target: tuple[str, str] = DEFAULT_TARGET,
    low_scorer: bool | None = None,
) -> Profile:
    """One profile. With ``low_scorer`` known, the target group is tilted towards low scores."""
    if not 0.0 <= disparity < 1.0:
        raise ValueError("The disparity is a fraction from 0 (none) to below 1.")
    boost = None
    if low_scorer is not None and disparity:
        boost = (target[1], (1 + disparity) if low_scorer else (1 - disparity))
    roll = rng.random()
    declined = roll < DECLINE_ALL
    skip_sex = roll < DECLINE_ALL + DECLINE_SEX
    skip_race = declined or (
        DECLINE_ALL + DECLINE_SEX <= roll < DECLINE_ALL + DECLINE_SEX + DECLINE_RACE
    )
    sex = _pick(rng, SEX_SHARES, boost if target[0] == "sex" else None)
    race = _pick(rng, RACE_ETHNICITY_SHARES, boost if target[0] == "race_ethnicity" else None)
    # The group is who the candidate is, whether or not they say so on the form.
    disadvantaged = (sex if target[0] == "sex" else race) == target[1]
    return Profile(
        sex="" if skip_sex else sex,
        race_ethnicity="" if skip_race else race,
        declined=declined,
        disadvantaged=disadvantaged,
        quality=(1.0 - disparity) if disadvantaged and low_scorer is None else 1.0,
    )


def _public_ids(attempt_ids: Iterable[int | uuid.UUID | str]) -> list[uuid.UUID]:
    ids = list(attempt_ids)
    numeric = [value for value in ids if isinstance(value, int)]
    by_pk = dict(Attempt.objects.filter(pk__in=numeric).values_list("pk", "public_id"))
    return [by_pk[value] if isinstance(value, int) else uuid.UUID(str(value)) for value in ids]


def assign_demographics(
    attempt_ids: Iterable[int | uuid.UUID | str],
    *,
    seed: int,
    disparity: float = 0.0,
    target: tuple[str, str] = DEFAULT_TARGET,
    scores: Mapping[int | uuid.UUID | str, float] | None = None,
) -> dict[uuid.UUID, Profile]:
    """Store synthetic self-identification answers for attempts; returns each one's profile.

    ``attempt_ids`` are attempt primary keys or public ids. Give ``scores`` (same keys) for
    attempts that are already scored, to tilt the target group towards the low scorers.
    """
    ids = list(attempt_ids)
    public_ids = _public_ids(ids)
    median = None
    if scores:
        ordered = sorted(float(scores[value]) for value in ids if value in scores)
        median = ordered[len(ordered) // 2] if ordered else None
    rng = random.Random(seed)
    profiles: dict[uuid.UUID, Profile] = {}
    for original, public_id in zip(ids, public_ids, strict=True):
        low = None
        if median is not None and original in scores:
            low = float(scores[original]) < median
        profile = draw_profile(rng, disparity=disparity, target=target, low_scorer=low)
        demographics.save_self_identification(
            public_id,
            sex=profile.sex,
            race_ethnicity=profile.race_ethnicity,
            declined=profile.declined,
        )
        profiles[public_id] = profile
    return profiles


def simulate_candidates_with_demographics(
    version,
    *,
    count: int,
    seed: int,
    disparity: float = 0.0,
    target: tuple[str, str] = DEFAULT_TARGET,
    submit: bool = True,
    score_inline: bool = False,
) -> list[SimulatedAttempt]:
    """Scoring's synthetic candidates, each with synthetic self-identification answers; the
    ``target`` group's abilities are scaled by 1 - ``disparity`` before they answer."""
    if not 0.0 <= disparity < 1.0:
        raise ValueError("The disparity is a fraction from 0 to below 1.")

    def ability_factors(attempts) -> dict[uuid.UUID, float]:
        with transaction.atomic():
            profiles = assign_demographics(
                [attempt.public_id for attempt in attempts],
                seed=seed,
                disparity=disparity,
                target=target,
            )
        return {public_id: profile.quality for public_id, profile in profiles.items()}

    return simulate_candidates(
        version,
        count=count,
        seed=seed,
        submit=submit,
        score_inline=score_inline,
        ability_factors=ability_factors,
    )
