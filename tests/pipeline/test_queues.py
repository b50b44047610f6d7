"""Queues per workload: every task lands on its own queue, so a slow kind of work (a burst of
issuance, a model training) never delays another (scoring, the maintenance beat)."""

import pytest
import redis
from django.conf import settings

from hiring.celery import app as celery_app

# The workload each task belongs to; audit.tasks.* (the sequencer, anchors) are maintenance.
EXPECTED_QUEUES = {
    "scoring.tasks.score_attempt": "scoring",
    "credentials.tasks.issue_credentials": "issuance",
    "credentials.tasks.request_issuance_for_run": "issuance",
    "credentials.tasks.request_issuance_for_passes": "issuance",
    "outbox.tasks.send_email": "email",
    "results.tasks.send_results_digests": "email",
    "webhooks.tasks.deliver_webhook": "webhooks",
    "scoring.tasks.train_text_models": "reports",
    "scoring.tasks.retrain_text_model": "reports",
    "assessments.tasks.import_invitations": "reports",
    "compliance.tasks.build_records_package": "reports",
    "outbox.tasks.sweep_outboxes": "maintenance",
    "assessments.tasks.submit_expired_attempts": "maintenance",
    "compliance.tasks.erase_expired_personal_data": "maintenance",
    "apikeys.tasks.forget_old_idempotent_responses": "maintenance",
}
AUDIT_TASKS = "audit.tasks."
TAKE_AN_ID = {
    "scoring.tasks.score_attempt",
    "credentials.tasks.issue_credentials",
    "credentials.tasks.request_issuance_for_run",
    "outbox.tasks.send_email",
    "webhooks.tasks.deliver_webhook",
    "assessments.tasks.import_invitations",
    "compliance.tasks.build_records_package",
    "scoring.tasks.train_text_models",
}


def project_tasks() -> list[str]:
    """Every task the project declares (Celery's own built-ins left out)."""
    celery_app.loader.import_default_modules()
    return sorted(name for name in celery_app.tasks if not name.startswith("celery."))


def routed_queue(task_name: str) -> str:
    return celery_app.amqp.router.route({}, task_name)["queue"].name


def expected_queue(task_name: str) -> str | None:
    if task_name.startswith(AUDIT_TASKS):
        return "maintenance"
    return EXPECTED_QUEUES.get(task_name)


def test_every_task_of_the_project_has_a_workload_queue():
    unplaced = [name for name in project_tasks() if expected_queue(name) is None]
    assert not unplaced, (
        f"tasks with no workload queue (add them to CELERY_TASK_ROUTES): {unplaced}"
    )


@pytest.mark.parametrize("task_name", sorted(EXPECTED_QUEUES))
def test_each_task_is_routed_to_its_workload_queue(task_name):
    assert task_name in project_tasks()
    assert routed_queue(task_name) == EXPECTED_QUEUES[task_name]


def test_audit_tasks_run_on_the_maintenance_queue():
    audit_tasks = [name for name in project_tasks() if name.startswith(AUDIT_TASKS)]
    assert {name: routed_queue(name) for name in audit_tasks} == dict.fromkeys(
        audit_tasks, "maintenance"
    )


def test_the_beat_schedule_sends_nothing_to_the_scoring_queue():
    beat_queues = {
        entry["task"]: routed_queue(entry["task"])
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }
    assert "scoring" not in beat_queues.values(), beat_queues
    assert set(beat_queues.values()) <= set(settings.WORKLOAD_QUEUES)


def test_a_sent_task_waits_in_its_own_queue_in_redis(clean_broker):
    """Sent through the real broker with no worker running: each message sits in the Redis
    list of its workload's queue, and in no other (with every queue declared and bound, as
    a worker leaves them)."""
    with celery_app.connection_for_write() as connection:
        for queue in celery_app.amqp.queues.values():
            queue(connection.default_channel).declare()
    for task_name in EXPECTED_QUEUES:
        celery_app.tasks[task_name].apply_async(args=_dummy_args(task_name))
    broker = redis.Redis.from_url(clean_broker)
    waiting = {queue: broker.llen(queue) for queue in settings.WORKLOAD_QUEUES}
    sent = {queue: list(EXPECTED_QUEUES.values()).count(queue) for queue in waiting}
    assert waiting == sent
    assert broker.llen("celery") == 0  # Celery's default queue, which no worker consumes


# Tasks that take more than an id: arguments of the right shape (nothing runs them here).
OTHER_ARGS = {"scoring.tasks.retrain_text_model": [0, "step/criterion"]}


def _dummy_args(task_name: str) -> list:
    """An id for the tasks that take one; nothing runs them here."""
    if task_name in OTHER_ARGS:
        return OTHER_ARGS[task_name]
    return [0] if task_name in TAKE_AN_ID else []
