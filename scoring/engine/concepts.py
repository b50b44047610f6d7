"""Concept-rubric scoring of free text: which required ideas an answer states.

Decisions where CONTENT_FORMAT.md is silent:

- "Word boundaries" are look-arounds ``(?<!\\w)`` and ``(?!\\w)`` rather than ``\\b``, so a
  phrasing that starts or ends with a non-word character (``€\\d+``, ``3-5 days``) still matches.
- A phrasing that is not a valid regular expression is matched as literal text.
- A concept's phrasings are searched as one alternation (one pass over the answer per concept);
  the evidence names the phrasing of the earliest match in the answer: the first phrasing, in
  the author's order, that matches where that match starts, which is the branch the
  alternation took. The alternation has no capturing group per phrasing (a third cheaper).
- Matching runs on the lower-cased answer (so the matched phrase in the evidence is lower-case).
  Phrasings are lower-case by contract and then need no IGNORECASE, which halves the cost; a
  phrasing with any upper-case character (``\\S``, ``[A-Z]``) keeps IGNORECASE.
- A level without ``min_coverage`` gets ``index / (levels - 1)``.
- Confidence reflects how far coverage sits from the level's boundaries, in units of one concept:
  ``0.5 + 0.5 * min(1, distance * n_concepts)`` where distance is the smaller of (coverage - this
  level's min_coverage) and (next level's min_coverage - coverage). An answer one concept away
  from both boundaries gets 1.0; one sitting exactly on a boundary gets 0.5.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from scoring.engine.breakdown import canonical

_COVERAGE_SLACK = 1e-9


_BACKREFERENCE = re.compile(r"\\[1-9]|\(\?P=")


def _valid_pattern(phrasing: str) -> str:
    """The phrasing as a pattern, or its literal text when it is not a valid expression."""
    try:
        re.compile(phrasing)
    except re.error:
        return re.escape(phrasing)
    return phrasing


def _flags(phrasings: list[str]) -> re.RegexFlag:
    """No IGNORECASE for lower-case phrasings: they run on lower-cased text."""
    lower = not any(char.isupper() for phrasing in phrasings for char in phrasing)
    return re.NOFLAG if lower else re.IGNORECASE


def _word_bounded(body: str, flags: re.RegexFlag) -> re.Pattern:
    """``body`` matched only where it neither starts nor ends inside a word."""
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)", flags)


@lru_cache(maxsize=8192)
def compile_phrasing(phrasing: str) -> re.Pattern:
    """The compiled, case-insensitive, word-bounded pattern for one phrasing (cached)."""
    return _word_bounded(_valid_pattern(phrasing), _flags([phrasing]))


@dataclass(frozen=True, slots=True)
class _Search:
    """One pass over the answer: a pattern, and how to name the phrasing of a match."""

    pattern: re.Pattern
    phrasing: str | None  # the phrasing of a single-phrasing pattern
    probes: tuple[tuple[re.Pattern, str], ...] = ()  # each branch of an alternation, in order

    def phrasing_at(self, match: re.Match) -> str:
        if self.phrasing is not None:
            return self.phrasing
        start = match.start()
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
    flags = _flags(combined)
    branches = "|".join(_valid_pattern(p) for p in combined)
    try:
        pattern = _word_bounded(branches, flags)
    except re.error:  # e.g. two phrasings naming a group alike
        return tuple(_alone(p) for p in phrasings)
    probes = tuple((_word_bounded(_valid_pattern(p), flags), canonical(p)) for p in combined)
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

    @property
    def matched(self) -> int:
        return sum(1 for entry in self.evidence if entry["matched"])

    @property
    def coverage(self) -> float:
        return self.matched / self.total if self.total else 0.0


def match_concepts(concepts: ConceptSet, text: str) -> ConceptMatches:
    """Find each concept's earliest match; collect every match span for the guards.

    ``text`` must already be lower-cased (``str.lower()``), as TextProfile offsets are.
    """
    evidence = []
    spans: list[tuple[int, int]] = []
    for concept in concepts:
        first = None
        for search in concept.searches:
            for match in search.pattern.finditer(text):
                if match.end() == match.start():
                    continue
                spans.append(match.span())
                if first is None or match.start() < first[2]:
                    first = (search.phrasing_at(match), match.group(), match.start())
        evidence.append(
            {
                "concept": concept.id,
                "label": concept.label,
                "matched": first is not None,
                "pattern": first[0] if first else None,
                "phrase": first[1] if first else None,
            }
        )
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
