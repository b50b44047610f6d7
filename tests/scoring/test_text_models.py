"""Text models as stored artifacts: training, hashes, metrics, activation, use in scoring."""

import hashlib
import json
import pickle

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from audit.models import AuditEvent
from audit.services import Action
from scoring import engine
from scoring.exceptions import RescoreRefused
from scoring.management.simulation import simulate_candidates
from scoring.models import TextModel
from scoring.services.replay import replay_score_run
from scoring.services.training import (
    activate_text_model,
    deactivate_text_model,
    text_criteria,
    train_text_models,
)
from tests.scoring.support import publish_demo

pytestmark = pytest.mark.django_db

SLUG = "incident-triage"  # two free-text criteria with enough exemplars for a model


@pytest.fixture
def trained_version():
    version = publish_demo(SLUG)
    outcomes = train_text_models(version, actor="user:1")
    return version, outcomes


def test_training_stores_each_artifact_with_its_hashes_and_cross_validated_metrics(
    trained_version,
):
    version, outcomes = trained_version
    assert {o.criterion_key for o in outcomes} == {
        "status-update/customer-update",
        "pir-writeup/timeline-and-factors",
    }
    for outcome in outcomes:
        model = TextModel.objects.get(pk=outcome.model.pk)
        data = bytes(model.artifact)
        assert model.sha256 == hashlib.sha256(data).hexdigest()
        document = json.loads(data)  # canonical JSON, never a pickle
        assert document["format"] == "skillproof/text-model@2"
        with pytest.raises(pickle.UnpicklingError):
            pickle.loads(data)
        assert engine.TextClassifier.from_bytes(data).sha256 == model.sha256
        assert model.training_set_sha256 == document["training_set_sha256"]
        assert model.content_sha256 == version.content_sha256
        assert 0.0 <= model.cv_exact_agreement <= 1.0 and -1.0 <= model.cv_qwk <= 1.0
        assert model.cv_qwk == pytest.approx(document["metadata"]["cv_qwk"], abs=1e-6)
        automated = document["metadata"]["auto_threshold"] is not None
        assert model.accepted == (automated and model.n_exemplars >= 30)
        assert model.active == model.accepted
        assert (model.qwk_bar, model.min_exemplars) == (0.85, 30)  # the target QWK in force
    trained = AuditEvent.objects.filter(action=Action.MODEL_TRAINED)
    assert trained.count() == 2
    assert AuditEvent.objects.filter(action=Action.MODEL_ACTIVATED).count() == (
        TextModel.objects.filter(active=True).count()
    )
    payload = json.loads(trained.first().payload)
    assert {"sha256", "training_set_sha256", "cv_qwk", "cv_exact_agreement"} <= set(payload)


def test_every_exemplar_is_trained_on_once_cross_validation_has_decided(trained_version):
    version, outcomes = trained_version
    criteria = {key: criterion for key, _, criterion in text_criteria(version.content)}
    for outcome in outcomes:
        criterion = criteria[outcome.criterion_key]
        exemplars = engine.exemplars_of(criterion)
        model = outcome.model
        assert model.n_exemplars == len(exemplars) and model.n_held_back == 0
        retrained = engine.train_text_model(
            exemplars,
            seed=0,
            n_levels=model.n_levels,
            descriptors=engine.descriptors_of(criterion),
        )
        assert retrained.model.sha256 == model.sha256


def test_training_again_stores_nothing_new(trained_version):
    version, _ = trained_version
    before = TextModel.objects.count()
    again = train_text_models(version)
    assert {o.status for o in again} == {"unchanged"}
    assert TextModel.objects.count() == before
    assert AuditEvent.objects.filter(action=Action.MODEL_TRAINED).count() == 2


def test_scoring_uses_the_active_models_records_their_hashes_and_replays(trained_version):
    version, _ = trained_version
    active = dict(TextModel.objects.filter(active=True).values_list("criterion_key", "sha256"))
    assert active, "the demo exemplars should give at least one accepted model"
    simulated = simulate_candidates(version, count=6, seed=4, score_inline=True)
    for candidate in simulated:
        run = candidate.attempt.score_runs.get()
        assert run.model_hashes == active
        breakdown = json.loads(run.breakdown_json)
        methods = {
            f"{c['step_id']}/{c['criterion_id']}": c["method"]
            for step in breakdown["steps"]
            for c in step["criteria"]
        }
        for key in active:
            if key in methods:
                assert methods[key] == "model"
        assert replay_score_run(run).identical


def test_only_accepted_models_can_be_active_and_one_per_criterion(trained_version):
    version, outcomes = trained_version
    model = next(o.model for o in outcomes if o.model.accepted)
    rejected = TextModel.objects.create(
        version=version,
        content_sha256=version.content_sha256,
        criterion_key=model.criterion_key,
        artifact=b"{}",
        sha256=hashlib.sha256(b"{}").hexdigest(),
        training_set_sha256="0" * 64,
        n_levels=4,
        n_exemplars=10,
        cv_folds=5,
        cv_qwk=0.2,
        cv_exact_agreement=0.3,
        qwk_bar=0.7,
        min_exemplars=30,
        accepted=False,
    )
    with pytest.raises(RescoreRefused):
        activate_text_model(rejected)
    with pytest.raises(IntegrityError), transaction.atomic():
        TextModel.objects.filter(pk=rejected.pk).update(active=True)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE scoring_textmodel SET artifact = '' WHERE id = %s", [model.pk])
    deactivate_text_model(model)
    assert not TextModel.objects.get(pk=model.pk).active
    activate_text_model(model)
    assert TextModel.objects.get(pk=model.pk).active


def test_the_command_and_the_task_train_through_the_same_service(capsys, settings):
    version = publish_demo(SLUG)
    settings.TEXT_MODEL_MIN_EXEMPLARS = 1000  # nothing qualifies: quick, and says why
    call_command("train_text_models", assessment=SLUG)
    out = capsys.readouterr().out
    assert "skipped" in out and "1000 needed" in out
    assert not TextModel.objects.exists()
    from scoring.tasks import train_text_models

    result = train_text_models.run(version.pk)
    assert [status for _, status, _ in result] == ["skipped", "skipped"]
