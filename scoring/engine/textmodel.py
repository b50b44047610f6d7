"""Text classifiers: n-grams and meaning features + an ordinal linear model, as a safe artifact.

Training uses scikit-learn (training.py). The artifact is canonical JSON (vocabularies, idf,
weights, thresholds, a temperature, the automation threshold), never a pickle: loading parses
JSON and checks its shape, so it runs no code, and inference recomputes the features with numpy
from the stored tables (no scikit-learn object is involved).

Features. Each answer becomes two l2-normalised TF-IDF blocks (sublinear tf): word 1-2 grams and
character 3-5 grams within word boundaries. Artifacts of format @2 add a dense block of meaning
features (embeddings.py): the answer's mean GloVe vector, its cosine similarity to each level's
exemplars (their mean vector) and to each level's descriptor from the rubric.

Model. Levels are ordered, so one weight vector ``w`` and K-1 thresholds ``theta_k`` model
``P(level > k) = sigmoid((w.x + theta_k) / T)``. The predicted level is the median of the
resulting distribution, its probability is the confidence, and the temperature ``T`` is fitted
on out-of-fold predictions (calibration; it never changes the predicted level). Evidence: the
n-grams of the answer with the largest ``|x_j * w_j|``, named by the model's vocabulary, so
evidence repeats the model's words, never other text of the answer.

Selective automation (@2): the artifact carries ``auto_threshold``, the lowest confidence at
which the cross-validated predictions agreed with the labels at the target QWK (training.py);
an answer below it goes to a person. None means the target was met for no share: everything goes
to a person. Format @1 artifacts (n-grams only, no automation threshold) still load and predict
exactly as before, so runs scored with them replay.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np

from scoring.engine.text import HARD_MAX_LENGTH, clean_text

ARTIFACT_FORMAT = "skillproof/text-model@2"
LEGACY_FORMAT = "skillproof/text-model@1"
DEFAULT_MIN_EXEMPLARS = 30
DEFAULT_TARGET_QWK = 0.85
DEFAULT_C = 10.0
TOP_NGRAMS = 5
MAX_ARTIFACT_BYTES = 256 * 1024 * 1024
# Scale of the threshold indicator columns: keeps the L2 penalty on thresholds negligible.
THRESHOLD_SCALE = 10.0
WORD_NGRAMS = (1, 2)
CHAR_NGRAMS = (3, 5)
_TEMPERATURES = tuple(round(10 ** (exponent / 20), 6) for exponent in range(-20, 21))
# Automation metadata an @2 artifact must carry (see training.Automation).
AUTOMATION_KEYS = ("target_qwk", "auto_threshold", "cv_coverage", "cv_qwk_auto", "cv_exact_auto")

_WORD = re.compile(r"\w+")
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


# 1 + ln(count) for every count an answer of HARD_MAX_LENGTH characters can produce (math.log,
# as the artifacts of format @1 were scored with).
_SUBLINEAR_TF = np.array([0.0] + [1.0 + math.log(count) for count in range(1, 2 * HARD_MAX_LENGTH)])


def dense_features(
    embedding: Sequence[float],
    centroids: Sequence[Sequence[float]],
    descriptors: Sequence[Sequence[float]],
) -> list[float]:
    """The meaning block: the embedding, then its cosine to each level's exemplar centroid and
    to each level's descriptor (all unit or zero vectors, so a dot product is the cosine)."""
    similarities = [
        math.fsum(a * b for a, b in zip(embedding, other, strict=True))
        for other in (*centroids, *descriptors)
    ]
    return [*embedding, *similarities]


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
class DenseBlock:
    """The meaning features of an @2 artifact: which vectors, each level's exemplar centroid and
    descriptor vector, and the weight of each dense feature (see dense_features())."""

    embeddings_sha256: str
    centroids: tuple[tuple[float, ...], ...]
    descriptors: tuple[tuple[float, ...], ...]
    coef: tuple[float, ...]

    def to_dict(self) -> dict:
        return {
            "embeddings_sha256": self.embeddings_sha256,
            "centroids": [list(row) for row in self.centroids],
            "descriptors": [list(row) for row in self.descriptors],
            "coef": list(self.coef),
        }


@dataclass(frozen=True, eq=False)
class TextClassifier:
    """A trained text classifier: plain tables, JSON bytes, no code. Build with from_bytes()."""

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
    dense: DenseBlock | None = None  # None: a format @1 artifact (n-grams only)
    # n-gram -> feature id; character ids come after the word ids, so both blocks index one
    # array of idf and one of weights.
    _word_ids: dict = field(init=False, repr=False)
    _char_ids: dict = field(init=False, repr=False)
    # Whitespace token -> (its words, the ids of its word unigrams and character n-grams): a
    # token's n-grams never change and answers to one question share most tokens. Reading an
    # answer is about a third of scoring an attempt with two model-scored steps, and this
    # memo halves it (docs/benchmarks.md); the result is the same either way.
    _memo: dict = field(init=False, repr=False, default_factory=dict)
    _idf: np.ndarray = field(init=False, repr=False)
    _coef: np.ndarray = field(init=False, repr=False)
    _names: tuple = field(init=False, repr=False)  # by feature id, as evidence shows them
    # The sha256 of to_bytes(), derived like the tables above: replace() derives it anew.
    sha256: str = field(init=False, repr=False)

    def __post_init__(self) -> None:
        _check_shape(self)
        n_words = len(self.word_terms)
        words = {term: i for i, term in enumerate(self.word_terms)}
        object.__setattr__(self, "_word_ids", words)
        chars = {term: n_words + i for i, term in enumerate(self.char_terms)}
        object.__setattr__(self, "_char_ids", chars)
        object.__setattr__(self, "_idf", np.array(self.word_idf + self.char_idf, dtype=float))
        object.__setattr__(self, "_coef", np.array(self.coef, dtype=float))
        names = self.word_terms + tuple(f"[{term}]" for term in self.char_terms)
        object.__setattr__(self, "_names", names)
        object.__setattr__(self, "sha256", hashlib.sha256(self.to_bytes()).hexdigest())

    @property
    def artifact_format(self) -> str:
        return LEGACY_FORMAT if self.dense is None else ARTIFACT_FORMAT

    @property
    def automation(self) -> dict | None:
        """The automation metadata (AUTOMATION_KEYS) of an @2 artifact; None for @1."""
        if self.dense is None:
            return None
        return {key: self.metadata[key] for key in AUTOMATION_KEYS}

    def automates(self, confidence: float) -> bool:
        """Whether an answer read with this confidence may be scored without a person
        (@2 only; an @1 model leaves the decision to the criterion's confidence_threshold)."""
        threshold = self.metadata.get("auto_threshold")
        return threshold is not None and confidence >= threshold

    def to_dict(self) -> dict:
        document = {
            "format": self.artifact_format,
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
        if self.dense is not None:
            document["dense"] = self.dense.to_dict()
        return document

    def to_bytes(self) -> bytes:
        """Canonical JSON: sorted keys, compact, UTF-8; floats as their shortest exact repr."""
        return json.dumps(
            self.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes) -> TextClassifier:
        """Parse and check an artifact; raises ArtifactError on anything unexpected."""
        if not isinstance(data, bytes | bytearray) or len(data) > MAX_ARTIFACT_BYTES:
            raise ArtifactError("an artifact is bytes of reasonable size")
        try:
            document = json.loads(bytes(data).decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
            raise ArtifactError(f"not canonical JSON: {error}") from error
        return cls.from_dict(document)

    @classmethod
    def from_dict(cls, document: Any) -> TextClassifier:
        if not isinstance(document, dict) or document.get("format") not in (
            ARTIFACT_FORMAT,
            LEGACY_FORMAT,
        ):
            raise ArtifactError(f"not a {ARTIFACT_FORMAT} (or {LEGACY_FORMAT}) document")
        if document.get("word_ngrams") != list(WORD_NGRAMS) or document.get("char_ngrams") != list(
            CHAR_NGRAMS
        ):
            raise ArtifactError("n-gram ranges differ from this engine's")
        legacy = document["format"] == LEGACY_FORMAT
        if legacy == ("dense" in document):
            raise ArtifactError("format @2 artifacts have a dense block, @1 artifacts none")
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
                dense=None if legacy else _dense_block(document["dense"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ArtifactError(f"missing or malformed field: {error}") from error

    def contributions(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """The answer's distinct n-gram feature ids, ascending (words, then characters), and
        their contributions x_j * w_j: sublinear tf-idf, l2-normalised within each block."""
        tokens = [
            self._memo.get(token) or self._read_token(token) for token in _prepare(text).split()
        ]
        # Words never span whitespace, so only the bigrams across tokens are looked up here.
        words = [word for token_words, _ in tokens for word in token_words]
        bigrams = map(" ".join, pairwise(words))
        found = [self._word_ids[gram] for gram in bigrams if gram in self._word_ids]
        for _, token_ids in tokens:
            found += token_ids
        counts = np.bincount(np.array(found, dtype=np.int64))
        ids = np.flatnonzero(counts)
        values = _SUBLINEAR_TF[counts[ids]] * self._idf[ids]
        weights = self._coef[ids]
        split = int(np.searchsorted(ids, len(self.word_terms)))
        for block in (slice(split), slice(split, None)):
            # fsum is exactly rounded, so the result does not depend on summation order or SIMD.
            norm = math.sqrt(math.fsum((values[block] * values[block]).tolist()))
            if norm:
                values[block] /= norm
        return ids, values * weights

    def _read_token(self, token: str) -> tuple[list[str], list[int]]:
        """A token's words and the ids of its word unigrams and character n-grams (as
        word_ngrams and char_ngrams give them), remembered for up to TOKEN_MEMO_SIZE tokens."""
        words = _WORD.findall(token)
        ids = [self._word_ids[word] for word in words if word in self._word_ids]
        ids += [self._char_ids[gram] for gram in char_ngrams(token) if gram in self._char_ids]
        if len(self._memo) < TOKEN_MEMO_SIZE:
            self._memo[token] = (words, ids)
        return words, ids

    def dense_score(self, text: str) -> float:
        """The meaning block's share of the linear score (0 for an @1 artifact)."""
        if self.dense is None:
            return 0.0
        from scoring.engine.embeddings import word_vectors

        vectors = word_vectors()
        if vectors.sha256 != self.dense.embeddings_sha256:
            raise ArtifactError(
                f"model trained with word vectors {self.dense.embeddings_sha256[:12]}, "
                f"installed ones are {vectors.sha256[:12]}"
            )
        features = dense_features(
            vectors.embed(_prepare(text)), self.dense.centroids, self.dense.descriptors
        )
        return math.fsum(x * w for x, w in zip(features, self.dense.coef, strict=True))

    def decision(self, text: str) -> tuple[float, list[tuple[str, float]]]:
        """The linear score w.x of an answer and its TOP_NGRAMS largest n-gram contributions."""
        ids, values = self.contributions(text)
        # Largest |contribution| first; a stable sort keeps ties in vocabulary order.
        top = np.argsort(-np.abs(values), kind="stable")[:TOP_NGRAMS]
        names = [self._names[feature] for feature in ids[top].tolist()]
        score = math.fsum(values.tolist())
        if self.dense is not None:
            score = math.fsum([score, self.dense_score(text)])
        return score, list(zip(names, values[top].tolist(), strict=True))

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


def _dense_block(document: Any) -> DenseBlock:
    if not isinstance(document, dict):
        raise ArtifactError("the dense block is not an object")
    return DenseBlock(
        embeddings_sha256=document["embeddings_sha256"],
        centroids=tuple(tuple(row) for row in document["centroids"]),
        descriptors=tuple(tuple(row) for row in document["descriptors"]),
        coef=tuple(document["coef"]),
    )


def _check_dense(model: TextClassifier) -> list[str]:
    dense = model.dense
    if dense is None:
        return []
    problems = []
    rows = (*dense.centroids, *dense.descriptors)
    if len(dense.centroids) != model.n_levels or len(dense.descriptors) != model.n_levels:
        problems.append("the dense block needs one centroid and one descriptor per level")
    width = len(rows[0]) if rows else 0
    if any(len(row) != width for row in rows) or len(dense.coef) != width + 2 * len(
        dense.centroids
    ):
        problems.append("dense vectors and weights differ in length")
    if not _finite_numbers([value for row in rows for value in row]) or not _finite_numbers(
        dense.coef
    ):
        problems.append("dense weights must be finite numbers")
    if not isinstance(dense.embeddings_sha256, str):
        problems.append("embeddings_sha256 must be a string")
    missing = [key for key in AUTOMATION_KEYS if key not in model.metadata]
    if missing:
        problems.append(f"automation metadata missing: {', '.join(missing)}")
    elif not (
        model.metadata["auto_threshold"] is None
        or _finite_numbers([model.metadata["auto_threshold"]])
    ):
        problems.append("auto_threshold must be a number or null")
    return problems


def _check_shape(model: TextClassifier) -> None:
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
    else:
        problems += _check_dense(model)
    if problems:
        raise ArtifactError("; ".join(problems))
