"""Reading the criteria of a frozen document (plain dicts: no database, no settings).

The review pages, the review service, training and the queue's ordering all look criteria up
here, so they agree on what "the same criterion on the same scale" means.
"""

from __future__ import annotations

from collections.abc import Iterator

from audit.canonical import json_sha256
from flow import TEXT_ITEM_TYPES


def find_step(content: dict, step_id: str) -> dict:
    """One step of a frozen document (empty when it is not there)."""
    return next((s for s in content.get("steps") or [] if s.get("id") == step_id), {})


def find_criterion(content: dict, step_id: str, criterion_id: str) -> dict:
    """One criterion of one step (empty when it is not there)."""
    criteria = find_step(content, step_id).get("criteria") or []
    return next((c for c in criteria if c.get("id") == criterion_id), {})


def split_key(criterion_key: str) -> tuple[str, str]:
    """``"<step_id>/<criterion_id>"`` as its two ids."""
    step_id, _, criterion_id = criterion_key.partition("/")
    return step_id, criterion_id


def scale_sha256(criterion: dict) -> str:
    """The hash of a criterion's scale: each level's label, points and descriptor, in order.

    A reviewer's label is a level index; it keeps its meaning in a later version only when
    this hash is the same (new exemplars or feedback do not change the scale).
    """
    return json_sha256(
        [
            [level.get("label", ""), level.get("points"), level.get("descriptor", "")]
            for level in criterion.get("levels") or []
        ]
    )


def exemplar_counts(criterion: dict) -> list[int]:
    """How many exemplars the document gives for each level."""
    return [
        sum(isinstance(text, str) for text in level.get("exemplars") or [])
        for level in criterion.get("levels") or []
    ]


def text_criteria(content: dict) -> Iterator[tuple[str, dict, dict]]:
    """(criterion key, step, criterion) for every criterion of a free-text step."""
    for step in content.get("steps") or []:
        if step.get("item", {}).get("type") in TEXT_ITEM_TYPES:
            for criterion in step.get("criteria") or []:
                yield f"{step['id']}/{criterion['id']}", step, criterion
