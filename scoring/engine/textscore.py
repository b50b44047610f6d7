"""Free-text criteria: a text model when one is accepted, else the concept rubric; then guards.

Every concept-scored criterion goes to human review (the issue's rule), as does any model score
below the criterion's confidence_threshold and any answer that trips a guard (see text.py).
A concept search that runs out of time (concepts.py) is handled like a guard, flagged
``pattern_timeout``: the concepts found are incomplete, so the level is unknown and a reviewer
decides. An empty answer scores the lowest level without review: there is nothing to judge.

Evidence holds no text taken from the answer: concepts name the phrasing and the offsets of a
match. A text model's ``top_ngrams`` are entries of the model's own vocabulary (stored in its
artifact, learnt from its training exemplars) that the answer contains, with their weights: the
words are the model's, and an n-gram of the answer that is not in the vocabulary never appears;
they do show that the answer used those vocabulary entries.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from scoring.engine import concepts as concept_rubric
from scoring.engine import text as text_guard
from scoring.engine.breakdown import Canonical, CriterionScore, canonical, rounded
from scoring.engine.rubric import Rubric, criterion_score, text_method

if TYPE_CHECKING:
    from scoring.engine.plan import StepPlan

INVALID_TEXT = {"status": "invalid", "note": "invalid answer: expected {'text': string}"}
PATTERN_TIMEOUT = "pattern_timeout"


def score_text_criteria(
    step: StepPlan, answer: Any, models: Mapping[str, Any]
) -> tuple[str, list[CriterionScore]]:
    """Score each text criterion of one answered step; returns (step status, scores)."""
    plan = step.text
    raw = answer.get("text") if isinstance(answer, dict) else None
    cleaned = text_guard.clean_text(raw, plan.max_length)
    if cleaned is None:
        return "invalid", [
            criterion_score(
                rubric, 0, method=text_method(rubric, models), confidence=1.0, evidence=INVALID_TEXT
            )
            for rubric in step.rubrics
        ]
    text, notes = cleaned
    if not text.strip():
        evidence = {"status": "answered", "note": "empty answer: scored 0", **notes}
        return "answered", [
            criterion_score(
                rubric, 0, method=text_method(rubric, models), confidence=1.0, evidence=evidence
            )
            for rubric in step.rubrics
        ]
    answer_profile = text_guard.profile(text)
    overlap = text_guard.rubric_overlap(answer_profile, plan.rubric_trigrams)
    scores = [
        _score_one(rubric, concepts, text, answer_profile, overlap, notes, models, plan.prose)
        for rubric, concepts in zip(step.rubrics, plan.concepts, strict=True)
    ]
    return "answered", scores


def _score_one(
    rubric: Rubric,
    concepts: concept_rubric.ConceptSet,
    text: str,
    answer_profile: text_guard.TextProfile,
    overlap: float,
    notes: dict,
    models: Mapping[str, Any],
    prose: bool,
) -> CriterionScore:
    matches = concept_rubric.match_concepts(concepts, answer_profile.lowered)
    density = text_guard.concept_density(answer_profile, list(matches.spans))
    flags = text_guard.guard_flags(answer_profile, overlap, density, matches.n_matches, prose=prose)
    if matches.timed_out:
        flags.append(PATTERN_TIMEOUT)
    method = text_method(rubric, models)
    if method == "model":
        model = models[rubric.key]
        level, confidence, evidence = _model_level(model, text)
        reasons = [] if _automated(model, rubric, confidence) else ["low_confidence"]
    else:
        level, confidence, evidence = _concept_level(matches, rubric.levels)
        reasons = ["concept_scored"] if matches.total else ["no_concepts"]
    evidence["concepts"] = list(matches.evidence)
    evidence["guards"] = {
        "flags": flags,
        "language": answer_profile.language,
        "function_word_ratio": rounded(answer_profile.function_ratio),
        "concept_density": rounded(density),
        "rubric_overlap": rounded(overlap),
    }
    if flags:
        # A gamed or unreadable answer, or one whose concepts could not all be searched, must
        # not pay: lowest level until a human looks at it.
        evidence["machine_level"] = level
        level, confidence = 0, min(confidence, text_guard.GUARD_CONFIDENCE)
        reasons = [*flags, *reasons]
    # Every part is canonical as built: rounded floats, strings of the cleaned answer, of the
    # compiled content (concepts.compile_concepts) or passed through canonical() here.
    evidence = Canonical({"status": "answered", **evidence, **notes})
    return criterion_score(
        rubric,
        level,
        method=method,
        confidence=confidence,
        evidence=evidence,
        needs_review=bool(reasons),
        review_reasons=tuple(reasons),
    )


def _concept_level(matches: concept_rubric.ConceptMatches, levels: list) -> tuple[int, float, dict]:
    if not matches.total:
        return 0, 0.0, {"note": "no concepts and no accepted model: needs a human"}
    level = concept_rubric.level_for_coverage(matches.coverage, levels)
    confidence = concept_rubric.coverage_confidence(matches.coverage, level, levels, matches.total)
    evidence = {
        "coverage": rounded(matches.coverage),
        "matched": matches.matched,
        "total": matches.total,
    }
    return level, confidence, evidence


def _automated(model: Any, rubric: Rubric, confidence: float) -> bool:
    """Whether a model's reading stands without a person.

    A classifier with an automation threshold (format @2) carries its own: the lowest
    confidence at which its cross-validated readings met the target agreement with people
    (training.choose_automation). It replaces the criterion's confidence_threshold, a number
    an author chose before any answer was seen. A format @1 model keeps that threshold.
    """
    if model.automation is None:
        return confidence >= rubric.threshold
    return model.automates(confidence)


def _model_level(model: Any, text: str) -> tuple[int, float, dict]:
    prediction = model.predict(text)
    evidence = {
        "model": canonical(
            {"sha256": model.sha256, "training_set_sha256": model.training_set_sha256}
        ),
        "probabilities": [rounded(p) for p in prediction.probabilities],
        "top_ngrams": [
            {"ngram": canonical(ngram), "weight": rounded(weight)}
            for ngram, weight in prediction.top_ngrams
        ],
    }
    if model.automation is not None:
        evidence["automation"] = _automation_evidence(model.automation)
    return prediction.level, prediction.confidence, evidence


def _automation_evidence(automation: dict) -> dict:
    """Why a model reading was or was not automated: the threshold and the figures behind it."""
    threshold = automation["auto_threshold"]
    if threshold is None:
        note = "the model met the target agreement on no share of answers: a person decides"
    else:
        note = "confidence at or above the threshold is scored without a person"
    return {
        "threshold": None if threshold is None else rounded(threshold),
        "target_qwk": rounded(automation["target_qwk"]),
        "cv_coverage": rounded(automation["cv_coverage"]),
        "note": note,
    }
