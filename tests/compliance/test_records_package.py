"""Records on demand: one zip for a period with the published audits, notices and consents,
accommodation requests, oversight pauses, model events and the signed audit-log head with a
proof for every event cited; for the Compliance role only."""

import base64
import csv
import hashlib
import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments import services as assessment_services
from assessments.models import AccommodationRequest
from audit.merkle import leaf_hash, verify_inclusion
from audit.models import AuditEvent
from audit.roles import Role
from audit.services import Action, record_event
from compliance import data_requests, services
from compliance.exceptions import InvalidReportRequest
from compliance.models import RecordsPackage
from tests.compliance.helpers import bulk_candidates_with_answers
from tests.support.documents import small_document
from tests.support.factories import invitation_for, published_version, staff_in_roles
from tests.support.journeys import wait_until

TODAY = timezone.localdate

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(scored, compliance_user):
    """A period with one of each record: a consent, an accommodation request decided, a
    published audit, a pause and its resume, and a model activation."""
    bulk_candidates_with_answers(
        scored.version, [("female", "white", 12, 6), ("male", "white", 12, 8)]
    )
    attempt = scored.take(name="Grace Candidate", email="grace@example.com")
    request = assessment_services.request_accommodation(
        attempt.invitation,
        kind=AccommodationRequest.Kind.ALTERNATIVE_PROCESS,
        details="I use a screen reader",
    )
    assessment_services.decide_accommodation(
        request, user=compliance_user, grant=True, notify=False
    )
    assessment = scored.version.assessment
    audit = services.publish_bias_audit(
        assessment, actor="user:test", auditor="Fair Hiring Audits LLC"
    )
    assessment_services.pause_assessment(assessment, user=compliance_user, reason="Odd scores")
    assessment_services.resume_assessment(assessment, user=compliance_user, note="Checked")
    record_event(Action.MODEL_ACTIVATED, actor="user:test", subject="text_model:1", payload={})
    data_request = data_requests.submit_data_request(
        attempt.invitation, kind="correction", details="My name is spelt Grace Candidate"
    )
    data_requests.send_answer(
        data_request, user=compliance_user, text="Corrected.", outcome="corrected"
    )
    return {"attempt": attempt, "audit": audit, "assessment": assessment, "request": request}


def _build(**scope) -> RecordsPackage:
    package = services.request_records_package(
        date_from=TODAY() - timedelta(days=1), date_to=TODAY(), actor="user:test", **scope
    )
    return services.build_records_package(package.pk)


def _files(package: RecordsPackage) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(bytes(package.content))) as archive:
        assert {info.compress_type for info in archive.infolist()} == {zipfile.ZIP_DEFLATED}
        return {name: archive.read(name) for name in archive.namelist()}


def _csv(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode())))


def test_the_package_holds_every_kind_of_record_and_a_manifest_of_them(history):
    package = _build()
    assert package.state == RecordsPackage.State.DONE
    assert package.parts_done == package.parts_total
    assert package.sha256 == hashlib.sha256(bytes(package.content)).hexdigest()
    files = _files(package)
    manifest = json.loads(files["manifest.json"])
    assert {part["name"] for part in manifest["parts"]} == set(files) - {"manifest.json"}
    for part in manifest["parts"]:
        assert hashlib.sha256(files[part["name"]]).hexdigest() == part["sha256"]
    assert manifest["request_event"] == package.audit_event_id

    audits = json.loads(files["published_audits.json"])
    assert [audit["document_sha256"] for audit in audits] == [history["audit"].document_sha256]
    assert audits[0]["auditor"] == "Fair Hiring Audits LLC"
    slug = history["assessment"].slug
    assert files[f"published_audits/{slug}-1.pdf"].startswith(b"%PDF")

    consents = _csv(files["consents.csv"])
    attempt = history["attempt"]
    mine = next(row for row in consents if row["attempt"] == str(attempt.public_id))
    assert mine["notice_shown"] == str(attempt.notice.number)
    notices = json.loads(files["notices.json"])
    assert attempt.notice.content_sha256 in {notice["content_sha256"] for notice in notices}

    (accommodation,) = _csv(files["accommodation_requests.csv"])
    assert (accommodation["kind"], accommodation["outcome"]) == ("alternative_process", "granted")
    (data_request,) = _csv(files["data_requests.csv"])
    assert (data_request["kind"], data_request["outcome"]) == ("correction", "corrected")
    assert data_request["on_time"] == "yes"
    (pause,) = json.loads(files["oversight_pauses.json"])
    assert (pause["reason"], pause["resume_note"]) == ("Odd scores", "Checked")
    (model_event,) = json.loads(files["model_events.json"])
    assert model_event["action"] == Action.MODEL_ACTIVATED

    actions = {row["action"] for row in _csv(files["audit_events.csv"])}
    assert {
        Action.CONSENT_GIVEN,
        Action.ACCOMMODATION_REQUESTED,
        Action.ACCOMMODATION_DECIDED,
        Action.BIAS_AUDIT_PUBLISHED,
        Action.AUTOMATION_PAUSED,
        Action.AUTOMATION_RESUMED,
        Action.MODEL_ACTIVATED,
        Action.DATA_REQUEST_RECEIVED,
        Action.DATA_REQUEST_ANSWERED,
    } <= actions
    assert files["summary.pdf"].startswith(b"%PDF")


def test_every_cited_event_checks_against_the_signed_head_without_the_database(history):
    files = _files(_build())
    receipt = json.loads(files["audit_receipt.json"])
    head = receipt["signed_tree_head"]
    assert head == json.loads(files["manifest.json"])["tree_head"]
    cited = _csv(files["audit_events.csv"])
    assert len(receipt["entries"]) == len(cited) > 0
    root = bytes.fromhex(head["root_hash"])
    for entry in receipt["entries"]:
        leaf = leaf_hash(base64.b64decode(entry["event_bytes"]))
        assert leaf.hex() == entry["leaf_hash"]
        proof = [bytes.fromhex(node) for node in entry["inclusion_proof"]]
        assert verify_inclusion(leaf, entry["leaf_index"], head["tree_size"], proof, root)


def test_no_part_holds_a_name_an_email_or_what_the_candidate_wrote(history):
    for name, content in _files(_build()).items():
        if name.endswith(".pdf"):
            continue
        text = content.decode()
        assert "grace@example.com" not in text, name
        assert "Grace Candidate" not in text, name
        assert "screen reader" not in text, name


def test_the_period_and_the_assessment_bound_the_package(history, scored):
    other = published_version(small_document(slug="other-support", title="Other"))
    invitation, _ = invitation_for(other, email="other@example.com")
    elsewhere = assessment_services.start_attempt(invitation)
    files = _files(_build(assessment=history["assessment"]))
    assert json.loads(files["oversight_pauses.json"])
    consents = {row["attempt"] for row in _csv(files["consents.csv"])}
    assert str(history["attempt"].public_id) in consents
    assert str(elsewhere.public_id) not in consents
    subjects = {row["subject"] for row in _csv(files["audit_events.csv"])}
    assert f"attempt:{history['attempt'].public_id}" in subjects
    assert f"attempt:{elsewhere.public_id}" not in subjects
    everything = _files(_build())
    assert str(elsewhere.public_id) in {row["attempt"] for row in _csv(everything["consents.csv"])}

    package = services.request_records_package(
        date_from=TODAY() - timedelta(days=30),
        date_to=TODAY() - timedelta(days=2),
        actor="user:test",
    )
    files = _files(services.build_records_package(package.pk))
    assert _csv(files["consents.csv"]) == []
    assert json.loads(files["oversight_pauses.json"]) == []
    assert json.loads(files["published_audits.json"]) == []


def test_a_period_that_cannot_be_is_refused():
    with pytest.raises(InvalidReportRequest, match="after the end"):
        services.request_records_package(
            date_from=TODAY(), date_to=TODAY() - timedelta(days=1), actor="x"
        )
    with pytest.raises(InvalidReportRequest, match="future"):
        services.request_records_package(
            date_from=TODAY() + timedelta(days=1), date_to=TODAY() + timedelta(days=2), actor="x"
        )
    assert not RecordsPackage.objects.exists()


def test_the_records_pages_are_for_the_compliance_role_only(client, recruiter, reviewer, history):
    package = _build()
    urls = [
        ("get", reverse("compliance:records")),
        ("post", reverse("compliance:records")),
        ("get", reverse("compliance:records-package", args=[package.public_id])),
        ("get", reverse("compliance:records-package-status", args=[package.public_id])),
        ("post", reverse("compliance:records-package-download", args=[package.public_id])),
    ]
    for method, url in urls:
        assert getattr(client, method)(url).status_code == 302, url  # to the login page
    for user in (recruiter, reviewer):
        client.force_login(user)
        for method, url in urls:
            assert getattr(client, method)(url).status_code == 403, url
    assert RecordsPackage.objects.count() == 1


def test_compliance_requests_follows_and_downloads_a_package(
    client, compliance_user, history, django_capture_on_commit_callbacks
):
    client.force_login(compliance_user)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            reverse("compliance:records"),
            {"date_from": str(TODAY() - timedelta(days=1)), "date_to": str(TODAY())},
        )
    assert len(callbacks) == 1  # the build is enqueued after commit
    package = RecordsPackage.objects.get()
    assert response["Location"] == reverse("compliance:records-package", args=[package.public_id])
    page = client.get(response["Location"]).content.decode()
    assert "Being prepared" in page and "data-progress-bar" in page
    status = client.get(reverse("compliance:records-package-status", args=[package.public_id]))
    assert status.json() == {"state": "pending", "parts_done": 0, "parts_total": 8, "percent": 0}
    services.build_records_package(package.pk)
    page = client.get(response["Location"]).content.decode()
    package.refresh_from_db()
    assert package.sha256 in page
    download = client.post(reverse("compliance:records-package-download", args=[package.public_id]))
    assert download["Content-Type"] == "application/zip"
    assert hashlib.sha256(download.content).hexdigest() == package.sha256
    assert (
        AuditEvent.objects.filter(
            action=Action.REPORT_EXPORTED, subject=f"records_package:{package.public_id}"
        ).count()
        == 2
    )  # the request and the download


def test_the_form_says_what_is_wrong_and_keeps_the_input(client, compliance_user):
    client.force_login(compliance_user)
    response = client.post(
        reverse("compliance:records"),
        {
            "date_from": str(TODAY()),
            "date_to": str(TODAY() - timedelta(days=3)),
            "assessment": "nope",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "The start date is after the end date." in html
    assert f'value="{TODAY()}"' in html
    assert not RecordsPackage.objects.exists()


def test_the_command_writes_the_package(history, tmp_path, capsys):
    output = tmp_path / "records.zip"
    call_command(
        "records_package",
        "--from",
        str(TODAY() - timedelta(days=1)),
        "--to",
        str(TODAY()),
        "--assessment",
        history["assessment"].slug,
        "--output",
        str(output),
    )
    package = RecordsPackage.objects.get()
    assert hashlib.sha256(output.read_bytes()).hexdigest() == package.sha256
    assert package.sha256 in capsys.readouterr().out
    assert package.requested_by == "system:cli"


@pytest.mark.worker
def test_a_worker_builds_the_package_on_the_reports_queue(celery_worker):
    auditor = staff_in_roles("records-auditor", Role.COMPLIANCE)
    client = Client()
    client.force_login(auditor)
    client.post(
        reverse("compliance:records"),
        {"date_from": str(TODAY() - timedelta(days=1)), "date_to": str(TODAY())},
    )
    package = RecordsPackage.objects.get()
    wait_until(lambda: RecordsPackage.objects.filter(pk=package.pk, state="done").exists())
    package.refresh_from_db()
    assert package.parts_done == package.parts_total
    assert "manifest.json" in _files(package)
