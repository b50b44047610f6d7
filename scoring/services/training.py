"""Train, store, activate, pin, roll back and deactivate the text models of free-text criteria.

Reviews teach the models: every reviewer's decision on a free-text criterion is kept as a
TrainingExample (``record_training_example``, in the decision's transaction). A model trains on
the document's exemplars and every example on the same scale; once a criterion has gathered
TEXT_RETRAIN_AFTER_LABELS new labels a Celery task retrains it (``retrain_criterion``), and the
engine decides whether the new model replaces the active one. A pinned model is never replaced
automatically. Old models stay stored, so the runs that used them still replay.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass

from django.db import transaction
from django.utils import timezone

from audit.services import Action, record_event
from scoring import engine
from scoring.content import (
    TEXT_ITEM_TYPES,
    find_criterion,
    find_step,
    scale_sha256,
    split_key,
    text_criteria,
)
from scoring.exceptions import RescoreRefused
from scoring.models import ReviewDecision, ReviewItem, TextModel, TrainingExample
from scoring.services.compiled import load_artifact
from scoring.services.config import (
    auto_target_qwk,
    hold_back_every,
    min_exemplars,
    retrain_after_labels,
)


def _text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()


def split_exemplars(criterion: dict) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """(training, held back) exemplars of a text criterion, as (text, level index) pairs.

    Per level, the exemplars are ordered by the sha256 of their text and the first
    ``len // TEXT_MODEL_HOLD_BACK_EVERY`` are held back. Training takes every exemplar now
    (the engine's cross-validation decides a model's use); the split only tells the simulator
    which texts to answer with first. Deterministic, independent of document order.
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

    Exemplars come from the frozen content and from reviewers' decisions on the same scale
    (TrainingExample). Each model is stored with its hashes, cross-validated metrics and the
    engine's comparison with the active model (MODEL_TRAINED); one the engine says should
    replace it becomes active (MODEL_ACTIVATED) unless ``activate`` is False or the active
    one is pinned. Training is deterministic for a seed, so training the same exemplars again
    stores nothing new.
    """
    outcomes = []
    for key, _step, criterion in text_criteria(version.content):
        _claim_new_labels(version.assessment_id, key, at_least=0)  # this training takes them in
        outcomes.append(_train_one(version, key, criterion, actor, activate, seed))
    return outcomes


def _train_one(version, key, criterion, actor, activate, seed) -> TrainingOutcome:
    reviewed = list(reviewed_examples(version.assessment_id, key, criterion))
    exemplars = engine.exemplars_of(criterion) + [(text, level) for text, level, _ in reviewed]
    n_levels = len(criterion.get("levels") or [])
    needed = min_exemplars()
    if len(exemplars) < needed:
        return TrainingOutcome(key, "skipped", note=f"{len(exemplars)} exemplars, {needed} needed")
    if len({level for _, level in exemplars}) < 2:
        return TrainingOutcome(key, "skipped", note="exemplars at one level only")
    # Outside any transaction: training takes seconds of CPU and holds no locks.
    trained = engine.train_text_model(
        exemplars,
        seed=seed,
        n_levels=n_levels,
        target_qwk=auto_target_qwk(),
        descriptors=engine.descriptors_of(criterion),
    )
    active = TextModel.objects.filter(version=version, criterion_key=key, active=True).first()
    # The same rows for both: labels the active model never saw (the candidate's
    # cross-validation holds each out).
    fresh = [
        (text, level)
        for text, level, labelled_at in reviewed
        if active is not None and labelled_at > active.trained_at
    ]
    verdict = engine.decide_replacement(
        trained,
        load_artifact(active.sha256) if active is not None else None,
        fresh=fresh,
        min_exemplars=needed,
    )
    return _store_model(
        version,
        key,
        trained,
        TrainedFacts(seed, len(reviewed), engine.model_accepted(trained, needed), verdict),
        actor,
        activate,
    )


@dataclass(frozen=True)
class TrainedFacts:
    """What the service knows of a freshly trained model beyond the engine's artifact."""

    seed: int
    n_review_examples: int
    accepted: bool
    verdict: engine.Replacement


@transaction.atomic
def _store_model(version, key, trained, facts: TrainedFacts, actor, activate) -> TrainingOutcome:
    artifact = trained.model
    model = TextModel.objects.filter(
        version=version, criterion_key=key, sha256=artifact.sha256
    ).first()
    status = "unchanged" if model is not None else "trained"
    comparison = asdict(facts.verdict)  # replace, reason, candidate's and active's figures
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
            n_review_examples=facts.n_review_examples,
            cv_folds=trained.folds,
            cv_qwk=trained.cv_qwk,
            cv_exact_agreement=trained.cv_exact_agreement,
            seed=facts.seed,
            qwk_bar=trained.automation.target_qwk,
            min_exemplars=min_exemplars(),
            accepted=facts.accepted,
            trained_by=actor,
            comparison=comparison,
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
                "n_review_examples": model.n_review_examples,
                "cv_qwk": round(model.cv_qwk, 6),
                "cv_exact_agreement": round(model.cv_exact_agreement, 6),
                "target_qwk": model.qwk_bar,
                "accepted": model.accepted,
                "comparison": comparison,
            },
        )
    note = (
        f"QWK {model.cv_qwk:.3f}, exact {model.cv_exact_agreement:.3f}, coverage at the target "
        f"{trained.automation.cv_coverage:.0%}: {facts.verdict.reason}"
    )
    if activate and facts.verdict.replace and not model.active:
        pinned = TextModel.objects.filter(
            version=version, criterion_key=key, active=True, pinned=True
        ).first()
        if pinned is None:
            model = activate_text_model(model, actor=actor)
        else:
            note += f"; not activated: model {pinned.sha256[:12]} is pinned"
    return TrainingOutcome(key, status, model, note)


@transaction.atomic
def activate_text_model(model: TextModel, *, actor: str = "system") -> TextModel:
    """Make an accepted model the one the engine uses for its criterion (the previous active
    one is deactivated). Attempts already scored keep their runs until re-scored."""
    model = TextModel.objects.select_for_update().get(pk=model.pk)
    if not model.accepted:
        raise RescoreRefused(
            f"model {model.sha256[:12]} meets the agreement target on no answers; it cannot be "
            "activated"
        )
    if model.active:
        return model
    previous = list(
        TextModel.objects.select_for_update()
        .filter(version_id=model.version_id, criterion_key=model.criterion_key, active=True)
        .values_list("pk", "sha256")
    )
    TextModel.objects.filter(pk__in=[pk for pk, _ in previous]).update(active=False, pinned=False)
    model.active = True
    model.activated_at = timezone.now()
    if previous:
        model.replaced_id = previous[0][0]
    model.save(update_fields=["active", "activated_at", "replaced"])
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
        model.pinned = False
        model.save(update_fields=["active", "pinned"])
        record_event(
            Action.MODEL_DEACTIVATED,
            actor=actor,
            subject=f"text_model:{model.pk}",
            payload={"criterion": model.criterion_key, "sha256": model.sha256},
        )
    return model


@transaction.atomic
def set_text_model_pinned(model: TextModel, pinned: bool, *, actor: str = "system") -> TextModel:
    """Pin an active model (retraining stores new models but never swaps it) or unpin it."""
    model = TextModel.objects.select_for_update().get(pk=model.pk)
    if pinned and not model.active:
        raise RescoreRefused(
            f"model {model.sha256[:12]} is not active; only the active one is pinned"
        )
    if model.pinned != pinned:
        model.pinned = pinned
        model.save(update_fields=["pinned"])
        record_event(
            Action.MODEL_PINNED if pinned else Action.MODEL_UNPINNED,
            actor=actor,
            subject=f"text_model:{model.pk}",
            payload={"criterion": model.criterion_key, "sha256": model.sha256},
        )
    return model


@transaction.atomic
def roll_back_text_model(model: TextModel, *, actor: str = "system") -> TextModel:
    """Make the model an active one replaced active again; returns it.

    The rolled-back model stays stored (runs that used it still replay) and keeps nothing
    pointing back to it, so a second rollback goes further back, not round in a circle.
    """
    model = TextModel.objects.select_for_update().get(pk=model.pk)
    if not model.active:
        raise RescoreRefused(
            f"model {model.sha256[:12]} is not active: there is nothing to roll back"
        )
    if model.replaced_id is None:
        raise RescoreRefused(
            f"model {model.sha256[:12]} replaced no earlier model; deactivate it instead"
        )
    earlier = TextModel.objects.select_for_update().get(pk=model.replaced_id)
    model.active = False
    model.pinned = False
    model.save(update_fields=["active", "pinned"])
    earlier.active = True
    earlier.activated_at = timezone.now()
    earlier.save(update_fields=["active", "activated_at"])
    record_event(
        Action.MODEL_ROLLED_BACK,
        actor=actor,
        subject=f"text_model:{earlier.pk}",
        payload={
            "version": model.version_id,
            "criterion": model.criterion_key,
            "from_sha256": model.sha256,
            "to_sha256": earlier.sha256,
        },
    )
    return earlier


# --- Reviews teach the models ------------------------------------------------------------------


def reviewed_examples(assessment_id: int, key: str, criterion: dict) -> Iterator[tuple]:
    """(text, level, labelled_at) of every reviewer's label for the criterion on its scale,
    oldest first; erased examples are left out."""
    return (
        TrainingExample.objects.filter(
            assessment_id=assessment_id,
            criterion_key=key,
            scale_sha256=scale_sha256(criterion),
            erased_at__isnull=True,
        )
        .order_by("labelled_at", "pk")
        .values_list("text", "level", "labelled_at")
        .iterator()
    )


def record_training_example(decision: ReviewDecision) -> TrainingExample | None:
    """Keep a reviewer's decision on a free-text criterion as a labelled example (in the
    decision's transaction); after commit, retraining is asked for when it is due.

    Returns None for a criterion that is not free text or an answer with no words.
    """
    item: ReviewItem = decision.item
    version = item.run.version
    step = find_step(version.content, item.step_id)
    if step.get("item", {}).get("type") not in TEXT_ITEM_TYPES:
        return None
    answer = json.loads(item.run.inputs.responses_json).get(item.step_id)
    text = answer.get("text") if isinstance(answer, dict) else None
    if not isinstance(text, str) or not text.strip():
        return None
    criterion = find_criterion(version.content, item.step_id, item.criterion_id)
    example = TrainingExample.objects.create(
        assessment_id=version.assessment_id,
        criterion_key=item.criterion_key,
        scale_sha256=scale_sha256(criterion),
        text=text,
        level=decision.level,
        decision=decision,
        attempt_id=decision.attempt_id,
        version=version,
        reviewer_label=decision.reviewer_label,
        labelled_at=decision.decided_at,
        quality_control=item.quality_control,
        machine_level=item.machine_level,
    )
    assessment_id, key = version.assessment_id, item.criterion_key
    transaction.on_commit(lambda: request_retraining_if_due(assessment_id, key))
    return example


def new_labels(assessment_id: int, key: str):
    """The criterion's examples no training has taken in yet."""
    return TrainingExample.objects.filter(
        assessment_id=assessment_id, criterion_key=key, trained_at__isnull=True
    )


def request_retraining_if_due(assessment_id: int, key: str) -> bool:
    """Send the retraining task when TEXT_RETRAIN_AFTER_LABELS new labels have gathered."""
    if new_labels(assessment_id, key).count() < retrain_after_labels():
        return False
    from scoring.tasks import retrain_text_model

    retrain_text_model.delay(assessment_id, key)
    return True


def _claim_new_labels(assessment_id: int, key: str, *, at_least: int) -> int:
    """Mark the criterion's new labels as taken in by this training, if there are at least
    ``at_least``; returns how many. Rows another training is claiming are skipped, so two
    tasks sent for the same labels do not both train."""
    with transaction.atomic():
        ids = list(
            new_labels(assessment_id, key)
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)
        )
        if len(ids) < at_least:
            return 0
        TrainingExample.objects.filter(pk__in=ids).update(trained_at=timezone.now())
    return len(ids)


def version_to_retrain(assessment_id: int, key: str):
    """The latest published version that has the criterion: where new candidates are
    invited. Earlier versions keep their models until trained on demand."""
    from assessments.models import AssessmentVersion

    step_id, criterion_id = split_key(key)
    for version in AssessmentVersion.objects.filter(assessment_id=assessment_id).order_by(
        "-number"
    ):
        if find_criterion(version.content, step_id, criterion_id):
            return version
    return None


def retrain_criterion(
    assessment_id: int, key: str, *, actor: str = "system", force: bool = False
) -> TrainingOutcome | None:
    """Retrain one criterion on everything labelled so far, once TEXT_RETRAIN_AFTER_LABELS new
    labels have gathered (at once with ``force``); None when it was not due."""
    claimed = _claim_new_labels(assessment_id, key, at_least=0 if force else retrain_after_labels())
    if not claimed and not force:
        return None
    version = version_to_retrain(assessment_id, key)
    if version is None:
        return None
    step_id, criterion_id = split_key(key)
    criterion = find_criterion(version.content, step_id, criterion_id)
    return _train_one(version, key, criterion, actor, activate=True, seed=0)
