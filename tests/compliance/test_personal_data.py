"""The candidate's data download, as a service: everything held, its scores, proof, a record."""

import pytest

from audit.models import AuditEvent
from audit.services import Action
from compliance.services import export_personal_data

pytestmark = pytest.mark.django_db


def test_the_export_holds_details_answers_scores_and_a_receipt_and_is_recorded(scored):
    attempt = scored.take(name="Jane Doe", email="jane@example.com", text="I will refund it today.")
    data = export_personal_data(attempt.invitation)

    assert data["invitation"]["name"] == "Jane Doe"
    assert data["invitation"]["email"] == "jane@example.com"
    (exported,) = data["attempts"]
    assert exported["scores"], "the candidate sees their score runs"
    receipt = exported["audit_receipt"]
    assert receipt["subject"] == f"attempt:{attempt.public_id}"
    assert receipt["entries"], "the attempt's events, with proof they are in the signed log"
    event = AuditEvent.objects.get(action=Action.DATA_EXPORTED)
    assert event.subject == f"invitation:{attempt.invitation.public_id}"
    assert event.actor == f"candidate:invitation:{attempt.invitation.public_id}"
