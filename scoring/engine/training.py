"""Training text classifiers with scikit-learn, cross-validated, into a TextClassifier artifact.

Only this module imports scikit-learn; scoring with an artifact needs neither it nor scipy.

One recipe, used by production training, the evaluation command and the benchmarks alike:

1. Cross-validate on every exemplar (5 folds, stratified when each level has two exemplars):
   out-of-fold level, confidence and QWK. Nothing is held back for good: the cross-validation is
   what decides whether and where the model is used.
2. Selective automation (choose_automation): the lowest confidence threshold at which the
   out-of-fold predictions at or above it agree with the labels at the target QWK, over at
   least MIN_AUTOMATED_ROWS answers. None when no such threshold exists.
3. Fit the final model on every exemplar and write the artifact with the threshold in it.

decide_replacement() is the retraining rule: whether a newly trained classifier replaces the
active one.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold, StratifiedKFold

from scoring.engine.embeddings import EMBEDDINGS_NAME, WordVectors, word_vectors
from scoring.engine.textmodel import (
    _TEMPERATURES,
    DEFAULT_C,
    DEFAULT_MIN_EXEMPLARS,
    DEFAULT_TARGET_QWK,
    THRESHOLD_SCALE,
    DenseBlock,
    TextClassifier,
    _prepare,
    char_ngrams,
    dense_features,
    level_probabilities,
    median_level,
    word_ngrams,
)

# The fewest cross-validated answers an automation threshold may rest on: a QWK over fewer is
# too noisy to promise anything.
MIN_AUTOMATED_ROWS = 10
# The automated share must meet the target QWK at this bootstrap quantile (a one-sided 90%
# lower bound), over BOOTSTRAP_SAMPLES resamples; at most MAX_CANDIDATES thresholds are tried.
AUTOMATION_QUANTILE = 0.1
BOOTSTRAP_SAMPLES = 200
MAX_CANDIDATES = 100
# Weight of the meaning block against the two unit-norm n-gram blocks in the L2-penalised fit.
DENSE_SCALE = 2.0


@dataclass(frozen=True)
class Automation:
    """Where a classifier may score without a person, from its cross-validated predictions."""

    target_qwk: float
    auto_threshold: float | None  # None: the target is met for no share, nothing is automated
    cv_coverage: float
    cv_qwk_auto: float | None
    cv_exact_auto: float | None


@dataclass(frozen=True, eq=False)
class OutOfFold:
    """Cross-validated readings of the exemplars (sorted as trained on)."""

    levels: np.ndarray
    confidences: np.ndarray
    labels: np.ndarray


@dataclass(frozen=True, eq=False)
class TrainedClassifier:
    """A trained artifact with its cross-validated quality against the labels."""

    model: TextClassifier
    cv_qwk: float
    cv_exact_agreement: float
    n_exemplars: int
    folds: int
    automation: Automation
    out_of_fold: OutOfFold = field(repr=False)
    exemplars: tuple[tuple[str, int], ...] = field(repr=False)  # cleaned and sorted
    pipeline: _Pipeline = field(repr=False)  # in memory only, to check the artifact against


def training_set_sha256(exemplars: list[tuple[str, int]]) -> str:
    """sha256 of the canonical JSON of the exemplars as trained on (cleaned, sorted)."""
    canonical = json.dumps(
        [[text, level] for text, level in exemplars],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def clean_exemplars(exemplars: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    """Exemplars as trained on: text cleaned and lower-cased, sorted by (level, text)."""
    cleaned = []
    for text, level in exemplars:
        if isinstance(level, bool) or not isinstance(level, int) or level < 0:
            raise ValueError(f"exemplar level must be a level index, got {level!r}")
        if not isinstance(text, str):
            raise ValueError("exemplar text must be a string")
        cleaned.append((_prepare(text), level))
    return sorted(cleaned, key=lambda pair: (pair[1], pair[0]))


def quadratic_kappa(truth, predicted, n_levels: int) -> float:
    """Quadratic weighted kappa (as sklearn's cohen_kappa_score with quadratic weights);
    0 when undefined (no rows, or one level only on both sides)."""
    truth = np.asarray(truth, dtype=int)
    predicted = np.asarray(predicted, dtype=int)
    return float(_kappas(truth[None, :], predicted[None, :], n_levels)[0])


def _kappas(truth: np.ndarray, predicted: np.ndarray, n_levels: int) -> np.ndarray:
    """Quadratic weighted kappa of each row of two (samples, answers) arrays of levels."""
    samples, answers = truth.shape
    if not answers:
        return np.zeros(samples)
    cells = truth * n_levels + predicted + np.arange(samples)[:, None] * n_levels**2
    observed = np.bincount(cells.ravel(), minlength=samples * n_levels**2).astype(float)
    observed = observed.reshape(samples, n_levels, n_levels)
    expected = observed.sum(axis=2)[:, :, None] * observed.sum(axis=1)[:, None, :] / answers
    levels = np.arange(n_levels)
    weights = np.subtract.outer(levels, levels) ** 2
    by_chance = (weights * expected).sum(axis=(1, 2))
    disagreement = (weights * observed).sum(axis=(1, 2))
    defined = by_chance > 0
    return np.where(defined, 1.0 - disagreement / np.where(defined, by_chance, 1.0), 0.0)


# --- features -----------------------------------------------------------------------------------


def _vectorizer(analyzer) -> TfidfVectorizer:
    return TfidfVectorizer(
        analyzer=analyzer, lowercase=False, sublinear_tf=True, norm="l2", dtype=np.float64
    )


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector


@dataclass(frozen=True, eq=False)
class _Meaning:
    """The dense block's fitted part: level centroids and descriptor vectors."""

    centroids: np.ndarray  # (levels, dimensions), unit rows (zero for a level without words)
    descriptors: np.ndarray  # (levels, dimensions)

    def features(self, embeddings: np.ndarray) -> np.ndarray:
        return np.array(
            [
                dense_features(row.tolist(), self.centroids.tolist(), self.descriptors.tolist())
                for row in embeddings
            ]
        )


def _centroids(embeddings: np.ndarray, labels: np.ndarray, n_levels: int) -> np.ndarray:
    return np.array([_unit(embeddings[labels == k].sum(axis=0)) for k in range(n_levels)])


def _leave_one_out_features(
    meaning: _Meaning, embeddings: np.ndarray, labels: np.ndarray
) -> np.ndarray:
    """Training rows' dense features with each row left out of its own level's centroid, so
    the similarity to one's own level is not inflated by the row itself."""
    totals = np.array([embeddings[labels == k].sum(axis=0) for k in range(len(meaning.centroids))])
    rows = []
    for embedding, label in zip(embeddings, labels, strict=True):
        centroids = meaning.centroids.copy()
        centroids[label] = _unit(totals[label] - embedding)
        rows.append(
            dense_features(embedding.tolist(), centroids.tolist(), meaning.descriptors.tolist())
        )
    return np.array(rows)


@dataclass(frozen=True, eq=False)
class _Pipeline:
    """The fitted scikit-learn objects (kept in memory only) and the meaning block."""

    word_vectorizer: TfidfVectorizer
    char_vectorizer: TfidfVectorizer
    classifier: LogisticRegression
    meaning: _Meaning
    vectors: WordVectors
    n_levels: int

    @property
    def n_sparse(self) -> int:
        return len(self.word_vectorizer.vocabulary_) + len(self.char_vectorizer.vocabulary_)

    def scores(self, texts: list[str], embeddings: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Linear scores w.x per (prepared) text and the thresholds theta_k."""
        weights = self.classifier.coef_[0]
        ngrams = _ngram_features(self.word_vectorizer, self.char_vectorizer, texts)
        dense = self.meaning.features(embeddings) * DENSE_SCALE
        n_dense = dense.shape[1]
        linear = (
            ngrams @ weights[: self.n_sparse]
            + dense @ weights[self.n_sparse : self.n_sparse + n_dense]
        )
        return linear, weights[self.n_sparse + n_dense :] * THRESHOLD_SCALE

    def predict_proba(self, texts: list[str], temperature: float) -> np.ndarray:
        """Level probabilities of raw answers (to check the artifact's inference against)."""
        prepared = [_prepare(text) for text in texts]
        embeddings = np.array([self.vectors.embed(text) for text in prepared])
        scores, thresholds = self.scores(prepared, embeddings)
        return np.array([level_probabilities(s, thresholds, temperature) for s in scores])


def _ngram_features(word_vectorizer, char_vectorizer, texts: list[str]) -> sparse.csr_matrix:
    return sparse.hstack(
        [word_vectorizer.transform(texts), char_vectorizer.transform(texts)]
    ).tocsr()


def _fit(
    texts: list[str],
    embeddings: np.ndarray,
    labels: np.ndarray,
    descriptors: np.ndarray,
    n_levels: int,
    c: float,
    vectors: WordVectors,
) -> _Pipeline:
    """Fit the vectorizers, the meaning block and the proportional-odds model on replicated
    threshold data (the classic reduction of ordinal regression to binary classification)."""
    word_vectorizer = _vectorizer(word_ngrams).fit(texts)
    char_vectorizer = _vectorizer(char_ngrams).fit(texts)
    meaning = _Meaning(_centroids(embeddings, labels, n_levels), descriptors)
    dense = _leave_one_out_features(meaning, embeddings, labels) * DENSE_SCALE
    features = sparse.hstack(
        [_ngram_features(word_vectorizer, char_vectorizer, texts), sparse.csr_matrix(dense)]
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
    return _Pipeline(word_vectorizer, char_vectorizer, classifier, meaning, vectors, n_levels)


# --- cross-validation and selective automation --------------------------------------------------


def _splitter(labels: np.ndarray, folds: int, seed: int):
    smallest = int(np.bincount(labels)[np.unique(labels)].min())
    if smallest >= 2:
        return StratifiedKFold(n_splits=min(folds, smallest), shuffle=True, random_state=seed)
    return KFold(n_splits=folds, shuffle=True, random_state=seed)


def _out_of_fold(texts, embeddings, labels, descriptors, n_levels, c, folds, seed, vectors):
    """Out-of-fold linear scores and thresholds per text (for QWK, temperature, automation)."""
    splitter = _splitter(labels, folds, seed)
    scores = np.zeros(len(texts))
    thresholds = np.zeros((len(texts), n_levels - 1))
    for train, test in splitter.split(np.zeros(len(labels)), labels):
        if len(np.unique(labels[train])) < 2:
            continue  # a fold with one level cannot learn; its texts keep score 0
        pipeline = _fit(
            [texts[i] for i in train],
            embeddings[train],
            labels[train],
            descriptors,
            n_levels,
            c,
            vectors,
        )
        fold_scores, fold_thresholds = pipeline.scores([texts[i] for i in test], embeddings[test])
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


def choose_automation(
    levels: Sequence[int],
    confidences: Sequence[float],
    labels: Sequence[int],
    n_levels: int,
    target_qwk: float,
    min_rows: int = MIN_AUTOMATED_ROWS,
) -> Automation:
    """The lowest confidence threshold whose automated share (confidence >= threshold) agrees
    with the labels at ``target_qwk`` over at least ``min_rows`` answers: the most coverage
    that keeps the promise.

    "Agrees" is judged on the bootstrap's lower bound (AUTOMATION_QUANTILE of QWK over resampled
    rows), not on the QWK of the sample: the threshold is chosen on the same rows it is judged
    on, and a QWK over a few dozen answers varies a lot, so the sample value alone promised
    more than held-out answers kept. Candidates are up to MAX_CANDIDATES of the confidences,
    lowest first; the bootstrap is seeded, so the same readings give the same threshold."""
    levels, confidences, labels = map(np.asarray, (levels, confidences, labels))
    random = np.random.default_rng(0)
    ordered = np.sort(confidences)
    picks = np.unique(
        np.linspace(0, len(ordered) - 1, min(len(ordered), MAX_CANDIDATES)).astype(int)
    )
    for threshold in np.unique(ordered[picks]):
        automated = confidences >= threshold
        if automated.sum() < min_rows:
            break
        truth, predicted = labels[automated], levels[automated]
        if quadratic_kappa(truth, predicted, n_levels) < target_qwk:
            continue  # the sample misses the target: its lower bound does too
        if _qwk_lower_bound(truth, predicted, n_levels, random) >= target_qwk:
            return Automation(
                target_qwk=target_qwk,
                auto_threshold=float(threshold),
                cv_coverage=round(float(automated.mean()), 6),
                cv_qwk_auto=round(quadratic_kappa(truth, predicted, n_levels), 6),
                cv_exact_auto=round(float(np.mean(predicted == truth)), 6),
            )
    return Automation(target_qwk, None, 0.0, None, None)


def _qwk_lower_bound(truth: np.ndarray, predicted: np.ndarray, n_levels: int, random) -> float:
    """The AUTOMATION_QUANTILE quantile of QWK over BOOTSTRAP_SAMPLES resamples of the rows."""
    rows = random.integers(0, len(truth), size=(BOOTSTRAP_SAMPLES, len(truth)))
    return float(np.quantile(_kappas(truth[rows], predicted[rows], n_levels), AUTOMATION_QUANTILE))


def descriptors_of(criterion: dict) -> list[str]:
    """Each level's descriptor text of a criterion (empty where a level has none)."""
    return [
        level.get("descriptor") if isinstance(level.get("descriptor"), str) else ""
        for level in criterion.get("levels") or []
        if isinstance(level, dict)
    ]


def train_text_model(
    exemplars: Sequence[tuple[str, int]],
    *,
    seed: int = 0,
    folds: int = 5,
    n_levels: int | None = None,
    c: float = DEFAULT_C,
    target_qwk: float = DEFAULT_TARGET_QWK,
    descriptors: Sequence[str] | None = None,
    vectors: WordVectors | None = None,
) -> TrainedClassifier:
    """Train the ordinal text classifier on (text, level index) pairs: cross-validate, choose
    the automation threshold, then fit the final model on every exemplar."""
    cleaned = clean_exemplars(exemplars)
    labels = np.array([level for _, level in cleaned], dtype=int)
    texts = [text for text, _ in cleaned]
    n_levels = n_levels or (int(labels.max()) + 1 if len(labels) else 0)
    if len(np.unique(labels)) < 2 or labels.max() >= n_levels:
        raise ValueError("need exemplars at two or more levels, each below n_levels")
    if len(texts) < max(2, folds):
        raise ValueError(f"need at least {max(2, folds)} exemplars for {folds}-fold CV")
    vectors = vectors or word_vectors()
    embeddings = np.array([vectors.embed(text) for text in texts])
    described = list(descriptors or [])[:n_levels] + [""] * (n_levels - len(descriptors or []))
    descriptor_vectors = np.array([vectors.embed(_prepare(text)) for text in described])
    scores, thresholds, folds_used = _out_of_fold(
        texts, embeddings, labels, descriptor_vectors, n_levels, c, folds, seed, vectors
    )
    temperature = _best_temperature(scores, thresholds, labels)
    probabilities = [
        level_probabilities(s, theta, temperature)
        for s, theta in zip(scores, thresholds, strict=True)
    ]
    predicted = np.array([median_level(p) for p in probabilities])
    confidences = np.array([p[level] for p, level in zip(probabilities, predicted, strict=True)])
    automation = choose_automation(predicted, confidences, labels, n_levels, target_qwk)
    qwk = quadratic_kappa(labels, predicted, n_levels)
    exact = float(np.mean(predicted == labels))
    pipeline = _fit(texts, embeddings, labels, descriptor_vectors, n_levels, c, vectors)
    metadata = {
        "n_exemplars": len(cleaned),
        "cv_qwk": round(qwk, 6),
        "cv_exact_agreement": round(exact, 6),
        "cv_folds": folds_used,
        "seed": seed,
        "c": c,
        "embeddings": EMBEDDINGS_NAME,
        **asdict(automation),
    }
    model = _artifact(pipeline, temperature, training_set_sha256(cleaned), metadata)
    return TrainedClassifier(
        model,
        qwk,
        exact,
        len(texts),
        folds_used,
        automation,
        OutOfFold(predicted, confidences, labels),
        tuple(cleaned),
        pipeline,
    )


def _artifact(
    pipeline: _Pipeline, temperature: float, sha256: str, metadata: dict
) -> TextClassifier:
    def terms(vectorizer: TfidfVectorizer) -> tuple[str, ...]:
        vocabulary = vectorizer.vocabulary_
        return tuple(sorted(vocabulary, key=vocabulary.__getitem__))

    weights = pipeline.classifier.coef_[0]
    n_sparse = pipeline.n_sparse
    meaning = pipeline.meaning
    n_dense = meaning.centroids.shape[1] + 2 * pipeline.n_levels
    dense = DenseBlock(
        embeddings_sha256=pipeline.vectors.sha256,
        centroids=tuple(tuple(float(x) for x in row) for row in meaning.centroids),
        descriptors=tuple(tuple(float(x) for x in row) for row in meaning.descriptors),
        # The design scaled the dense features; the artifact folds the scale into the weights.
        coef=tuple(float(x) * DENSE_SCALE for x in weights[n_sparse : n_sparse + n_dense]),
    )
    return TextClassifier(
        n_levels=pipeline.n_levels,
        word_terms=terms(pipeline.word_vectorizer),
        word_idf=tuple(float(x) for x in pipeline.word_vectorizer.idf_),
        char_terms=terms(pipeline.char_vectorizer),
        char_idf=tuple(float(x) for x in pipeline.char_vectorizer.idf_),
        coef=tuple(float(x) for x in weights[:n_sparse]),
        thresholds=tuple(float(x) * THRESHOLD_SCALE for x in weights[n_sparse + n_dense :]),
        temperature=float(temperature),
        training_set_sha256=sha256,
        metadata=metadata,
        dense=dense,
    )


# --- acceptance and replacement -----------------------------------------------------------------


def model_accepted(trained: TrainedClassifier, min_exemplars: int = DEFAULT_MIN_EXEMPLARS) -> bool:
    """Whether a classifier may score a criterion: enough exemplars, and a share of answers on
    which its cross-validated agreement meets the target (otherwise it would automate nothing).

    This replaces the single QWK bar on the whole model (TEXT_MODEL_QWK_BAR): a model whose
    overall QWK is modest can still be reliably right on its confident share, and one with a
    high overall QWK is used only where it is confident enough."""
    return trained.n_exemplars >= min_exemplars and trained.automation.auto_threshold is not None


@dataclass(frozen=True)
class Replacement:
    """Whether a candidate classifier replaces the active one, and the figures it rests on."""

    replace: bool
    reason: str
    candidate: dict
    active: dict


def _agreement(levels, confidences, labels, n_levels: int, threshold) -> dict:
    """QWK over all rows, and coverage and QWK of the share a threshold automates."""
    levels, confidences, labels = map(np.asarray, (levels, confidences, labels))
    automated = (
        confidences >= threshold if threshold is not None else np.zeros(len(labels), dtype=bool)
    )
    return {
        "rows": len(labels),
        "qwk": round(quadratic_kappa(labels, levels, n_levels), 6) if len(labels) else None,
        "coverage": round(float(automated.mean()), 6) if len(labels) else 0.0,
        "qwk_auto": round(quadratic_kappa(labels[automated], levels[automated], n_levels), 6)
        if automated.any()
        else None,
    }


def decide_replacement(
    candidate: TrainedClassifier,
    active: TextClassifier | None,
    fresh: Sequence[tuple[str, int]] = (),
    min_exemplars: int = DEFAULT_MIN_EXEMPLARS,
) -> Replacement:
    """The retraining rule: a candidate replaces the active classifier only if it is accepted
    (model_accepted) and does no worse on the same rows.

    The same rows are ``fresh``: labels gathered since the active classifier was trained. The
    active one never saw them, and the candidate's cross-validation holds each of them out, so
    both are judged on answers neither learnt from; "no worse" is QWK over those rows. Without
    fresh rows (or an @1 active classifier with no automation figures to compare), the
    candidate must reach at least the active one's cross-validated coverage.
    """
    n_levels = candidate.model.n_levels
    oof = candidate.out_of_fold
    position = {pair: i for i, pair in enumerate(candidate.exemplars)}
    rows = [position[pair] for pair in clean_exemplars(fresh) if pair in position]
    threshold = candidate.automation.auto_threshold
    summary = _agreement(
        oof.levels[rows], oof.confidences[rows], oof.labels[rows], n_levels, threshold
    )
    candidate_figures = {
        **asdict(candidate.automation),
        "cv_qwk": round(candidate.cv_qwk, 6),
        "fresh": summary,
    }
    if not model_accepted(candidate, min_exemplars):
        return Replacement(
            False,
            "the candidate meets the target QWK on no share of answers (or has too few exemplars)",
            candidate_figures,
            {},
        )
    if active is None:
        return Replacement(True, "no active model", candidate_figures, {})
    if active.n_levels != n_levels:
        return Replacement(
            True, "the active model has another number of levels", candidate_figures, {}
        )
    active_figures = dict(active.automation or {})
    if rows:
        readings = [active.predict(candidate.exemplars[i][0]) for i in rows]
        active_figures["fresh"] = _agreement(
            [r.level for r in readings],
            [r.confidence for r in readings],
            oof.labels[rows],
            n_levels,
            active_figures.get("auto_threshold"),
        )
        better = (summary["qwk"] or 0.0) >= (active_figures["fresh"]["qwk"] or 0.0)
        verdict = "QWK on the new labels"
    else:
        better = candidate.automation.cv_coverage >= (active_figures.get("cv_coverage") or 0.0)
        verdict = "cross-validated coverage at the target"
    reason = f"{'no worse' if better else 'worse'} than the active model on {verdict}"
    return Replacement(better, reason, candidate_figures, active_figures)


def exemplars_of(criterion: dict) -> list[tuple[str, int]]:
    """The labelled exemplars of a text criterion: (text, level index) for every level."""
    return [
        (text, index)
        for index, level in enumerate(criterion.get("levels") or [])
        for text in (level.get("exemplars") or [])
        if isinstance(text, str)
    ]
