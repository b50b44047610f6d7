"""The email outbox with a real worker and a real SMTP server (aiosmtpd on 127.0.0.1) through
Django's SMTP backend: a server that refuses or is down is retried with backoff and every email
arrives exactly once; an address the server refuses fails visibly, without retries."""

import pytest
from django.core.mail import EmailMultiAlternatives

from outbox.models import Email, OutboxJob
from outbox.services import queue_email
from tests.outbox.smtp import FlakyHandler, SmtpServer
from tests.support.journeys import wait_until
from tests.support.worker import running_worker

pytestmark = pytest.mark.worker


def queue(subject: str, to: str = "ada@example.com") -> Email:
    message = EmailMultiAlternatives(subject, f"Body of {subject}", "hr@example.com", [to])
    message.attach_alternative(f"<p>Body of {subject}</p>", "text/html")
    return queue_email(message, reference=f"test:{subject}")  # autocommit: sent at once


@pytest.fixture
def smtp():
    servers = []

    def start(**options) -> SmtpServer:
        server = SmtpServer(FlakyHandler(**options)).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def test_a_failing_smtp_server_is_retried_and_every_email_arrives_once(
    transactional_db, clean_broker, smtp
):
    server = smtp(fail_first=3)  # "451 try again later" to the first three messages
    with running_worker(clean_broker, extra_env=server.worker_env()):
        emails = [queue(f"Message {n}") for n in range(5)]
        wait_until(lambda: len(server.handler.subjects()) == 5, timeout=90)
        wait_until(lambda: not Email.objects.filter(state=OutboxJob.State.PENDING).exists())
    assert sorted(server.handler.subjects()) == [f"Message {n}" for n in range(5)]
    assert server.handler.refused_messages == 3
    rows = Email.objects.filter(pk__in=[email.pk for email in emails])
    assert {row.state for row in rows} == {OutboxJob.State.DONE}
    assert sum(row.retries for row in rows) == 3  # each refusal counted once, on its row
    assert all("451" in row.last_error for row in rows if row.retries)
    # The bodies (which may carry one-time links) are not kept once sent.
    assert not rows.exclude(body_text="").exists() and not rows.exclude(body_html="").exists()
    html = server.handler.received[0].get_payload()[1]
    assert html.get_content_type() == "text/html" and "<p>Body of" in html.get_payload()


def test_emails_queued_while_the_server_is_down_are_sent_when_it_is_back(
    transactional_db, clean_broker, smtp
):
    server = smtp()
    server.stop()  # connection refused: an OSError, retried
    with running_worker(clean_broker, extra_env=server.worker_env()):
        emails = [queue(f"While down {n}") for n in range(3)]
        wait_until(
            lambda: all(
                row.retries >= 1 for row in Email.objects.filter(pk__in=[e.pk for e in emails])
            ),
            timeout=60,
        )
        assert not server.handler.received
        server.start()
        wait_until(lambda: len(server.handler.subjects()) == 3, timeout=90)
        wait_until(lambda: not Email.objects.filter(state=OutboxJob.State.PENDING).exists())
    assert sorted(server.handler.subjects()) == [f"While down {n}" for n in range(3)]
    assert set(Email.objects.values_list("state", flat=True)) == {OutboxJob.State.DONE}


def test_an_address_the_server_refuses_fails_visibly_and_is_not_retried(
    transactional_db, clean_broker, smtp
):
    server = smtp(refuse=frozenset({"nobody@example.com"}))
    with running_worker(clean_broker, extra_env=server.worker_env()):
        refused = queue("To nobody", to="nobody@example.com")
        delivered = queue("To Ada")
        wait_until(lambda: Email.objects.get(pk=refused.pk).state == OutboxJob.State.FAILED)
        wait_until(lambda: Email.objects.get(pk=delivered.pk).state == OutboxJob.State.DONE)
    refused.refresh_from_db()
    assert refused.retries == 0 and "550" in refused.last_error
    assert server.handler.subjects() == ["To Ada"]
