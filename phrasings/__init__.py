"""Concept phrasings: how a recruiter's phrasing becomes a pattern, how long it may run on an
answer, and whether it is safe to publish. One rule, shared by publish validation
(assessments.documents) and the scoring engine (scoring.engine.concepts), so what publish
checks is exactly what scoring runs. Pure: no Django.

A phrasing is a regular expression written by a recruiter and run on text written by a
candidate, so neither side is trusted:

- Patterns run on the ``regex`` module (the syntax of ``re``) because it takes a ``timeout``:
  every search of one answer gets SEARCH_TIME_LIMIT seconds, then raises TimeoutError. What a
  timeout means for the score is decided in scoring/engine/concepts.py.
- At publish a phrasing must compile and must finish within PROBE_TIME_LIMIT on every probe: an
  answer of MAX_ANSWER_LENGTH characters made of one character repeated (or one character and
  a space), for each letter and digit of the phrasing and a few common classes, ending in a
  character that breaks the match. Those are the answers on which nested or overlapping
  repetition (``(a+)+$``, ``(\\w+\\s?)+$``, ``(a|aa)+$``) backtracks for ever. A probe is a
  test, not a proof; the time limit at scoring time is the guarantee.
- "Word boundaries" are look-arounds ``(?<!\\w)`` and ``(?!\\w)`` rather than ``\\b``, so a
  phrasing that starts or ends with a non-word character (``€\\d+``, ``3-5 days``) still matches.
- A phrasing that is not a valid regular expression is matched as literal text (the engine also
  scores documents that never passed validation).
- Answers are matched lower-cased. Phrasings are lower-case by contract and then need no
  IGNORECASE, which halves the cost; a phrasing with any upper-case character (``\\S``,
  ``[A-Z]``) keeps IGNORECASE.
"""

from __future__ import annotations

from functools import lru_cache

import regex

# The engine cuts every answer to at most this many characters before scoring it.
MAX_ANSWER_LENGTH = 20_000
# Seconds one search of one answer may take at scoring time.
SEARCH_TIME_LIMIT = 0.5
# Seconds one probe may take at publish: well under the scoring limit, so a phrasing that passes
# on an idle machine does not time out on a busy worker.
PROBE_TIME_LIMIT = SEARCH_TIME_LIMIT / 5
# Runs that make overlapping repetition backtrack: letters, digits, blanks and punctuation.
_PROBE_UNITS = frozenset("a0 -.")
# A probe ends in a character that stops the match: a non-word character and a word character.
_PROBE_ENDINGS = ("!", "ж")


def _compile_error(phrasing: str) -> regex.error | None:
    """Why the phrasing does not compile, alone or between the word boundaries (``a)|(?:b``
    compiles only between them, ``(?x)a # note`` only alone)."""
    try:
        regex.compile(phrasing)
        word_bounded(phrasing, 0)
    except regex.error as error:
        return error
    return None


def valid_pattern(phrasing: str) -> str:
    """The phrasing as a pattern, or its literal text when it is not a valid expression."""
    return phrasing if _compile_error(phrasing) is None else regex.escape(phrasing)


def flags_for(phrasings: list[str]) -> int:
    """No IGNORECASE for lower-case phrasings: they run on lower-cased text."""
    lower = not any(char.isupper() for phrasing in phrasings for char in phrasing)
    return 0 if lower else regex.IGNORECASE


def word_bounded(body: str, flags: int) -> regex.Pattern:
    """``body`` matched only where it neither starts nor ends inside a word."""
    return regex.compile(rf"(?<!\w)(?:{body})(?!\w)", flags)


@lru_cache(maxsize=8192)
def compile_phrasing(phrasing: str) -> regex.Pattern:
    """The compiled, word-bounded pattern for one phrasing, as the engine runs it (cached)."""
    return word_bounded(valid_pattern(phrasing), flags_for([phrasing]))


def _probes(phrasing: str) -> list[str]:
    units = _PROBE_UNITS | {char for char in phrasing.lower() if char.isalnum()}
    probes = []
    for unit in sorted(units):
        for run in (unit, f"{unit} "):
            body = (run * (MAX_ANSWER_LENGTH // len(run)))[: MAX_ANSWER_LENGTH - 1]
            probes += [body + ending for ending in _PROBE_ENDINGS]
    return probes


@lru_cache(maxsize=8192)
def _run_probes(phrasing: str) -> None:
    """Every probe through the phrasing's pattern; TimeoutError when one takes too long. Only a
    pass is cached (lru_cache keeps no exception): a refusal is tried again, as it may have
    come from a busy machine."""
    pattern = compile_phrasing(phrasing)
    for probe in _probes(phrasing):
        for _ in pattern.finditer(probe, timeout=PROBE_TIME_LIMIT):
            pass


def phrasing_problem(phrasing: str) -> str | None:
    """Why a phrasing cannot be published, or None when it is sound."""
    error = _compile_error(phrasing)
    if error is not None:
        return f"is not a valid regular expression ({error})"
    try:
        _run_probes(phrasing)
    except TimeoutError:
        return (
            f"is too slow on long answers (over {PROBE_TIME_LIMIT:g} s): a repeated group that "
            "can match the same text in several ways, as in (a+)+, backtracks catastrophically"
        )
    return None
