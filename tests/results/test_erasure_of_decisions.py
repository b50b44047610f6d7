"""Erasure and the recruiter's workspace: decision notes go, the decision history stays, and
nothing the results pages show of an erased candidate names them or quotes them."""

import json
import shutil
import subprocess

import pytest
from django.urls import reverse

from compliance.services import erase_candidate
from results.models import Decision
from results.selectors import access_assessment_results
from results.services import record_decision

pytestmark = pytest.mark.django_db
SLUG = "small-support"
NOTE = "Strong on refunds; her partner works here too."
# Words of Ada's free-text answer (tests.compliance.helpers.STRONG_REPLY).
ANSWER_WORDS = "refund it today"


def _decide(recruiter, attempt, outcome: str, note: str) -> Decision:
    access = access_assessment_results(recruiter, SLUG)
    return record_decision(access, attempt, outcome=outcome, note=note, user=recruiter)


@pytest.fixture
def erased(recruiter, cohort):
    """Ada has two decisions with notes and Alan one; then Ada is erased."""
    ada = cohort["ada"]
    _decide(recruiter, ada, "hold", "Ask about the gap year.")
    _decide(recruiter, ada, "advance", NOTE)
    _decide(recruiter, cohort["alan"], "reject", "Missed the refund.")
    history = list(
        Decision.objects.filter(attempt=ada).values("outcome", "decided_at", "decided_by")
    )
    erase_candidate(ada.invitation, actor="system")
    return {"ada": ada, "history": history}


def test_erasure_blanks_the_notes_and_keeps_the_decision_history(erased, cohort):
    ada = erased["ada"]
    after = Decision.objects.filter(attempt=ada)
    assert list(after.values_list("note", flat=True)) == ["", ""]
    assert list(after.values("outcome", "decided_at", "decided_by")) == erased["history"]
    # Another candidate's note is not theirs to lose.
    assert Decision.objects.get(attempt=cohort["alan"]).note == "Missed the refund."


def test_the_erasure_event_counts_the_notes_and_a_second_erasure_changes_nothing(erased):
    record = erase_candidate(erased["ada"].invitation, actor="system")
    assert json.loads(record.audit_event.payload)["decision_notes_erased"] == 2
    assert NOTE not in record.audit_event.payload


def _shown(client, ada) -> dict[str, str]:
    """The table, its CSV, the report and the report's PDF (as text)."""
    table = client.get(reverse("results:table", kwargs={"slug": SLUG}))
    export = client.get(reverse("results:export", kwargs={"slug": SLUG}))
    keys = {"slug": SLUG, "public_id": ada.public_id}
    report = client.get(reverse("results:report", kwargs=keys))
    pdf = client.get(reverse("results:report-pdf", kwargs=keys))
    assert {table.status_code, export.status_code, report.status_code, pdf.status_code} == {200}
    pdf_text = subprocess.run(
        ["pdftotext", "-", "-"],
        input=b"".join(pdf.streaming_content),
        capture_output=True,
        check=True,
    ).stdout.decode()
    return {
        "table": table.content.decode(),
        "csv": b"".join(export.streaming_content).decode(),
        "report": report.content.decode(),
        "pdf": " ".join(pdf_text.split()),
    }


def test_results_pages_of_an_erased_candidate_show_no_name_email_or_free_text(
    client, recruiter, erased
):
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: apt-get install -y poppler-utils", pytrace=False)
    client.force_login(recruiter)
    shown = _shown(client, erased["ada"])
    for where, text in shown.items():
        for personal in ("Ada Lovelace", "ada@example.com", ANSWER_WORDS, NOTE, "gap year"):
            assert personal not in text, (where, personal)
    # The erased row is still there, pseudonymous, with its decision in force.
    assert "Erased candidate" in shown["report"]
    assert "Advance</strong> (in force)" in shown["report"]


def _decide_on_page(client, attempt, outcome: str, note: str):
    url = reverse("results:decide", kwargs={"slug": SLUG, "public_id": attempt.public_id})
    return client.post(url, {"outcome": outcome, "note": note})


def test_after_erasure_a_decision_takes_no_note(client, recruiter, erased):
    ada = erased["ada"]
    client.force_login(recruiter)
    report = client.get(
        reverse("results:report", kwargs={"slug": SLUG, "public_id": ada.public_id})
    )
    assert 'name="note"' not in report.content.decode()
    assert "a decision on them takes no note" in report.content.decode()

    refused = _decide_on_page(client, ada, "reject", "Her new address is on file.")
    assert refused.status_code == 400
    assert "a decision on them takes no note" in refused.content.decode()
    assert Decision.objects.filter(attempt=ada).count() == 2

    assert _decide_on_page(client, ada, "reject", "").status_code == 302
    assert Decision.objects.filter(attempt=ada).first().outcome == "reject"
