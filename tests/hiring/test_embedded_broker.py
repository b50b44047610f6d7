"""With no Redis, `make run` uses kombu's filesystem transport: a real worker still scores jobs."""

from celery import Celery
from django.conf import settings
from django.test import Client

from scoring.models import ScoreRun, ScoringJob
from tests.support.factories import invitation_for, published_version
from tests.support.journeys import take_small_assessment, wait_until
from tests.support.worker import running_worker


def filesystem_sender(data_dir) -> Celery:
    """A Celery client publishing to the same folders the embedded worker consumes."""
    broker, control = data_dir / "broker", data_dir / "broker-control"
    broker.mkdir(parents=True, exist_ok=True)
    control.mkdir(parents=True, exist_ok=True)
    # set_as_current=False: shared tasks in this process must keep publishing to Redis.
    return Celery(
        set_as_current=False,
        broker="filesystem://",
        broker_transport_options={
            "data_folder_in": str(broker),
            "data_folder_out": str(broker),
            "control_folder": str(control),
        },
        task_serializer="json",
        # The project's queues and routes, so the task lands on the queue the worker consumes.
        task_queues=settings.CELERY_TASK_QUEUES,
        task_routes=settings.CELERY_TASK_ROUTES,
    )


def test_worker_on_the_embedded_broker_scores_a_submitted_attempt(
    transactional_db, clean_broker, tmp_path
):
    _, token = invitation_for(published_version())
    take_small_assessment(Client(), token)
    job = ScoringJob.objects.get()

    embedded = {"CELERY_BROKER_URL": "filesystem://", "SKILLPROOF_DATA_DIR": str(tmp_path)}
    with running_worker(clean_broker, extra_env=embedded):
        filesystem_sender(tmp_path).send_task("scoring.tasks.score_attempt", args=[job.pk])
        wait_until(lambda: ScoreRun.objects.filter(job=job).exists(), timeout=90)

    job.refresh_from_db()
    assert job.state == ScoringJob.State.DONE
