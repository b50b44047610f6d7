"""Decisions: recorded, audited, changeable with their history, shown in table and report."""

import json

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from results.models import Decision
from results.selectors import advanced_attempt_ids
from results.services import DECISION_RECORDED

pytestmark = pytest.mark.django_db
SLUG = "small-support"


def _decide(client, attempt, outcome: str, note: str = ""):
    url = reverse("results:decide", kwargs={"slug": SLUG, "public_id": attempt.public_id})
    return client.post(url, {"outcome": outcome, "note": note})


def test_a_decision_is_recorded_and_audited_without_its_note(client, recruiter, cohort):
    client.force_login(recruiter)
    response = _decide(client, cohort["ada"], "advance", "Strong on judgement; call her.")
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert (decision.outcome, decision.decided_by) == ("advance", recruiter)
    assert decision.note == "Strong on judgement; call her."
    event = AuditEvent.objects.get(action=DECISION_RECORDED)
    assert event.subject == f"attempt:{cohort['ada'].public_id}"
    assert event.actor == f"user:{recruiter.pk}"
    payload = json.loads(event.payload)
    assert payload["outcome"] == "advance"
    assert payload["previous_outcome"] is None
    assert "call her" not in event.payload  # notes are personal data; the chain never forgets


def test_a_decision_can_be_changed_and_keeps_its_history(client, recruiter, cohort):
    client.force_login(recruiter)
    _decide(client, cohort["ada"], "hold", "Wait for the second round.")
    _decide(client, cohort["ada"], "reject")
    assert list(Decision.objects.values_list("outcome", flat=True)) == ["reject", "hold"]
    last = json.loads(
        AuditEvent.objects.filter(action=DECISION_RECORDED).order_by("pk").last().payload
    )
    assert (last["outcome"], last["previous_outcome"]) == ("reject", "hold")
    report = client.get(
        reverse("results:report", kwargs={"slug": SLUG, "public_id": cohort["ada"].public_id})
    ).content.decode()
    assert "Reject</strong> (in force)" in report
    assert "Wait for the second round." in report
    table = client.get(reverse("results:table", kwargs={"slug": SLUG})).content.decode()
    assert "decision-reject" in table


def test_an_invalid_decision_is_refused_with_a_message(client, recruiter, cohort):
    client.force_login(recruiter)
    response = _decide(client, cohort["ada"], "hire-now")
    assert response.status_code == 400
    assert "Choose advance, hold or reject." in response.content.decode()
    assert not Decision.objects.exists()


def test_advanced_attempt_ids_follow_the_decision_in_force(cohort):
    version_id = cohort["ada"].version_id
    Decision.objects.create(attempt=cohort["ada"], outcome="advance")
    Decision.objects.create(attempt=cohort["alan"], outcome="advance")
    Decision.objects.create(attempt=cohort["alan"], outcome="reject")
    Decision.objects.create(attempt=cohort["grace"], outcome="hold")
    assert advanced_attempt_ids([version_id]) == {cohort["ada"].pk}
    assert advanced_attempt_ids([version_id + 999]) == set()
