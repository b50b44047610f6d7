"""Concept-rubric scoring of free text: which required ideas an answer states.

How a phrasing becomes a pattern (word boundaries, literal fallback, case) and how long it may
run is one rule shared with publish validation: see the ``phrasings`` package. Decisions where
CONTENT_FORMAT.md is silent:

- A concept's phrasings are searched as one alternation (one pass over the answer per concept);
  the evidence names the phrasing of the earliest match in the answer: the first phrasing, in
  the author's order, that matches where that match starts, which is the branch the
  alternation took. The alternation has no capturing group per phrasing (a third cheaper).
- Evidence keeps which concept matched, with which phrasing, and where (``start``/``end``
  offsets into the cleaned, lower-cased answer: text.scored_text), never the candidate's
  words: once the answer is erased, nothing of it is left in the breakdown. A reviewer's page
  cuts the phrase out of the stored answer while it exists.
- Every search runs with phrasings.SEARCH_TIME_LIMIT. A search that runs out of time ends the
  criterion's matching: that concept's evidence says ``timed_out``, later concepts are not
  searched, and the criterion is capped to its lowest level and sent to a reviewer with the
  reason ``pattern_timeout`` (textscore.py), never scored as a silent 0. Publish refuses the
  phrasings that time out on its probes, so this is for versions published before that check
  and documents built without it. It is the engine's one dependence on the clock: a replay on
  a faster machine may finish a search that timed out, and the run names the timeout.
- A level without ``min_coverage`` gets ``index / (levels - 1)``.
- Confidence reflects how far coverage sits from the level's boundaries, in units of one concept:
  ``0.5 + 0.5 * min(1, distance * n_concepts)`` where distance is the smaller of (coverage - this
  level's min_coverage) and (next level's min_coverage - coverage). An answer one concept away
  from both boundaries gets 1.0; one sitting exactly on a boundary gets 0.5.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import regex

from phrasings import SEARCH_TIME_LIMIT, compile_phrasing, flags_for, valid_pattern, word_bounded
from scoring.engine.breakdown import canonical

_COVERAGE_SLACK = 1e-9


_BACKREFERENCE = re.compile(r"\\[1-9]|\(\?P=")


@dataclass(frozen=True, slots=True)
class _Search:
    """One pass over the answer: a pattern, and how to name the phrasing of a match."""

    pattern: regex.Pattern
    phrasing: str | None  # the phrasing of a single-phrasing pattern
    probes: tuple[tuple[regex.Pattern, str], ...] = ()  # each branch of an alternation, in order

    def phrasing_at(self, match: regex.Match) -> str:
        if self.phrasing is not None:
            return self.phrasing
        start = match.start()
        # No time limit: each probe redoes, at one position, what the timed search of the
        # alternation has just finished there (its branches in order, up to the one that took).
        return next(phrasing for probe, phrasing in self.probes if probe.match(match.string, start))


@dataclass(frozen=True, slots=True)
class Concept:
    """One concept of a criterion, its phrasings compiled."""

    id: object
    label: object
    searches: tuple[_Search, ...]


def compile_concepts(concepts: list[dict]) -> tuple[Concept, ...]:
    """A criterion's concepts, ready to match (done once per assessment version).

    What evidence repeats from the document (ids, labels, phrasings) is stored canonical, so the
    evidence needs no second walk (breakdown.Canonical).
    """
    return tuple(
        Concept(
            canonical(concept.get("id", "")),
            canonical(concept.get("label", "")),
            _searches(concept),
        )
        for concept in concepts
    )


def _searches(concept: dict) -> tuple[_Search, ...]:
    """Usually one alternation of every phrasing; phrasings with back-references (whose group
    numbers an alternation would shift) keep a pattern of their own."""
    phrasings = tuple(p for p in concept.get("phrasings") or [] if isinstance(p, str) and p)
    combined = [p for p in phrasings if not _BACKREFERENCE.search(p)]
    alone = [_alone(p) for p in phrasings if _BACKREFERENCE.search(p)]
    if not combined:
        return tuple(alone)
    flags = flags_for(combined)
    branches = "|".join(valid_pattern(p) for p in combined)
    try:
        pattern = word_bounded(branches, flags)
    except regex.error:  # e.g. two phrasings naming a group alike
        return tuple(_alone(p) for p in phrasings)
    probes = tuple((word_bounded(valid_pattern(p), flags), canonical(p)) for p in combined)
    return (_Search(pattern, None, probes), *alone)


def _alone(phrasing: str) -> _Search:
    return _Search(compile_phrasing(phrasing), canonical(phrasing))


ConceptSet = tuple[Concept, ...]


@dataclass(frozen=True, slots=True)
class ConceptMatches:
    """The concepts of one criterion found in one answer."""

    total: int
    evidence: tuple[dict, ...]
    spans: tuple[tuple[int, int], ...]
    n_matches: int
    timed_out: bool = False

    @property
    def matched(self) -> int:
        return sum(1 for entry in self.evidence if entry["matched"])

    @property
    def coverage(self) -> float:
        return self.matched / self.total if self.total else 0.0


def _earliest(concept: Concept, text: str, spans: list[tuple[int, int]]) -> tuple | None:
    """The concept's earliest match as (phrasing, start, end); every match span is added to
    ``spans`` once the concept's searches have all finished. Raises TimeoutError."""
    first = None
    found = []
    for search in concept.searches:
        for match in search.pattern.finditer(text, timeout=SEARCH_TIME_LIMIT):
            start, end = match.span()
            if end == start:
                continue
            found.append((start, end))
            if first is None or start < first[1]:
                first = (search.phrasing_at(match), start, end)
    spans += found
    return first


def _evidence(concept: Concept, first: tuple | None) -> dict:
    phrasing, start, end = first or (None, None, None)
    return {
        "concept": concept.id,
        "label": concept.label,
        "matched": first is not None,
        "pattern": phrasing,
        "start": start,
        "end": end,
    }


def match_concepts(concepts: ConceptSet, text: str) -> ConceptMatches:
    """Find each concept's earliest match; collect every match span for the guards.

    ``text`` must already be lower-cased (``str.lower()``), as TextProfile offsets are. The
    first search that runs out of time ends the matching (see the module docstring).
    """
    evidence = []
    spans: list[tuple[int, int]] = []
    for concept in concepts:
        try:
            first = _earliest(concept, text, spans)
        except TimeoutError:
            evidence.append({**_evidence(concept, None), "timed_out": True})
            return ConceptMatches(len(concepts), tuple(evidence), tuple(spans), len(spans), True)
        evidence.append(_evidence(concept, first))
    return ConceptMatches(len(evidence), tuple(evidence), tuple(spans), len(spans))


def min_coverages(levels: list[dict]) -> list[float]:
    """Each level's min_coverage, defaulting to an even spread over 0..1."""
    last = max(1, len(levels) - 1)
    result = []
    for index, level in enumerate(levels):
        value = level.get("min_coverage")
        if isinstance(value, bool) or not isinstance(value, int | float):
            value = index / last
        result.append(float(value))
    return result


def level_for_coverage(coverage: float, levels: list[dict]) -> int:
    """The highest level whose min_coverage is at most the coverage (0 if none is)."""
    reached = 0
    for index, threshold in enumerate(min_coverages(levels)):
        if threshold <= coverage + _COVERAGE_SLACK:
            reached = index
    return reached


def coverage_confidence(coverage: float, level: int, levels: list[dict], n_concepts: int) -> float:
    """How safely the coverage sits inside its level (see the module docstring)."""
    thresholds = min_coverages(levels)
    distances = []
    if level > 0:
        distances.append(coverage - thresholds[level])
    if level + 1 < len(thresholds):
        distances.append(thresholds[level + 1] - coverage)
    if not distances or n_concepts == 0:
        return 1.0 if n_concepts else 0.0
    margin = max(0.0, min(distances)) * n_concepts
    return 0.5 + 0.5 * min(1.0, margin)
