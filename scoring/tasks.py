"""Celery tasks of the scoring app: thin, idempotent, ids in."""

from celery import shared_task

from assessments.models import AssessmentVersion
from outbox.retry import TASK_OPTIONS, run_job
from scoring.exceptions import PermanentScoringError
from scoring.models import ScoringJob
from scoring.services import training
from scoring.services.outbox import fail_scoring_job
from scoring.services.runs import run_scoring_job


@shared_task(**TASK_OPTIONS)
def score_attempt(self, job_id: int) -> int | None:
    """Score one job; returns the new ScoreRun's id (None when there was nothing to do), which
    ``task_success`` receivers see as ``result``.

    The outbox's retry policy: transient database errors retry with backoff; anything else
    fails the job, audited, for the admin's retry action.
    """
    run = run_job(
        self,
        ScoringJob,
        job_id,
        run_scoring_job,
        permanent=(PermanentScoringError,),
        fail=fail_scoring_job,
    )
    return run.pk if run is not None else None


@shared_task(acks_late=True, reject_on_worker_lost=True)
def train_text_models(version_id: int, actor: str = "system", activate: bool = True) -> list:
    """Train the text models of one version (the same service as the management command)."""
    version = AssessmentVersion.objects.get(pk=version_id)
    outcomes = training.train_text_models(version, actor=actor, activate=activate)
    return [[outcome.criterion_key, outcome.status, outcome.note] for outcome in outcomes]


@shared_task(acks_late=True, reject_on_worker_lost=True)
def retrain_text_model(
    assessment_id: int, criterion_key: str, actor: str = "system", force: bool = False
) -> list | None:
    """Retrain one criterion once enough reviewers' labels have gathered (or at once with
    ``force``); None when it was not due. Safe twice: a second delivery finds the labels
    taken in."""
    outcome = training.retrain_criterion(assessment_id, criterion_key, actor=actor, force=force)
    return None if outcome is None else [outcome.criterion_key, outcome.status, outcome.note]
