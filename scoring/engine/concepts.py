"""Concept-rubric scoring of free text: which required ideas an answer states.

Decisions where CONTENT_FORMAT.md is silent:

- "Word boundaries" are look-arounds ``(?<!\\w)`` and ``(?!\\w)`` rather than ``\\b``, so a
  phrasing that starts or ends with a non-word character (``€\\d+``, ``3-5 days``) still matches.
- A phrasing that is not a valid regular expression is matched as literal text.
- A concept's phrasings are searched as one alternation (one pass over the answer per concept);
  the evidence names the phrasing of the earliest match in the answer.
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


@lru_cache(maxsize=8192)
def compile_phrasing(phrasing: str) -> re.Pattern:
    """The compiled, case-insensitive, word-bounded pattern for one phrasing (cached)."""
    return re.compile(rf"(?<!\w)(?:{_valid_pattern(phrasing)})(?!\w)", _flags([phrasing]))


@lru_cache(maxsize=4096)
def compile_concept(phrasings: tuple[str, ...]) -> tuple[re.Pattern, ...]:
    """Patterns that find any of a concept's phrasings, each group named after its phrasing.

    Usually one alternation; phrasings with back-references (whose group numbers an
    alternation would shift) keep a pattern of their own.
    """
    combined = [p for p in phrasings if not _BACKREFERENCE.search(p)]
    alone = [compile_phrasing(p) for p in phrasings if _BACKREFERENCE.search(p)]
    if not combined:
        return tuple(alone)
    branches = "|".join(
        f"(?P<p{index}>{_valid_pattern(p)})" for index, p in enumerate(phrasings) if p in combined
    )
    try:
        pattern = re.compile(rf"(?<!\w)(?:{branches})(?!\w)", _flags(combined))
    except re.error:  # e.g. a phrasing with its own named groups
        return tuple(compile_phrasing(p) for p in phrasings)
    return (pattern, *alone)


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


def match_concepts(concepts: list[dict], text: str) -> ConceptMatches:
    """Find each concept's earliest match; collect every match span for the guards.

    ``text`` must already be lower-cased (``str.lower()``), as TextProfile offsets are.
    """
    evidence = []
    spans: list[tuple[int, int]] = []
    for concept in concepts:
        phrasings = _phrasings_of(concept.get("phrasings"))
        first = None
        for pattern in compile_concept(phrasings) if phrasings else ():
            for match in pattern.finditer(text):
                if match.end() == match.start():
                    continue
                spans.append(match.span())
                if first is None or match.start() < first[2]:
                    first = (_phrasing_of(match, phrasings), match.group(), match.start())
        evidence.append(
            {
                "concept": concept.get("id", ""),
                "label": concept.get("label", ""),
                "matched": first is not None,
                "pattern": first[0] if first else None,
                "phrase": first[1] if first else None,
            }
        )
    return ConceptMatches(len(evidence), tuple(evidence), tuple(spans), len(spans))


def _phrasings_of(raw: object) -> tuple[str, ...]:
    """The non-empty string phrasings of a concept (cached by their tuple when hashable)."""
    if type(raw) is list:
        try:
            return _string_phrasings(tuple(raw))
        except TypeError:  # an unhashable entry: filter without the cache
            pass
    return tuple(p for p in raw or [] if isinstance(p, str) and p)


@lru_cache(maxsize=8192)
def _string_phrasings(raw: tuple) -> tuple[str, ...]:
    return tuple(p for p in raw if isinstance(p, str) and p)


def _phrasing_of(match: re.Match, phrasings: tuple[str, ...]) -> str:
    """The phrasing whose branch matched (a lone pattern's own phrasing otherwise)."""
    name = match.lastgroup if match.lastgroup and match.lastgroup[:1] == "p" else None
    if name is None:
        # lastgroup is the innermost closed group; find the outermost named branch instead.
        for key, value in match.groupdict().items():
            if value is not None:
                name = key
                break
    if name is not None and name[1:].isdigit():
        return phrasings[int(name[1:])]
    source = match.re.pattern
    return next((p for p in phrasings if compile_phrasing(p).pattern == source), source)


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
