"""Free-text hygiene and the guards that keep gamed answers from paying.

Assessments are written in English (CONTENT_FORMAT.md names no language field, and every demo is
English), so an answer in another language cannot be judged by the rubric's English phrasings or
by a model trained on English exemplars: it is capped and sent to a human.

Guards (each caps the level at the lowest one, lowers confidence and flags for review):

- ``foreign_language``: mostly non-Latin letters, or more stop words of another common European
  language than of English, at least MIN_FOREIGN_STOPWORDS of them distinct (so misspelt
  English such as "de bulb iz in de circut" stays English and is scored on its content).
- ``no_sentences``: an answer with almost no English function words (keyword lists, random
  garbage). A ``long_text`` item asks for connected text, so this applies from 8 words on; a
  ``short_text`` answer may be a terse note ("Duplicate charge refunded."), so only from 15.
  The bar (10% function words) sits below structured notes ("Customer: ... Steps: ...", ~15%).
- ``keyword_stuffing``: three or more concept matches (two in a ``long_text``) that make up
  three quarters of the words, or half of them when the answer is terse (< 15% function words);
  or content words that repeat far more than prose does. Known limit: stuffing padded with
  enough function words to read like prose passes this guard (the level it earns is then
  checked by a reviewer only if confidence is low).
- ``rubric_copy``: a large share of the answer's word trigrams occur in the rubric's own text
  (level descriptors, feedback, concept labels of the step's criteria).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass

from phrasings import MAX_ANSWER_LENGTH

# Hard ceiling when an item declares no (or an absurd) max_length: bounds regex and model cost.
# Publish checks every concept phrasing on answers of this length (phrasings.py).
DEFAULT_MAX_LENGTH = {"short_text": 600, "long_text": 4000}
HARD_MAX_LENGTH = MAX_ANSWER_LENGTH

# Guard thresholds, checked on the demo exemplars: none at level 2 or above trips a guard; a few
# terse level-1 notes do, and go to a reviewer.
MIN_TOKENS_FOR_SENTENCE_CHECK = 15
MIN_TOKENS_FOR_SENTENCE_CHECK_PROSE = 8
# Structured notes ("Customer: ... Steps: ...") run at ~0.15 function words; keyword lists at ~0.
MIN_FUNCTION_RATIO = 0.10
TERSE_FUNCTION_RATIO = 0.15
STUFFING_DENSITY = 0.75
STUFFING_DENSITY_TERSE = 0.5
STUFFING_MIN_MATCHES = 3
STUFFING_MIN_MATCHES_PROSE = 2
MIN_CONTENT_TOKENS_FOR_REPETITION = 12
MIN_CONTENT_TYPE_RATIO = 0.35
RUBRIC_COPY_OVERLAP = 0.4
MIN_TRIGRAMS_FOR_COPY_CHECK = 3
MIN_TOKENS_FOR_LANGUAGE = 4
FOREIGN_STOPWORD_SHARE = 0.15
# Distinct stop words of one other language an answer needs before it counts as that language:
# spelling-mangled English repeats one or two look-alikes ("de bulb iz in de circut", "sie" for
# "side"), a sentence of another language uses several different ones.
MIN_FOREIGN_STOPWORDS = 3
NON_LATIN_SHARE = 0.5
GUARD_CONFIDENCE = 0.25

_TOKEN = re.compile(r"\w+")
_LETTER = re.compile(r"[^\W\d_]")
_NON_ASCII_LETTER = re.compile(r"[^\W\d_\x00-\x7f]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


ENGLISH_FUNCTION_WORDS = _word_set(
    """
    a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for
    from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just me more most my myself no nor not now of off on once only or
    other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up
    very was we were what when where which while who whom why will with would you your yours
    yourself yourselves ll ve re s t d m don didn doesn isn wasn won can't cannot also still
    let get got may might must shall us been we'd i'm i've it's
    """
)

# Function words as people misspell or shorten them when typing fast ("u", "r", "n", "teh",
# "becuz", "de" and "da" for "the"). Spelling-mangled English is still English: they count as
# function words for the guards, but stay in the other languages' stop words below.
MISSPELT_FUNCTION_WORDS = _word_set(
    """
    u ur r n b c y da de dat dis dese dem dey der ther thier teh hte iz wat wen wer wit wif
    hav wud cud shud wil cuz coz becuz bcuz bc cos thru tho ya im ive dont didnt doesnt isnt
    wasnt cant wont thats its ur abt bout w wo
    """
)
ENGLISH_LIKE_WORDS = ENGLISH_FUNCTION_WORDS | MISSPELT_FUNCTION_WORDS

# Stop words of other languages, minus any word that is also English (e.g. "in", "a", "die").
_FOREIGN_STOPWORDS = {
    "es": "el la los las de del que y en un una por para con no es se lo al como más pero sus le "
    "ya o este sí porque esta entre cuando muy sin sobre también me hasta hay donde quien desde "
    "todo nos durante todos uno les ni contra otros ese eso ante ellos e esto mí antes algunos "
    "qué unos yo otro otras otra él tanto esa estos mucho quienes nada muchos cual poco ella "
    "estar estas algunas algo nosotros mi mis tú te ti tu tus ellas nosotras usted",
    "fr": "le la les de des du un une et est en que qui dans pour pas sur au aux avec ce ces "
    "il elle nous vous ils elles ne se sont être avoir fait plus par mais ou où donc car ni "
    "je tu mon ton son ma ta sa mes tes ses notre votre leur leurs cette cet très bien",
    "de": "der die das und ist nicht ein eine einen dem den des zu mit sich auf für von es "
    "ich du er sie wir ihr sind war wird werden hat haben auch als wie aber oder wenn noch "
    "nach bei aus um nur so schon sehr mein dein sein unser euer kein keine dass",
    "it": "il lo la gli le di del della che e è un una per non con si sono ma come anche "
    "più nel nella alla al dei delle io tu lui lei noi voi loro questo questa quello sempre",
    "pt": "o a os as de do da dos das que e é um uma para com não por se mais mas como foi "
    "ao aos seu sua seus suas ele ela eles elas nós você vocês isso este esta muito já também",
    "nl": "de het een en van is dat niet op te zijn voor met die er aan ook als bij door "
    "maar om dan zou of wat mijn men dit zo ze hij zij wij jij naar heb hebben wordt worden",
}
FOREIGN_STOPWORDS = {
    language: frozenset(words.split()) - ENGLISH_FUNCTION_WORDS
    for language, words in _FOREIGN_STOPWORDS.items()
}


def max_length_for(item: dict) -> int:
    """The answer length the engine scores: the item's max_length, within sane bounds."""
    declared = item.get("max_length")
    if isinstance(declared, bool) or not isinstance(declared, int) or declared <= 0:
        declared = DEFAULT_MAX_LENGTH.get(item.get("type", ""), 4000)
    return min(declared, HARD_MAX_LENGTH)


def clean_text(raw: object, max_length: int) -> tuple[str, dict] | None:
    """The answer text made safe to score, and notes on what was done; None if not text.

    Bytes are decoded as UTF-8 with replacement; lone surrogates are replaced; the text is cut to
    ``max_length`` characters *before* anything else runs on it, NFKC-normalised (so full-width
    or ligature tricks match like plain letters) and stripped of control characters.
    """
    if isinstance(raw, bytes | bytearray):
        raw = bytes(raw[: max_length * 4]).decode("utf-8", "replace")
    if not isinstance(raw, str):
        return None
    notes = {"truncated": len(raw) > max_length}
    text = raw[:max_length]
    if not text.isascii():
        text = text.encode("utf-8", "replace").decode("utf-8")
        text = unicodedata.normalize("NFKC", text)[:max_length]
    text = _CONTROL.sub(" ", text)
    return text, notes


def scored_text(raw: object, item: dict) -> str | None:
    """The answer as concept evidence offsets index it: cleaned for its item, lower-cased."""
    cleaned = clean_text(raw, max_length_for(item))
    return cleaned[0].lower() if cleaned else None


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens (letters, digits, underscore)."""
    return _TOKEN.findall(text.lower())


@dataclass(frozen=True, slots=True)
class TextProfile:
    """Statistics of one answer that the guards read; computed once per step."""

    lowered: str
    words: tuple[str, ...]
    token_starts: tuple[int, ...]
    function_ratio: float
    content_type_ratio: float
    content_tokens: int
    language: str
    foreign: bool

    @property
    def n_tokens(self) -> int:
        return len(self.words)


def _language(words: list[str], text: str, english: int) -> tuple[str, bool]:
    """The answer's language from its letters and stop words; ``english`` is its count of
    English function words."""
    if not text.isascii():
        letters = len(_LETTER.findall(text))
        non_latin = sum(1 for char in _NON_ASCII_LETTER.findall(text) if not _is_latin(char))
        if letters and non_latin / letters >= NON_LATIN_SHARE:
            return "non-latin", True
    if len(words) < MIN_TOKENS_FOR_LANGUAGE:
        return "en", False
    best, best_hits, best_distinct = "en", english, 0
    for language, stopwords in FOREIGN_STOPWORDS.items():
        found = [word for word in words if word in stopwords]
        if len(found) > best_hits:
            best, best_hits, best_distinct = language, len(found), len(set(found))
    foreign = (
        best != "en"
        and best_hits / len(words) >= FOREIGN_STOPWORD_SHARE
        and best_distinct >= MIN_FOREIGN_STOPWORDS
    )
    return best, foreign


def _is_latin(char: str) -> bool:
    if char.isascii():
        return True
    try:
        return "LATIN" in unicodedata.name(char)
    except ValueError:
        return False


def profile(text: str) -> TextProfile:
    """Word statistics of an answer, for the guards."""
    lowered = text.lower()
    matches = list(_TOKEN.finditer(lowered))
    words = [match.group() for match in matches]
    alphabetic = [word for word in words if not word.isdigit()]
    content = [word for word in alphabetic if word not in ENGLISH_LIKE_WORDS]
    # No function word is a number, so this is also the count among all words.
    function = len(alphabetic) - len(content)
    language, foreign = _language(words, text, function)
    return TextProfile(
        lowered=lowered,
        words=tuple(words),
        token_starts=tuple(match.start() for match in matches),
        function_ratio=function / len(alphabetic) if alphabetic else 0.0,
        content_type_ratio=len(set(content)) / len(content) if content else 1.0,
        content_tokens=len(content),
        language=language,
        foreign=foreign,
    )


def trigrams(words: tuple[str, ...] | list[str]) -> set[tuple[str, str, str]]:
    """The set of consecutive word triples."""
    return {(words[i], words[i + 1], words[i + 2]) for i in range(len(words) - 2)}


def rubric_trigrams(rubric_texts: tuple[str, ...]) -> frozenset:
    """Word trigrams of the rubric's own texts."""
    found: set = set()
    for text in rubric_texts:
        found |= trigrams(tokens(text))
    return frozenset(found)


def rubric_texts_of(step: dict) -> tuple[str, ...]:
    """Descriptors, feedback and concept labels of every criterion of a step."""
    texts: list[str] = []
    for criterion in step.get("criteria") or []:
        for level in criterion.get("levels") or []:
            texts += [level.get("descriptor") or "", level.get("feedback") or ""]
        texts += [concept.get("label") or "" for concept in criterion.get("concepts") or []]
    return tuple(text for text in texts if isinstance(text, str) and text)


def rubric_overlap(text_profile: TextProfile, rubric: frozenset) -> float:
    """Share of the answer's distinct word trigrams that occur in the rubric text."""
    answer = trigrams(text_profile.words)
    if len(answer) < MIN_TRIGRAMS_FOR_COPY_CHECK or not rubric:
        return 0.0
    return len(answer & rubric) / len(answer)


def concept_density(text_profile: TextProfile, spans: list[tuple[int, int]]) -> float:
    """Share of the answer's tokens that start inside a concept match."""
    if not text_profile.words or not spans:
        return 0.0
    merged: list[list[int]] = []
    for low, high in sorted(spans):
        if merged and low <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], high)
        else:
            merged.append([low, high])
    starts = text_profile.token_starts  # ascending
    inside = sum(bisect_left(starts, high) - bisect_left(starts, low) for low, high in merged)
    return inside / len(text_profile.words)


def guard_flags(
    text_profile: TextProfile,
    overlap: float,
    density: float,
    n_matches: int,
    *,
    prose: bool = False,
) -> list[str]:
    """The guards an answer trips, in a fixed order (empty for an ordinary answer).

    ``prose`` is true for items that ask for connected text (``long_text``).
    """
    flags = []
    if text_profile.foreign:
        flags.append("foreign_language")
    terse = text_profile.function_ratio < TERSE_FUNCTION_RATIO
    min_tokens = MIN_TOKENS_FOR_SENTENCE_CHECK_PROSE if prose else MIN_TOKENS_FOR_SENTENCE_CHECK
    no_sentences = text_profile.function_ratio < MIN_FUNCTION_RATIO
    if text_profile.n_tokens >= min_tokens and no_sentences and not text_profile.foreign:
        flags.append("no_sentences")
    min_matches = STUFFING_MIN_MATCHES_PROSE if prose else STUFFING_MIN_MATCHES
    stuffed = n_matches >= min_matches and (
        density >= STUFFING_DENSITY or (terse and density >= STUFFING_DENSITY_TERSE)
    )
    repetitive = (
        text_profile.content_tokens >= MIN_CONTENT_TOKENS_FOR_REPETITION
        and text_profile.content_type_ratio < MIN_CONTENT_TYPE_RATIO
    )
    if stuffed or repetitive:
        flags.append("keyword_stuffing")
    if overlap >= RUBRIC_COPY_OVERLAP:
        flags.append("rubric_copy")
    return flags
