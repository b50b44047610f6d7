"""Seeded labelled answers for text-scoring tests: how many of three facts an answer states.

A level-k answer states k of the facts (level 0 states none), in its own words picked from a
few phrasings, padded with filler; ``noise`` gives that share of answers a random label, so a
model can agree with the labels only on the answers it reads clearly.
"""

import numpy as np

FACTS = [
    ["the refund was issued today", "we refunded the second charge", "your money was refunded"],
    ["it reaches your card in five days", "expect it within 5 business days", "five days to show"],
    ["we are sorry for the trouble", "apologies for the double charge", "sorry about this"],
]
FILLER = [
    "hello there",
    "thanks for writing",
    "about your order",
    "let me know",
    "kind regards",
    "have a good day",
    "I checked the account",
    "as you asked",
]


def answers(n: int, seed: int, noise: float = 0.0) -> list[tuple[str, int]]:
    """``n`` (text, level) pairs at levels 0-3, in a seeded order."""
    random = np.random.default_rng(seed)
    rows = []
    for index in range(n):
        level = index % 4
        facts = random.permutation(len(FACTS))[:level]
        parts = [FACTS[fact][random.integers(3)] for fact in facts]
        parts += [FILLER[i] for i in random.permutation(len(FILLER))[: 2 + random.integers(3)]]
        text = ", ".join(parts[i] for i in random.permutation(len(parts))) + "."
        label = int(random.integers(4)) if random.random() < noise else level
        rows.append((text, label))
    return [rows[i] for i in random.permutation(n)]
