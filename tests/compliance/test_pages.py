"""What the compliance pages show and send, for a Compliance user."""

import csv
import io
import json
import subprocess

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from audit.selectors import latest_tree_head
from audit.services import Action, record_event, sequence_pending_events
from compliance.reporting import audit_export
from compliance.services import start_audit_export
from tests.audit.helpers import audit_trigger_disabled
from tests.compliance.helpers import bulk_scored_attempts

pytestmark = pytest.mark.django_db


@pytest.fixture
def auditor(client, compliance_user):
    client.force_login(compliance_user)
    return client


def _slug(scored) -> str:
    return scored.version.assessment.slug


def test_overview_lists_assessments_and_the_signed_tree_head(auditor, scored):
    scored.take()
    sequence_pending_events(wait=True)
    html = auditor.get(reverse("compliance:index")).content.decode()
    assert "Small support scenario" in html
    assert f'data-testid="chain-count">{latest_tree_head().tree_size}<' in html
    assert 'data-testid="pending-count">0<' in html


def test_chain_page_shows_count_and_head_when_intact(auditor, scored):
    scored.take()
    sequence_pending_events(wait=True)
    response = auditor.get(reverse("compliance:chain"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "The audit log verifies" in html
    head = AuditEvent.objects.order_by("-seq").first()
    assert head.event_hash in html
    assert latest_tree_head().root_hash in html
    assert 'data-testid="pending-count">0<' in html
    record_event("test.event", actor="system", subject="thing:1")
    html = auditor.get(reverse("compliance:chain")).content.decode()
    assert 'data-testid="pending-count">1<' in html


def test_chain_page_names_the_first_broken_sequence(auditor, scored):
    scored.take()
    sequence_pending_events(wait=True)
    with audit_trigger_disabled():
        AuditEvent.objects.filter(seq=3).update(payload="{}")
    response = auditor.get(reverse("compliance:chain"))
    assert response.status_code == 409
    assert 'data-testid="first-broken">3<' in response.content.decode()


def test_audit_export_downloads_as_a_stream(auditor, scored):
    attempt = scored.take()
    url = reverse("compliance:audit-export", kwargs={"slug": _slug(scored)})
    response = auditor.post(url, {"format": "csv"})
    assert response.status_code == 200 and response.streaming
    assert response["Content-Disposition"].startswith('attachment; filename="audit-small-support')
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert {row["attempt_id"] for row in rows} == {str(attempt.public_id)}
    event = AuditEvent.objects.order_by("-id").first()
    assert event.action == Action.REPORT_EXPORTED
    assert event.actor.startswith("user:")


def test_audit_export_of_one_attempt_as_pdf(auditor, scored):
    attempt = scored.take()
    url = reverse("compliance:audit-export", kwargs={"slug": _slug(scored)})
    response = auditor.post(url, {"format": "pdf", "attempt": str(attempt.public_id)})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_audit_export_form_errors_are_shown(auditor, scored):
    scored.take()
    url = reverse("compliance:audit-export", kwargs={"slug": _slug(scored)})
    response = auditor.post(url, {"format": "csv", "candidate": "nobody@example.com"})
    assert response.status_code == 400
    assert "No attempt" in response.content.decode()
    assert auditor.post(url, {"format": "exe"}).status_code == 400


def test_unknown_assessment_is_not_found(auditor):
    assert auditor.get(reverse("compliance:assessment", kwargs={"slug": "nope"})).status_code == 404


def test_bias_audit_page_embeds_the_report_with_its_styles(auditor, scored):
    bulk_scored_attempts(scored.version, [{"passed": i % 2 == 0} for i in range(20)])
    response = auditor.get(reverse("compliance:bias-audit", kwargs={"slug": _slug(scored)}))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="bias-audit"' in html and "css/compliance.css" in html
    assert "Download this report" in html


def test_bias_audit_download_in_each_format(auditor, scored):
    bulk_scored_attempts(scored.version, [{"passed": i % 2 == 0} for i in range(20)])
    url = reverse("compliance:bias-audit", kwargs={"slug": _slug(scored)})
    response = auditor.post(url, {"format": "json", "date_from": "2000-01-01", "date_to": ""})
    assert json.loads(response.content)["n"] == 20
    assert auditor.post(url, {"format": "csv"}).content.startswith(b"dimension,")
    assert auditor.post(url, {"format": "pdf"}).content.startswith(b"%PDF")


def test_bias_audit_refuses_a_reversed_period(auditor, scored):
    url = reverse("compliance:bias-audit", kwargs={"slug": _slug(scored)})
    response = auditor.get(url, {"date_from": "2024-03-01", "date_to": "2024-01-01"})
    assert response.status_code == 400
    assert "after the end date" in response.content.decode()


def test_large_pdf_lists_attempts_on_one_line_each_up_to_a_limit(scored, monkeypatch, tmp_path):
    monkeypatch.setattr(audit_export, "PDF_DETAIL_LIMIT", 5)
    monkeypatch.setattr(audit_export, "PDF_LINE_LIMIT", 20)
    bulk_scored_attempts(scored.version, [{}] * 30)
    export = start_audit_export(scored.version.assessment, format="pdf", actor="system")
    path = tmp_path / "large.pdf"
    with open(path, "wb") as handle:
        export.write_to(handle)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert "10 further attempts are in the CSV and JSON" in text
    assert "Criteria of run" not in text  # no per-attempt detail pages
    assert text.count("Bulk Candidate") == 20
