"""The one sweeper: for every kind of outbox job, a row whose message was lost (Redis flushed,
as after a restart of a Redis that keeps nothing on disk) is sent again by
``outbox.services.sweep`` — what beat's ``sweep_outboxes`` runs — and a real worker does it.

Each kind has a case in KINDS: how to write one row of it, and how to see its work was done.
A new kind of outbox job must add its case (the last test names a kind that has none).
"""

import threading
from dataclasses import dataclass
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import redis
from django.core.mail import EmailMessage
from django.test import Client
from django.utils import timezone

from assessments import services as assessment_services
from assessments.models import Invitation, InvitationImport
from audit.roles import Role
from compliance.models import RecordsPackage
from compliance.services import request_records_package
from credentials import services as credential_services
from credentials.models import Credential, IssuanceJob
from outbox import services as outbox
from outbox.models import Email, OutboxJob
from scoring.models import ScoreRun, ScoringJob
from tests.credentials.conftest import keyed_document, take_attempt
from tests.outbox.smtp import FlakyHandler, SmtpServer
from tests.support.factories import invitation_for, published_version, staff_in_roles
from tests.support.journeys import take_small_assessment, wait_until
from tests.support.worker import running_worker
from webhooks.models import Delivery, EventType
from webhooks.services import emit_event, subscribe

pytestmark = pytest.mark.worker


@dataclass
class Kind:
    model: type[OutboxJob]
    write: object  # (context) -> the row, written with its message sent at once (autocommit)
    done: object  # (row, context) -> whether its work is visible


def write_scoring_job(context) -> ScoringJob:
    _, token = invitation_for(published_version())
    take_small_assessment(Client(), token)
    return ScoringJob.objects.get()


def write_issuance_job(context) -> IssuanceJob:
    _, run = take_attempt(published_version(keyed_document()), email="lost@example.com")
    return credential_services.request_issuance(run)


def write_email(context) -> Email:
    message = EmailMessage("Your link", "Here it is.", "hr@example.com", ["ada@example.com"])
    return outbox.queue_email(message, reference="test:lost")


def write_invitation_import(context) -> InvitationImport:
    csv = "name,email\n" + "".join(f"C{n},c{n}@example.com\n" for n in range(30))
    return assessment_services.start_invitation_import(
        published_version(), csv.encode(), valid_days=7, send=False
    )


def write_records_package(context) -> RecordsPackage:
    today = timezone.localdate()
    return request_records_package(
        date_from=today - timedelta(days=30), date_to=today, actor="user:compliance"
    )


def write_webhook_delivery(context) -> Delivery:
    owner = staff_in_roles("integrator", Role.RECRUITER)
    subscribe(owner=owner, url=context["receiver"].url, events=["invitation.created"])
    emit_event(EventType.INVITATION_CREATED, lambda: {"probe": 1}, may_see=lambda user: True)
    return Delivery.objects.get()


KINDS = {
    "scoring.ScoringJob": Kind(
        ScoringJob, write_scoring_job, lambda job, _: ScoreRun.objects.filter(job=job).exists()
    ),
    "credentials.IssuanceJob": Kind(
        IssuanceJob,
        write_issuance_job,
        lambda job, _: Credential.objects.filter(job=job).exists(),
    ),
    "outbox.Email": Kind(
        Email,
        write_email,
        lambda email, context: context["smtp"].handler.subjects() == ["Your link"],
    ),
    "assessments.InvitationImport": Kind(
        InvitationImport,
        write_invitation_import,
        lambda job, _: Invitation.objects.filter(version=job.version).count() == 30,
    ),
    "compliance.RecordsPackage": Kind(
        RecordsPackage, write_records_package, lambda package, _: bool(package.sha256)
    ),
    "webhooks.Delivery": Kind(
        Delivery,
        write_webhook_delivery,
        lambda delivery, context: context["receiver"].bodies == [delivery.body.encode()],
    ),
}


class Receiver(ThreadingHTTPServer):
    """An HTTP endpoint on 127.0.0.1 that answers 204 to every POST and keeps the bodies."""

    def __init__(self):
        bodies = self.bodies = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}/hook"
        threading.Thread(target=self.serve_forever, daemon=True).start()


@pytest.fixture
def context(settings, tmp_path, monkeypatch):
    """What the worker needs to do every kind's work: the issuer's key folder and site (as the
    credentials tests use), the audit signing files, an SMTP server and a webhook receiver."""
    monkeypatch.delenv("ISSUER_SECRET_KEY", raising=False)
    settings.ISSUER_KEY_DIR = tmp_path / "keys"
    settings.ISSUER_SECRET_KEY = None
    settings.SITE_URL = "http://testserver"
    smtp = SmtpServer(FlakyHandler()).start()
    env = smtp.worker_env() | {"ISSUER_KEY_DIR": str(settings.ISSUER_KEY_DIR)}
    env |= {
        "SITE_URL": settings.SITE_URL,
        "AUDIT_ANCHOR_FILE": str(settings.AUDIT_ANCHOR_FILE),
        "AUDIT_SIGNING_KEY_FILE": str(settings.AUDIT_SIGNING_KEY_FILE),
    }
    receiver = Receiver()
    yield {"smtp": smtp, "receiver": receiver, "worker_env": env}
    receiver.shutdown()
    smtp.stop()


@pytest.mark.parametrize("label", sorted(KINDS))
def test_a_job_whose_message_was_lost_is_sent_again_by_the_one_sweeper(
    label, transactional_db, clean_broker, context
):
    kind = KINDS[label]
    job = kind.write(context)
    assert job.state == OutboxJob.State.PENDING
    redis.Redis.from_url(clean_broker).flushdb()  # the message is gone, the row is not

    assert set(outbox.sweep().values()) == {0}  # not stale yet: nothing is sent twice
    with running_worker(clean_broker, extra_env=context["worker_env"]):
        swept = outbox.sweep(stale=timedelta(0))
        assert swept[label] == 1
        wait_until(lambda: kind.model.objects.get(pk=job.pk).state != OutboxJob.State.PENDING)
    job.refresh_from_db()
    assert job.state == OutboxJob.State.DONE, job.last_error
    assert job.enqueue_count == 2
    assert kind.done(job, context)


def test_every_kind_of_outbox_job_has_a_case_here():
    kinds = {model._meta.label for model in outbox.outbox_models()}
    assert kinds - set(KINDS) == set(), "add a case to KINDS for each new kind of outbox job"
