"""Frozen content and model artifacts, compiled for the engine once per process."""

from __future__ import annotations

import hashlib
from threading import Lock

from cachetools import LRUCache, cached

from assessments.exceptions import ContentMismatch
from assessments.published import published_versions
from scoring import engine
from scoring.engine.oversight import require_human_review
from scoring.exceptions import InputsUnavailable, PermanentScoringError
from scoring.models import TextModel

# Artifacts never change (they are named by their hash), so the cache can never be stale.
_ARTIFACTS: LRUCache = LRUCache(maxsize=64)


@cached(_ARTIFACTS, key=lambda sha256, data=None: sha256, lock=Lock())
def load_artifact(sha256: str, data: bytes | None = None) -> engine.TextClassifier:
    """The engine's TextClassifier for an artifact hash, checked against its bytes; cached by hash
    for the life of the process."""
    if data is None:
        row = TextModel.objects.filter(sha256=sha256).only("artifact").first()
        if row is None:
            raise InputsUnavailable(f"no stored text model has sha256 {sha256}")
        data = bytes(row.artifact)
    if hashlib.sha256(data).hexdigest() != sha256:
        raise PermanentScoringError(f"text model artifact {sha256[:12]} does not match its hash")
    try:
        model = engine.TextClassifier.from_bytes(data)
    except engine.ArtifactError as error:
        raise PermanentScoringError(f"text model {sha256[:12]} is not valid: {error}") from error
    if model.sha256 != sha256:
        raise PermanentScoringError(f"text model {sha256[:12]} is not in canonical form")
    return model


def frozen_content(version) -> engine.Assessment:
    """A version's frozen content compiled for the engine, once per process (the published
    versions cache, keyed by version id and content hash)."""
    try:
        return published_versions.compiled(
            version, "engine", lambda content: _compile(content, label=f"version {version.pk}")
        )
    except ContentMismatch as error:
        raise PermanentScoringError(str(error)) from error


def _compile(content: dict, *, label: str) -> engine.Assessment:
    try:
        return engine.compile_assessment(content)
    except _ENGINE_ERRORS as error:
        raise PermanentScoringError(f"The engine could not read {label}: {error!r}") from error


def engine_models(model_hashes: dict[str, str]) -> dict[str, engine.TextClassifier]:
    missing = [sha for sha in model_hashes.values() if sha not in _ARTIFACTS]
    rows = {}
    if missing:
        rows = {
            row.sha256: bytes(row.artifact)
            for row in TextModel.objects.filter(sha256__in=missing).only("sha256", "artifact")
        }
    return {key: load_artifact(sha, rows.get(sha)) for key, sha in model_hashes.items()}


def engine_overrides(overrides: dict[str, dict]) -> dict[str, engine.HumanOverride]:
    return {
        key: engine.HumanOverride(
            level=int(value["level"]), reviewer=str(value["reviewer"]), reason=str(value["reason"])
        )
        for key, value in overrides.items()
    }


# What the engine raises on malformed stored data: a permanent failure, never a retry.
_ENGINE_ERRORS = (KeyError, TypeError, ValueError, AttributeError, IndexError)


def compute_breakdown(
    content: dict | engine.Assessment,
    responses: dict,
    models: dict | None = None,
    overrides: dict | None = None,
    *,
    label: str = "",
    human_review: bool = False,
):
    """Call the pure engine; anything it raises on stored data is a permanent failure.

    ``human_review`` (automation paused: human oversight) sends every criterion no person has
    decided to review; runs record it, so a replay passes it again.
    """
    try:
        breakdown = engine.score(content, responses, models or {}, overrides or {})
    except _ENGINE_ERRORS as error:
        raise PermanentScoringError(f"The engine could not score {label}: {error!r}") from error
    return require_human_review(breakdown) if human_review else breakdown
