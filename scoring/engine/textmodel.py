"""Text models: TF-IDF n-grams + an ordinal (proportional-odds) linear model, as a safe artifact.

Training uses scikit-learn. The artifact is canonical JSON (vocabularies, idf, weights,
thresholds, a temperature), never a pickle: loading parses JSON and checks its shape, so it runs
no code, and inference recomputes the features with numpy from the stored tables (no
scikit-learn object is involved).

Model. Each answer becomes two l2-normalised TF-IDF blocks (sublinear tf): word 1-2 grams and
character 3-5 grams within word boundaries. Levels are ordered, so one weight vector ``w`` and
K-1 thresholds ``theta_k`` model ``P(level > k) = sigmoid((w.x + theta_k) / T)``; they are fitted
as a single scikit-learn LogisticRegression on the data replicated once per threshold with a
one-hot threshold column (the classic reduction of ordinal regression to binary
classification). The predicted level is the median of the resulting distribution (the number of
thresholds with ``P(level > k) > 0.5``), its probability is the confidence, and the temperature
``T`` is fitted on out-of-fold predictions to minimise log-loss (calibration; it never changes
the predicted level). Evidence: the n-grams of the answer with the largest ``|x_j * w_j|``,
named by the model's vocabulary (only n-grams the model knows have a weight), so evidence
repeats the model's words, never other text of the answer.

Exemplars are sorted before training and hashing, so the same set gives the same model in any
order; ``training_set_sha256`` is the sha256 of the canonical JSON of the sorted
``[[text, level], ...]`` list after text cleaning.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain, pairwise, repeat
from typing import Any

import numpy as np

from scoring.engine.text import HARD_MAX_LENGTH, clean_text

ARTIFACT_FORMAT = "skillproof/text-model@1"
DEFAULT_MIN_EXEMPLARS = 30
DEFAULT_QWK_BAR = 0.7
DEFAULT_C = 10.0
TOP_NGRAMS = 5
MAX_ARTIFACT_BYTES = 256 * 1024 * 1024
# Scale of the threshold indicator columns: keeps the L2 penalty on thresholds negligible.
THRESHOLD_SCALE = 10.0
WORD_NGRAMS = (1, 2)
CHAR_NGRAMS = (3, 5)
_TEMPERATURES = tuple(round(10 ** (exponent / 20), 6) for exponent in range(-20, 21))

_WORD = re.compile(r"\w+")
# Answer tokens (whitespace-separated) whose n-gram ids a model remembers (see _Vocabulary).
TOKEN_MEMO_SIZE = 16384


class ArtifactError(ValueError):
    """Bytes that are not a valid text-model artifact."""


# --- features (shared by training and inference, so both see the same n-grams) --------------


def _prepare(text: str) -> str:
    cleaned = clean_text(text, HARD_MAX_LENGTH)
    return cleaned[0].lower() if cleaned else ""


def word_ngrams(text: str) -> list[str]:
    """Word unigrams and bigrams of lower-cased text."""
    words = _WORD.findall(text)
    return words + [f"{first} {second}" for first, second in pairwise(words)]


def char_ngrams(text: str) -> list[str]:
    """Character 3-5 grams inside space-padded words; a word shorter than n counts once."""
    grams: list[str] = []
    low, high = CHAR_NGRAMS
    for word in text.split():
        padded = f" {word} "
        size = len(padded)
        for n in range(low, high + 1):
            if size <= n:
                grams.append(padded)
                break
            grams.extend(padded[i : i + n] for i in range(size - n + 1))
    return grams


# 1 + ln(count) for every count an answer of HARD_MAX_LENGTH characters can produce.
_SUBLINEAR_TF = np.array([0.0] + [1.0 + math.log(count) for count in range(1, HARD_MAX_LENGTH + 2)])


def _lookup(index: dict[str, int], grams: list[str]) -> np.ndarray:
    """Vocabulary ids of the grams (one per occurrence), unknown grams dropped."""
    found = np.fromiter(
        map(index.get, grams, repeat(-1, len(grams))), dtype=np.int64, count=len(grams)
    )
    return found[found >= 0]


@dataclass(frozen=True, eq=False)
class _Vocabulary:
    """Both feature blocks: n-gram -> feature id (character ids come after the word ids, so
    both blocks index one array of idf and weights)."""

    words: dict[str, int]
    chars: dict[str, int]
    # Whitespace-separated token -> (its words, ids of its word unigrams and character
    # n-grams): a token's n-grams never change, and answers to one question share most of
    # their tokens. Up to TOKEN_MEMO_SIZE tokens; the result is the same either way.
    memo: dict[str, tuple[list[str], np.ndarray]] = field(default_factory=dict)

    def _entry(self, token: str) -> tuple[list[str], np.ndarray]:
        """A token's words and the ids of its word unigrams and character n-grams."""
        words = _WORD.findall(token)
        ids = np.concatenate([_lookup(self.words, words), _lookup(self.chars, char_ngrams(token))])
        ids.flags.writeable = False
        entry = (words, ids)
        if len(self.memo) < TOKEN_MEMO_SIZE:
            self.memo[token] = entry
        return entry

    def feature_ids(self, prepared: str) -> np.ndarray:
        """The ids of word_ngrams(prepared) and char_ngrams(prepared), one per occurrence
        (in another order). Words never span whitespace, so each token's words and character
        n-grams are its own; only the bigrams across tokens are looked up every time."""
        tokens = prepared.split()
        if not tokens:
            return np.zeros(0, dtype=np.int64)
        entries = list(map(self.memo.get, tokens))
        if None in entries:
            entries = [
                entry or self._entry(token) for entry, token in zip(entries, tokens, strict=True)
            ]
        words, ids = zip(*entries, strict=True)
        bigrams = map(" ".join, pairwise(chain.from_iterable(words)))
        return np.concatenate([_lookup(self.words, list(bigrams)), *ids])


@dataclass(frozen=True, slots=True)
class TextPrediction:
    """A model's reading of one answer."""

    level: int
    confidence: float
    probabilities: tuple[float, ...]
    top_ngrams: tuple[tuple[str, float], ...]


def _sigmoid(value: float) -> float:
    if value >= 0:
        return 1.0 / (1.0 + math.exp(-value))
    exp = math.exp(value)
    return exp / (1.0 + exp)


def level_probabilities(score: float, thresholds: Sequence[float], temperature: float) -> list:
    """P(level = k) from the cumulative model, kept monotone so no probability is negative."""
    above = []
    previous = 1.0
    for theta in thresholds:
        previous = min(previous, _sigmoid((score + theta) / temperature))
        above.append(previous)
    bounds = [1.0, *above, 0.0]
    return [bounds[k] - bounds[k + 1] for k in range(len(thresholds) + 1)]


def median_level(probabilities: Sequence[float]) -> int:
    """The median level: the number of thresholds the answer is more likely above than not."""
    cumulative = 0.0
    for level, probability in enumerate(probabilities):
        cumulative += probability
        if cumulative >= 0.5:
            return level
    return len(probabilities) - 1


# --- the artifact -----------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class TextModel:
    """A trained text model: plain tables, JSON bytes, no code. Build with from_bytes()."""

    n_levels: int
    word_terms: tuple[str, ...]
    word_idf: tuple[float, ...]
    char_terms: tuple[str, ...]
    char_idf: tuple[float, ...]
    coef: tuple[float, ...]
    thresholds: tuple[float, ...]
    temperature: float
    training_set_sha256: str
    metadata: dict = field(default_factory=dict)
    _vocabulary: _Vocabulary = field(init=False, repr=False)
    _idf: np.ndarray = field(init=False, repr=False)
    _coef: np.ndarray = field(init=False, repr=False)
    _names: tuple = field(init=False, repr=False)  # by feature id, as evidence shows them

    def __post_init__(self) -> None:
        _check_shape(self)
        n_words = len(self.word_terms)
        vocabulary = _Vocabulary(
            {term: i for i, term in enumerate(self.word_terms)},
            {term: n_words + i for i, term in enumerate(self.char_terms)},
        )
        idf = np.array(self.word_idf + self.char_idf, dtype=np.float64)
        object.__setattr__(self, "_idf", idf)
        object.__setattr__(self, "_coef", np.array(self.coef, dtype=np.float64))
        names = self.word_terms + tuple(f"[{term}]" for term in self.char_terms)
        object.__setattr__(self, "_names", names)
        object.__setattr__(self, "_vocabulary", vocabulary)

    def to_dict(self) -> dict:
        return {
            "format": ARTIFACT_FORMAT,
            "n_levels": self.n_levels,
            "word_ngrams": list(WORD_NGRAMS),
            "char_ngrams": list(CHAR_NGRAMS),
            "word_terms": list(self.word_terms),
            "word_idf": list(self.word_idf),
            "char_terms": list(self.char_terms),
            "char_idf": list(self.char_idf),
            "coef": list(self.coef),
            "thresholds": list(self.thresholds),
            "temperature": self.temperature,
            "training_set_sha256": self.training_set_sha256,
            "metadata": self.metadata,
        }

    def to_bytes(self) -> bytes:
        """Canonical JSON: sorted keys, compact, UTF-8; floats as their shortest exact repr."""
        return json.dumps(
            self.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode("utf-8")

    @property
    def sha256(self) -> str:
        cached = self.__dict__.get("_sha256")
        if cached is None:
            cached = hashlib.sha256(self.to_bytes()).hexdigest()
            object.__setattr__(self, "_sha256", cached)
        return cached

    @classmethod
    def from_bytes(cls, data: bytes) -> TextModel:
        """Parse and check an artifact; raises ArtifactError on anything unexpected."""
        if not isinstance(data, bytes | bytearray) or len(data) > MAX_ARTIFACT_BYTES:
            raise ArtifactError("an artifact is bytes of reasonable size")
        try:
            document = json.loads(bytes(data).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
            raise ArtifactError(f"not canonical JSON: {error}") from error
        return cls.from_dict(document)

    @classmethod
    def from_dict(cls, document: Any) -> TextModel:
        if not isinstance(document, dict) or document.get("format") != ARTIFACT_FORMAT:
            raise ArtifactError(f"not a {ARTIFACT_FORMAT} document")
        if document.get("word_ngrams") != list(WORD_NGRAMS) or document.get("char_ngrams") != list(
            CHAR_NGRAMS
        ):
            raise ArtifactError("n-gram ranges differ from this engine's")
        try:
            return cls(
                n_levels=document["n_levels"],
                word_terms=tuple(document["word_terms"]),
                word_idf=tuple(document["word_idf"]),
                char_terms=tuple(document["char_terms"]),
                char_idf=tuple(document["char_idf"]),
                coef=tuple(document["coef"]),
                thresholds=tuple(document["thresholds"]),
                temperature=document["temperature"],
                training_set_sha256=document["training_set_sha256"],
                metadata=document.get("metadata", {}),
            )
        except (KeyError, TypeError) as error:
            raise ArtifactError(f"missing or malformed field: {error}") from error

    def contributions(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The answer's distinct feature ids, ascending (words, then characters), and their
        contributions x_j * w_j: sublinear tf-idf, l2-normalised within each block."""
        counts = np.bincount(self._vocabulary.feature_ids(_prepare(text)))
        ids = np.flatnonzero(counts)
        # "clip" caps a count at the table's last entry.
        values = np.take(_SUBLINEAR_TF, counts[ids], mode="clip") * self._idf[ids]
        split = int(np.searchsorted(ids, len(self.word_terms)))
        squares = (values * values).tolist()
        weights = self._coef[ids]
        for block, block_squares in (
            (slice(split), squares[:split]),
            (slice(split, None), squares[split:]),
        ):
            # fsum is exactly rounded, so the result does not depend on summation order or SIMD.
            norm = math.sqrt(math.fsum(block_squares))
            if norm:
                values[block] /= norm
            else:  # nothing of the block in the answer: its values stay as they are
                weights[block] = 1.0
        values *= weights
        return ids, values

    def decision(self, text: str) -> tuple[float, list[tuple[str, float]]]:
        """The linear score w.x of an answer and its TOP_NGRAMS largest contributions."""
        ids, values = self.contributions(text)
        # Largest |contribution| first; a stable sort keeps ties in vocabulary order.
        top = np.argsort(-np.abs(values), kind="stable")[:TOP_NGRAMS]
        names = map(self._names.__getitem__, ids[top].tolist())
        return math.fsum(values.tolist()), list(zip(names, values[top].tolist(), strict=True))

    def predict(self, text: str) -> TextPrediction:
        """Level, confidence, level probabilities and top contributing n-grams for an answer."""
        score, top = self.decision(text)
        probabilities = level_probabilities(score, self.thresholds, self.temperature)
        level = median_level(probabilities)
        return TextPrediction(level, probabilities[level], tuple(probabilities), tuple(top))


def _finite_numbers(values: Sequence[Any]) -> bool:
    return all(
        isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        for value in values
    )


def _check_shape(model: TextModel) -> None:
    """Reject anything but consistent plain tables (called on every construction)."""
    problems = []
    if not isinstance(model.n_levels, int) or isinstance(model.n_levels, bool):
        problems.append("n_levels is not an integer")
    elif model.n_levels < 2 or len(model.thresholds) != model.n_levels - 1:
        problems.append("need at least 2 levels and one threshold fewer")
    for terms, idf in ((model.word_terms, model.word_idf), (model.char_terms, model.char_idf)):
        if len(terms) != len(idf) or not all(isinstance(term, str) for term in terms):
            problems.append("each vocabulary needs one idf per string term")
        if len(set(terms)) != len(terms):
            problems.append("vocabulary terms repeat")
    if len(model.coef) != len(model.word_terms) + len(model.char_terms):
        problems.append("one coefficient per vocabulary term is needed")
    numbers = (*model.word_idf, *model.char_idf, *model.coef, *model.thresholds)
    if not _finite_numbers(numbers) or not _finite_numbers([model.temperature]):
        problems.append("weights must be finite numbers")
    elif model.temperature <= 0:
        problems.append("temperature must be positive")
    if not isinstance(model.training_set_sha256, str) or not isinstance(model.metadata, dict):
        problems.append("training_set_sha256 must be a string and metadata an object")
    if problems:
        raise ArtifactError("; ".join(problems))
