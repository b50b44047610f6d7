"""Replay: recompute a stored run from its inputs and compare the breakdown bytes."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from audit.canonical import json_sha256
from scoring import engine
from scoring.exceptions import InputsUnavailable, PermanentScoringError
from scoring.models import ScoreRun
from scoring.services.compiled import compute_breakdown, engine_models, engine_overrides


@dataclass
class ReplayResult:
    """What replaying one stored run found."""

    run_id: int
    status: str  # identical | different | unavailable
    stored_sha256: str
    replayed_sha256: str = ""
    problem: str = ""
    differences: list[str] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        return self.status == "identical"


def _content_of(run: ScoreRun) -> dict:
    version = run.version
    if json_sha256(version.content) != run.content_sha256:
        raise _Mismatch(f"the content of {version} does not hash to the run's content_sha256")
    return version.content


def _responses_of(run: ScoreRun) -> dict:
    if run.inputs.erased_at is not None:
        raise InputsUnavailable(
            f"the scored answers were erased on {run.inputs.erased_at:%Y-%m-%d} (data "
            "rights); the stored breakdown and its hashes remain"
        )
    text = run.inputs.responses_json
    if hashlib.sha256(text.encode("utf-8")).hexdigest() != run.responses_sha256:
        raise _Mismatch("the stored answers do not hash to the run's responses_sha256")
    return json.loads(text)


class _Mismatch(Exception):
    """A stored input does not match its recorded hash."""


def _differences(stored: Any, replayed: Any, path: str = "$", limit: int = 8) -> list[str]:
    found: list[str] = []

    def walk(a: Any, b: Any, where: str) -> None:
        if len(found) >= limit:
            return
        if isinstance(a, dict) and isinstance(b, dict):
            for key in sorted(set(a) | set(b)):
                walk(a.get(key, "<missing>"), b.get(key, "<missing>"), f"{where}.{key}")
        elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            for index, (x, y) in enumerate(zip(a, b, strict=True)):
                walk(x, y, f"{where}[{index}]")
        elif a != b:
            found.append(f"{where}: stored {json.dumps(a)[:80]} / replayed {json.dumps(b)[:80]}")

    walk(stored, replayed, path)
    return found


def replay_score_run(run: ScoreRun) -> ReplayResult:
    """Recompute a run from its stored inputs (frozen content, answer snapshot, the exact model
    artifacts by hash, the overrides) and compare the breakdown's sha256."""
    result = ReplayResult(run.pk, "different", run.breakdown_sha256)
    stored_bytes = run.breakdown_json.encode("utf-8")
    if run.redacted_at is not None:
        return _redacted_replay(run, result, stored_bytes)
    if hashlib.sha256(stored_bytes).hexdigest() != run.breakdown_sha256:
        result.problem = "the stored breakdown does not hash to its breakdown_sha256"
        return result
    try:
        content = _content_of(run)
        responses = _responses_of(run)
        models = engine_models(run.model_hashes or {})
        breakdown = compute_breakdown(
            content,
            responses,
            models,
            engine_overrides(run.overrides or {}),
            label=f"run {run.pk}",
            human_review=run.human_review_required,
        )
    except _Mismatch as error:
        result.problem = str(error)
        return result
    except InputsUnavailable as error:
        result.status, result.problem = "unavailable", str(error)
        return result
    except PermanentScoringError as error:
        result.problem = str(error)
        return result
    replayed = breakdown.canonical_json()
    result.replayed_sha256 = hashlib.sha256(replayed).hexdigest()
    if result.replayed_sha256 == run.breakdown_sha256:
        result.status = "identical"
        return result
    if run.engine_version != engine.ENGINE_VERSION:
        result.problem = (
            f"stored by engine {run.engine_version}, replayed with {engine.ENGINE_VERSION}"
        )
    result.differences = _differences(json.loads(stored_bytes), json.loads(replayed))
    return result


def _redacted_replay(run: ScoreRun, result: ReplayResult, stored_bytes: bytes) -> ReplayResult:
    """Erasure took the answers and the words quoting them: say so, after checking that the
    redacted bytes are the ones erasure wrote."""
    if hashlib.sha256(stored_bytes).hexdigest() != run.redacted_sha256:
        result.problem = "the redacted breakdown does not hash to its redacted_sha256"
        return result
    result.status = "unavailable"
    result.problem = (
        f"redacted by erasure on {run.redacted_at:%Y-%m-%d}: the candidate's answers and the "
        "words of them the breakdown quoted are gone; breakdown_sha256 is the hash of the "
        "breakdown as scored"
    )
    return result
