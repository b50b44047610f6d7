"""Training text models with scikit-learn, cross-validated, into a TextModel artifact.

Only this module imports scikit-learn; scoring with an artifact needs neither it nor numpy.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import cohen_kappa_score
from sklearn.model_selection import KFold, StratifiedKFold

from scoring.engine.textmodel import (
    _TEMPERATURES,
    DEFAULT_C,
    DEFAULT_MIN_EXEMPLARS,
    DEFAULT_QWK_BAR,
    THRESHOLD_SCALE,
    TextModel,
    _prepare,
    char_ngrams,
    level_probabilities,
    median_level,
    word_ngrams,
)


@dataclass(frozen=True, eq=False)
class ScikitOrdinalPipeline:
    """The fitted scikit-learn objects (kept in memory only, to check the artifact against)."""

    word_vectorizer: TfidfVectorizer
    char_vectorizer: TfidfVectorizer
    classifier: LogisticRegression
    n_levels: int

    def features(self, texts: list[str]) -> sparse.csr_matrix:
        prepared = [_prepare(text) for text in texts]
        return sparse.hstack(
            [self.word_vectorizer.transform(prepared), self.char_vectorizer.transform(prepared)]
        ).tocsr()

    def scores(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Linear scores w.x per text and the thresholds theta_k."""
        n_features = len(self.word_vectorizer.vocabulary_) + len(self.char_vectorizer.vocabulary_)
        weights = self.classifier.coef_[0]
        return self.features(texts) @ weights[:n_features], weights[n_features:] * THRESHOLD_SCALE

    def predict_proba(self, texts: list[str], temperature: float = 1.0) -> np.ndarray:
        scores, thresholds = self.scores(texts)
        return np.array([level_probabilities(s, thresholds, temperature) for s in scores])


@dataclass(frozen=True, eq=False)
class TrainedModel:
    """A trained artifact with its cross-validated quality against the labels."""

    model: TextModel
    cv_qwk: float
    cv_exact_agreement: float
    n_exemplars: int
    folds: int
    pipeline: ScikitOrdinalPipeline = field(repr=False)


def training_set_sha256(exemplars: list[tuple[str, int]]) -> str:
    """sha256 of the canonical JSON of the exemplars as trained on (cleaned, sorted)."""
    canonical = json.dumps(
        [[text, level] for text, level in exemplars],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _clean_exemplars(exemplars: list[tuple[str, int]]) -> list[tuple[str, int]]:
    cleaned = []
    for entry in exemplars:
        text, level = entry
        if isinstance(level, bool) or not isinstance(level, int) or level < 0:
            raise ValueError(f"exemplar level must be a level index, got {level!r}")
        if not isinstance(text, str):
            raise ValueError("exemplar text must be a string")
        cleaned.append((_prepare(text), level))
    return sorted(cleaned, key=lambda pair: (pair[1], pair[0]))


def _vectorizer(analyzer) -> TfidfVectorizer:
    return TfidfVectorizer(
        analyzer=analyzer, lowercase=False, sublinear_tf=True, norm="l2", dtype=np.float64
    )


def _fit(texts: list[str], labels: np.ndarray, n_levels: int, c: float) -> ScikitOrdinalPipeline:
    """Fit the vectorizers and the proportional-odds model on replicated threshold data."""
    word_vectorizer = _vectorizer(word_ngrams).fit(texts)
    char_vectorizer = _vectorizer(char_ngrams).fit(texts)
    features = sparse.hstack(
        [word_vectorizer.transform(texts), char_vectorizer.transform(texts)]
    ).tocsr()
    n_thresholds = n_levels - 1
    rows = sparse.vstack([features] * n_thresholds)
    indicators = sparse.kron(
        sparse.identity(n_thresholds, format="csr"), np.ones((len(texts), 1))
    ).tocsr()
    design = sparse.hstack([rows, indicators * THRESHOLD_SCALE]).tocsr()
    targets = np.concatenate([(labels > k).astype(int) for k in range(n_thresholds)])
    # liblinear (trust-region Newton on the primal) is ~15x faster than lbfgs here, same fit.
    classifier = LogisticRegression(C=c, fit_intercept=False, solver="liblinear", random_state=0)
    classifier.fit(design, targets)
    return ScikitOrdinalPipeline(word_vectorizer, char_vectorizer, classifier, n_levels)


def _splitter(labels: np.ndarray, folds: int, seed: int):
    smallest = int(np.bincount(labels)[np.unique(labels)].min())
    if smallest >= 2:
        return StratifiedKFold(n_splits=min(folds, smallest), shuffle=True, random_state=seed)
    return KFold(n_splits=folds, shuffle=True, random_state=seed)


def _out_of_fold(texts, labels, n_levels, c, folds, seed) -> tuple[np.ndarray, np.ndarray, int]:
    """Out-of-fold linear scores and thresholds per text (for QWK and the temperature)."""
    splitter = _splitter(labels, folds, seed)
    scores = np.zeros(len(texts))
    thresholds = np.zeros((len(texts), n_levels - 1))
    for train, test in splitter.split(np.zeros(len(labels)), labels):
        if len(np.unique(labels[train])) < 2:
            continue  # a fold with one level cannot learn; its texts keep score 0
        pipeline = _fit([texts[i] for i in train], labels[train], n_levels, c)
        fold_scores, fold_thresholds = pipeline.scores([texts[i] for i in test])
        scores[test] = fold_scores
        thresholds[test] = fold_thresholds
    return scores, thresholds, splitter.get_n_splits()


def _best_temperature(scores, thresholds, labels) -> float:
    """The temperature with the lowest out-of-fold log-loss (first of equals)."""
    best, best_loss = 1.0, math.inf
    for temperature in _TEMPERATURES:
        loss = 0.0
        for score, theta, label in zip(scores, thresholds, labels, strict=True):
            probability = level_probabilities(score, theta, temperature)[label]
            loss -= math.log(max(probability, 1e-12))
        if loss < best_loss - 1e-12:
            best, best_loss = temperature, loss
    return best


def quadratic_kappa(truth, predicted, n_levels: int) -> float:
    """Quadratic weighted kappa; 0 when undefined (one level only on both sides)."""
    value = cohen_kappa_score(truth, predicted, weights="quadratic", labels=list(range(n_levels)))
    return float(value) if math.isfinite(value) else 0.0


def train_text_model(
    exemplars: list[tuple[str, int]],
    *,
    seed: int = 0,
    folds: int = 5,
    n_levels: int | None = None,
    c: float = DEFAULT_C,
) -> TrainedModel:
    """Train the ordinal text model on (text, level index) pairs and cross-validate it."""
    cleaned = _clean_exemplars(list(exemplars))
    labels = np.array([level for _, level in cleaned], dtype=int)
    texts = [text for text, _ in cleaned]
    n_levels = n_levels or (int(labels.max()) + 1 if len(labels) else 0)
    if len(np.unique(labels)) < 2 or labels.max() >= n_levels:
        raise ValueError("need exemplars at two or more levels, each below n_levels")
    if len(texts) < max(2, folds):
        raise ValueError(f"need at least {max(2, folds)} exemplars for {folds}-fold CV")
    scores, thresholds, folds_used = _out_of_fold(texts, labels, n_levels, c, folds, seed)
    temperature = _best_temperature(scores, thresholds, labels)
    predicted = [
        median_level(level_probabilities(s, theta, 1.0))
        for s, theta in zip(scores, thresholds, strict=True)
    ]
    qwk = quadratic_kappa(labels, predicted, n_levels)
    exact = float(np.mean(np.array(predicted) == labels))
    pipeline = _fit(texts, labels, n_levels, c)
    model = _artifact(pipeline, temperature, cleaned, qwk, exact, seed, folds_used, c)
    return TrainedModel(model, qwk, exact, len(texts), folds_used, pipeline)


def _artifact(pipeline, temperature, cleaned, qwk, exact, seed, folds, c) -> TextModel:
    def terms(vectorizer: TfidfVectorizer) -> tuple[str, ...]:
        vocabulary = vectorizer.vocabulary_
        return tuple(sorted(vocabulary, key=vocabulary.__getitem__))

    n_words = len(pipeline.word_vectorizer.vocabulary_)
    n_features = n_words + len(pipeline.char_vectorizer.vocabulary_)
    weights = pipeline.classifier.coef_[0]
    return TextModel(
        n_levels=pipeline.n_levels,
        word_terms=terms(pipeline.word_vectorizer),
        word_idf=tuple(float(x) for x in pipeline.word_vectorizer.idf_),
        char_terms=terms(pipeline.char_vectorizer),
        char_idf=tuple(float(x) for x in pipeline.char_vectorizer.idf_),
        coef=tuple(float(x) for x in weights[:n_features]),
        thresholds=tuple(float(x) * THRESHOLD_SCALE for x in weights[n_features:]),
        temperature=float(temperature),
        training_set_sha256=training_set_sha256(cleaned),
        metadata={
            "n_exemplars": len(cleaned),
            "cv_qwk": round(qwk, 6),
            "cv_exact_agreement": round(exact, 6),
            "cv_folds": folds,
            "seed": seed,
            "c": c,
        },
    )


def model_accepted(
    trained: TrainedModel,
    bar: float = DEFAULT_QWK_BAR,
    min_exemplars: int = DEFAULT_MIN_EXEMPLARS,
) -> bool:
    """Whether a model may score a criterion: enough exemplars and CV QWK at the bar."""
    return trained.n_exemplars >= min_exemplars and trained.cv_qwk >= bar


def exemplars_of(criterion: dict) -> list[tuple[str, int]]:
    """The labelled exemplars of a text criterion: (text, level index) for every level."""
    return [
        (text, index)
        for index, level in enumerate(criterion.get("levels") or [])
        for text in (level.get("exemplars") or [])
        if isinstance(text, str)
    ]
