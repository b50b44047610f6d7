"""Celery tasks of the scoring app: thin, idempotent, ids in."""

import logging
import random

from celery import shared_task
from django.db import InterfaceError, OperationalError

from assessments.models import AssessmentVersion
from scoring.exceptions import PermanentScoringError
from scoring.services import training
from scoring.services.outbox import fail_scoring_job, note_transient_error, sweep_stale_jobs
from scoring.services.runs import run_scoring_job

logger = logging.getLogger(__name__)

# A lost connection, a lock timeout, a failover: worth trying again, with backoff.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)
MAX_RETRIES = 8
MAX_BACKOFF_SECONDS = 300  # far below the broker's visibility timeout (see settings)


def retry_delay(retries: int) -> float:
    """Exponential backoff (1, 2, 4 … 300 s) with jitter, so retries do not arrive together."""
    return min(MAX_BACKOFF_SECONDS, 2**retries) * random.uniform(0.5, 1.0)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=MAX_RETRIES)
def score_attempt(self, job_id: int) -> int | None:
    """Score one job; returns the new ScoreRun's id (None when there was nothing to do), which
    ``task_success`` receivers see as ``result``.

    Transient database errors retry with backoff (counted on the job; after MAX_RETRIES the
    job stays pending for the sweeper); anything else fails the job, with its error, for the
    admin's retry action.
    """
    try:
        run = run_scoring_job(job_id)
    except TRANSIENT_ERRORS as error:
        if note_transient_error(job_id, error):
            return None
        if self.request.retries >= self.max_retries:
            logger.warning("Scoring job %s: retries exhausted, left to the sweeper", job_id)
            return None
        raise self.retry(exc=error, countdown=retry_delay(self.request.retries)) from error
    except PermanentScoringError as error:
        fail_scoring_job(job_id, str(error))
        return None
    except Exception as error:  # a bug must show as a failed job, not vanish into a log
        logger.exception("Scoring job %s failed", job_id)
        fail_scoring_job(job_id, f"{type(error).__name__}: {error}")
        return None
    return run.pk if run is not None else None


@shared_task(acks_late=True)
def sweep_scoring_jobs() -> int:
    """Beat: re-enqueue scoring jobs left pending too long."""
    return sweep_stale_jobs()


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
