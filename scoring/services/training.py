"""Train, store, activate and deactivate the text models of free-text criteria."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from audit.services import Action, record_event
from scoring import engine
from scoring.exceptions import RescoreRefused
from scoring.models import TextModel
from scoring.services.config import hold_back_every, min_exemplars, qwk_bar

TEXT_ITEM_TYPES = frozenset({"short_text", "long_text"})


def _text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()


def split_exemplars(criterion: dict) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """(training, held back) exemplars of a text criterion, as (text, level index) pairs.

    Per level, the exemplars are ordered by the sha256 of their text and the first
    ``len // TEXT_MODEL_HOLD_BACK_EVERY`` are held back: never trained on, so the simulator
    can answer with text no model has seen. Deterministic, independent of document order.
    """
    every = hold_back_every()
    training: list[tuple[str, int]] = []
    held_back: list[tuple[str, int]] = []
    for index, level in enumerate(criterion.get("levels") or []):
        texts = [text for text in level.get("exemplars") or [] if isinstance(text, str)]
        texts.sort(key=_text_hash)
        cut = len(texts) // every
        held_back.extend((text, index) for text in texts[:cut])
        training.extend((text, index) for text in texts[cut:])
    return training, held_back


def text_criteria(content: dict) -> Iterator[tuple[str, dict, dict]]:
    """(criterion key, step, criterion) for every criterion of a free-text step."""
    for step in content.get("steps") or []:
        if step.get("item", {}).get("type") in TEXT_ITEM_TYPES:
            for criterion in step.get("criteria") or []:
                yield f"{step['id']}/{criterion['id']}", step, criterion


@dataclass
class TrainingOutcome:
    """What training did for one criterion."""

    criterion_key: str
    status: str  # trained | unchanged | skipped
    model: TextModel | None = None
    note: str = ""


def train_text_models(
    version, *, actor: str = "system", activate: bool = True, seed: int = 0
) -> list[TrainingOutcome]:
    """Train a model for each free-text criterion of a version with enough exemplars.

    Exemplars come from the frozen content, minus the held-back ones. Each model is stored
    with its hashes and cross-validated metrics (MODEL_TRAINED); accepted ones become active
    (MODEL_ACTIVATED) unless ``activate`` is False. Training is deterministic for a seed, so
    training the same exemplars again stores nothing new.
    """
    outcomes = []
    for key, _step, criterion in text_criteria(version.content):
        outcomes.append(_train_one(version, key, criterion, actor, activate, seed))
    return outcomes


def _train_one(version, key, criterion, actor, activate, seed) -> TrainingOutcome:
    training, held_back = split_exemplars(criterion)
    n_levels = len(criterion.get("levels") or [])
    needed = min_exemplars()
    if len(training) < needed:
        return TrainingOutcome(
            key, "skipped", note=f"{len(training)} training exemplars, {needed} needed"
        )
    if len({level for _, level in training}) < 2:
        return TrainingOutcome(key, "skipped", note="exemplars at one level only")
    # Outside any transaction: training takes seconds of CPU and holds no locks.
    trained = engine.train_text_model(training, seed=seed, n_levels=n_levels)
    accepted = engine.model_accepted(trained, bar=qwk_bar(), min_exemplars=needed)
    return _store_model(version, key, trained, len(held_back), seed, accepted, actor, activate)


@transaction.atomic
def _store_model(
    version, key, trained, n_held_back, seed, accepted, actor, activate
) -> TrainingOutcome:
    artifact = trained.model
    model = TextModel.objects.filter(
        version=version, criterion_key=key, sha256=artifact.sha256
    ).first()
    status = "unchanged" if model is not None else "trained"
    if model is None:
        model = TextModel.objects.create(
            version=version,
            content_sha256=version.content_sha256,
            criterion_key=key,
            artifact=artifact.to_bytes(),
            sha256=artifact.sha256,
            training_set_sha256=artifact.training_set_sha256,
            n_levels=artifact.n_levels,
            n_exemplars=trained.n_exemplars,
            n_held_back=n_held_back,
            cv_folds=trained.folds,
            cv_qwk=trained.cv_qwk,
            cv_exact_agreement=trained.cv_exact_agreement,
            seed=seed,
            qwk_bar=qwk_bar(),
            min_exemplars=min_exemplars(),
            accepted=accepted,
            trained_by=actor,
        )
        record_event(
            Action.MODEL_TRAINED,
            actor=actor,
            subject=f"text_model:{model.pk}",
            payload={
                "version": version.pk,
                "content_sha256": version.content_sha256,
                "criterion": key,
                "sha256": model.sha256,
                "training_set_sha256": model.training_set_sha256,
                "n_exemplars": model.n_exemplars,
                "cv_qwk": round(model.cv_qwk, 6),
                "cv_exact_agreement": round(model.cv_exact_agreement, 6),
                "qwk_bar": model.qwk_bar,
                "accepted": accepted,
            },
        )
    if activate and model.accepted and not model.active:
        model = activate_text_model(model, actor=actor)
    verdict = "accepted" if model.accepted else f"below the QWK bar {model.qwk_bar}"
    note = f"QWK {model.cv_qwk:.3f}, exact {model.cv_exact_agreement:.3f}: {verdict}"
    return TrainingOutcome(key, status, model, note)


@transaction.atomic
def activate_text_model(model: TextModel, *, actor: str = "system") -> TextModel:
    """Make an accepted model the one the engine uses for its criterion (the previous active
    one is deactivated). Attempts already scored keep their runs until re-scored."""
    model = TextModel.objects.select_for_update().get(pk=model.pk)
    if not model.accepted:
        raise RescoreRefused(
            f"model {model.sha256[:12]} did not reach the QWK bar; it cannot be activated"
        )
    if model.active:
        return model
    previous = list(
        TextModel.objects.select_for_update()
        .filter(version_id=model.version_id, criterion_key=model.criterion_key, active=True)
        .values_list("pk", "sha256")
    )
    TextModel.objects.filter(pk__in=[pk for pk, _ in previous]).update(active=False)
    model.active = True
    model.activated_at = timezone.now()
    model.save(update_fields=["active", "activated_at"])
    record_event(
        Action.MODEL_ACTIVATED,
        actor=actor,
        subject=f"text_model:{model.pk}",
        payload={
            "version": model.version_id,
            "criterion": model.criterion_key,
            "sha256": model.sha256,
            "replaces": [sha for _, sha in previous],
        },
    )
    return model


@transaction.atomic
def deactivate_text_model(model: TextModel, *, actor: str = "system") -> TextModel:
    """Stop using a model: its criterion falls back to the concept rubric (and review)."""
    model = TextModel.objects.select_for_update().get(pk=model.pk)
    if model.active:
        model.active = False
        model.save(update_fields=["active"])
        record_event(
            getattr(Action, "MODEL_DEACTIVATED", "model.deactivated"),
            actor=actor,
            subject=f"text_model:{model.pk}",
            payload={"criterion": model.criterion_key, "sha256": model.sha256},
        )
    return model
