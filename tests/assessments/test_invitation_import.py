"""A CSV of 5,000 candidates: the upload returns at once (nothing is invited or emailed inside
the request) and a worker invites them, a batch per task; killed half-way, the one sweeper
hands the import to another worker, which finishes it with every candidate invited and emailed
exactly once."""

import time
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count
from django.urls import reverse

from assessments.models import Invitation, InvitationImport
from audit.roles import Role
from outbox import services as outbox
from outbox.models import Email, OutboxJob
from tests.support.factories import published_version, staff_in_roles
from tests.support.journeys import wait_until
from tests.support.worker import Worker, running_worker

pytestmark = pytest.mark.worker

ROWS = 5000
# The worker sends the invitation emails too; where they go is the email tests' business.
NO_SMTP = {"EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend"}


def csv_of(rows: int) -> bytes:
    return (
        "name,email\n" + "".join(f"Candidate {n},c{n}@example.com\n" for n in range(rows))
    ).encode()


def upload(client, version, rows: int):
    """The recruiter's upload in the admin, with "send the invitation emails now" ticked."""
    return client.post(
        reverse("admin:assessments_invitation_import_csv"),
        {
            "version": version.pk,
            "file": SimpleUploadedFile("candidates.csv", csv_of(rows), content_type="text/csv"),
            "valid_days": 7,
            "send_email": "on",
        },
    )


def assert_each_invited_and_emailed_once(rows: int) -> None:
    job = InvitationImport.objects.get()
    assert job.state == OutboxJob.State.DONE, job.last_error
    assert (job.processed, job.invited, job.errors, job.rows) == (rows, rows, [], [])
    assert Invitation.objects.count() == rows
    assert not Invitation.objects.values("candidate_email").annotate(n=Count("id")).filter(n__gt=1)
    assert Email.objects.filter(reference__startswith="invitation:").count() == rows


def import_finished() -> bool:
    return InvitationImport.objects.get().state != OutboxJob.State.PENDING


def test_a_csv_of_5000_rows_returns_at_once_and_a_worker_invites_them(
    transactional_db, clean_broker, client
):
    version = published_version()
    client.force_login(staff_in_roles("rita", Role.RECRUITER))
    started = time.perf_counter()
    response = upload(client, version, ROWS)
    seconds = time.perf_counter() - started
    job = InvitationImport.objects.get()
    progress_url = reverse("admin:assessments_invitation_import_progress", args=[job.pk])
    assert response.status_code == 302 and response["Location"] == progress_url
    # Nothing was invited or emailed inside the request: the worker does it.
    assert not Invitation.objects.exists() and not Email.objects.exists()
    assert (job.total_rows, job.processed, job.errors) == (ROWS, 0, [])
    assert seconds < 5, f"the upload took {seconds:.1f} s"

    with running_worker(clean_broker, extra_env=NO_SMTP):
        wait_until(import_finished, timeout=900)  # generous: the machine may be shared
    assert_each_invited_and_emailed_once(ROWS)
    page = client.get(progress_url).content.decode()
    assert "Done: 5000 candidates invited and their emails queued" in page


def test_an_import_whose_worker_is_killed_half_way_is_finished_once_by_the_sweeper(
    transactional_db, clean_broker, client
):
    rows = 1200
    client.force_login(staff_in_roles("rita", Role.RECRUITER))
    upload(client, published_version(), rows)
    worker = Worker(clean_broker, name="doomed", extra_env=NO_SMTP).start()
    try:
        wait_until(lambda: InvitationImport.objects.get().processed >= 400, timeout=300)
        worker.kill()  # SIGKILL, maybe mid-batch: that batch's transaction rolls back
    finally:
        worker.kill()
    job = InvitationImport.objects.get()
    assert job.state == OutboxJob.State.PENDING and job.processed < rows, "killed too late"
    assert Invitation.objects.count() == job.invited == job.processed  # batch by batch

    with running_worker(clean_broker, name="phoenix", extra_env=NO_SMTP):
        # The dead worker's message is unacknowledged (invisible for an hour): the sweeper.
        assert outbox.sweep(stale=timedelta(0))["assessments.InvitationImport"] == 1
        wait_until(import_finished, timeout=600)
    assert_each_invited_and_emailed_once(rows)
