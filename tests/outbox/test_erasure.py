"""A candidate's erasure takes the emails sent to them out of the outbox too (they held their
name and links); a pending email of another invitation to the same address is left to go."""

import json

import pytest

from assessments import services as assessment_services
from audit.models import AuditEvent
from compliance.services import erase_candidate
from outbox.models import Email, OutboxJob
from tests.support.documents import small_document
from tests.support.factories import published_version
from tests.support.outbox import send_queued_emails

pytestmark = pytest.mark.django_db


def invite(version, email: str):
    invitation, _ = assessment_services.invite_candidate(version, name="Ada", email=email)
    return invitation


def test_erasure_deletes_the_emails_sent_to_the_candidate():
    version = published_version()
    invitation = invite(version, "ada@example.com")
    invite(version, "grace@example.com")
    assert send_queued_emails() == 2
    erase_candidate(invitation)
    assert list(Email.objects.values_list("to", flat=True)) == [["grace@example.com"]]
    event = AuditEvent.objects.get(action="data.erased")
    assert json.loads(event.payload)["emails_erased"] == 1


def test_a_pending_email_of_another_invitation_to_the_address_stays():
    first = invite(published_version(), "Ada@Example.com")
    assert send_queued_emails() == 1
    invite(published_version(small_document(slug="second")), "ada@example.com")  # not sent yet
    erase_candidate(first)
    [left] = Email.objects.all()
    assert left.state == OutboxJob.State.PENDING and left.to == ["ada@example.com"]
