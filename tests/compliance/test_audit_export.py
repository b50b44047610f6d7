"""Audit exports: every format opens and holds the required fields; the export is audited."""

import csv
import io
import json
import shutil
import subprocess

import pytest
from django.core.management import CommandError, call_command

from audit.models import AuditEvent
from audit.selectors import latest_tree_head
from audit.services import Action
from audit.verify import verify_audit_chain
from compliance.exceptions import UnknownCandidate
from compliance.reporting.audit_export import CSV_COLUMNS
from compliance.services import start_audit_export
from scoring.models import ReviewItem
from scoring.review_services import decide_review_item
from scoring.selectors import current_score_run
from scoring.services.runs import run_scoring_job

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(scored, reviewer):
    """Two candidates; a reviewer decided on the second one's written answer, and the run that
    applied the decision superseded the machine's run."""
    first = scored.take(name="Ada Lovelace", email="ada@example.com")
    second = scored.take(name="=HYPERLINK(evil)", email="grace@example.com", option="ignore")
    old_run = current_score_run(second)
    item = ReviewItem.objects.get(attempt=second, state=ReviewItem.State.OPEN)
    decision = decide_review_item(
        item, level=2, reason="The reply apologises and gives a plan.", user=reviewer
    )
    new_run = run_scoring_job(decision.job_id)
    return {"first": first, "second": second, "old_run": old_run, "new_run": new_run}


def _export(scored, fmt, **scope):
    return start_audit_export(scored.version.assessment, format=fmt, actor="user:1", **scope)


def _text(export) -> str:
    return "".join(export.chunks())


def test_csv_has_one_row_per_criterion_score_with_the_required_fields(scored, history):
    export = _export(scored, "csv")
    rows = list(csv.DictReader(io.StringIO(_text(export))))
    assert tuple(rows[0]) == CSV_COLUMNS
    # Two criteria per run: one run for the first attempt, two for the second.
    assert len(rows) == 6
    first = [row for row in rows if row["attempt_id"] == str(history["first"].public_id)]
    assert {row["criterion_id"] for row in first} == {"choice", "reply-quality"}
    choice = next(row for row in first if row["criterion_id"] == "choice")
    assert choice["version_sha256"] == scored.version.content_sha256
    assert choice["method"] == "keyed"
    assert choice["points"] == "2.0" and choice["max_points"] == "2.0"
    assert choice["level_label"] == "Strong"
    assert choice["confidence"] == "1.0"
    assert json.loads(choice["evidence"])["option"] == "check"
    assert choice["run_current"] == "true"
    assert choice["submitted_at"]
    head = latest_tree_head()
    assert choice["tree_head_size"] == str(head.tree_size)
    assert choice["tree_head_root_hash"] == head.root_hash
    reply = next(row for row in first if row["criterion_id"] == "reply-quality")
    assert reply["method"] == "concept"


def test_csv_lists_superseded_runs_and_review_decisions(scored, history):
    rows = list(csv.DictReader(io.StringIO(_text(_export(scored, "csv")))))
    second = [row for row in rows if row["attempt_id"] == str(history["second"].public_id)]
    by_run = {row["run_id"]: row for row in second}
    assert by_run[str(history["old_run"].pk)]["run_current"] == "false"
    new = by_run[str(history["new_run"].pk)]
    assert new["run_current"] == "true"
    assert new["run_reason"] == "review"
    assert new["supersedes_run"] == str(history["old_run"].pk)
    reviews = json.loads(new["review_decisions"])
    assert reviews[0]["reason"] == "The reply apologises and gives a plan."
    assert reviews[0]["reviewer_username"] == "reviewer"
    assert reviews[0]["criterion"] == "reply/reply-quality" and reviews[0]["level"] == 2
    assert reviews[0]["run"] == history["new_run"].pk
    human = next(
        row
        for row in second
        if row["run_id"] == str(history["new_run"].pk) and row["criterion_id"] == "reply-quality"
    )
    assert human["method"] == "human"


def test_csv_cells_cannot_run_as_spreadsheet_formulas(scored, history):
    rows = list(csv.DictReader(io.StringIO(_text(_export(scored, "csv")))))
    names = {row["candidate_name"] for row in rows}
    assert "'=HYPERLINK(evil)" in names


def test_json_is_complete(scored, history):
    export = _export(scored, "json")
    document = json.loads(_text(export))
    assert document["format"] == "skillproof/audit-export@1"
    head = latest_tree_head()
    # The export covers every event committed before it, its own still pending.
    assert document["tree_head"]["tree_size"] == head.tree_size
    assert document["tree_head"]["root_hash"] == head.root_hash
    assert document["tree_head"]["signature"] == head.signature
    assert document["tree_head"]["public_key_multibase"].startswith("z6Mk")
    assert document["export_event"]["id"] == export.event.pk
    assert AuditEvent.objects.filter(seq__isnull=True).get() == export.event
    assert document["assessment"]["versions"][0]["content_sha256"] == scored.version.content_sha256
    assert document["attempt_count"] == 2 == len(document["attempts"])
    second = next(
        item
        for item in document["attempts"]
        if item["attempt_id"] == str(history["second"].public_id)
    )
    assert second["version"]["content_sha256"] == scored.version.content_sha256
    assert second["candidate"]["email"] == "grace@example.com"
    assert set(second["timestamps"]) >= {"consent_at", "started_at", "submitted_at"}
    runs = second["score_runs"]
    assert [run["current"] for run in runs] == [False, True]
    breakdown = runs[1]["breakdown"]
    criteria = [c for step in breakdown["steps"] for c in step["criteria"]]
    # The reviewer's decision replaced the machine's concept score with a human one.
    assert {c["method"] for c in criteria} == {"keyed", "human"}
    old_criteria = [c for step in runs[0]["breakdown"]["steps"] for c in step["criteria"]]
    assert {c["method"] for c in old_criteria} == {"keyed", "concept"}
    assert all({"points", "level", "confidence", "evidence"} <= set(c) for c in criteria)
    assert "model_hashes" in runs[1]
    assert runs[1]["overrides"]["reply/reply-quality"]["reason"].startswith("The reply")
    review = second["review_decisions"][0]
    assert review["reviewer"].startswith("user:") and review["reviewer_username"] == "reviewer"
    assert review["reason"] == "The reply apologises and gives a plan."
    actions = [event["action"] for event in second["events"]]
    assert actions[0] == Action.INVITATION_CREATED
    assert Action.SCORE_RUN_SUPERSEDED in actions and Action.REVIEW_DECIDED in actions


def test_pdf_opens_and_shows_summary_tables_and_attempts(scored, history, tmp_path):
    export = _export(scored, "pdf")
    path = tmp_path / "export.pdf"
    with open(path, "wb") as handle:
        export.write_to(handle)
    assert path.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: apt-get install -y poppler-utils", pytrace=False)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert "Audit export: Small support scenario" in text
    assert f"{latest_tree_head().tree_size} events, root sha256" in text
    assert "Overall scores" in text  # the histogram
    assert "Scoring methods" in text  # the method chart
    assert "Criteria (current score runs)" in text
    assert str(history["first"].public_id) in text  # per-attempt detail
    assert "The reply apologises and gives a plan." in text
    assert scored.version.content_sha256 in text


def test_every_export_is_an_audit_event_without_personal_data(scored, history):
    export = _export(scored, "json", candidate_email="Grace@Example.com")
    event = AuditEvent.objects.get(pk=export.event.pk)
    assert event.action == Action.REPORT_EXPORTED
    payload = json.loads(event.payload)
    assert payload["report"] == "audit_export"
    assert payload["invitations"] == [str(history["second"].invitation.public_id)]
    assert "grace" not in event.payload.lower()
    assert verify_audit_chain().ok


def test_a_candidate_export_holds_only_that_candidates_attempts(scored, history):
    document = json.loads(_text(_export(scored, "json", candidate_email="ADA@example.com")))
    assert [item["attempt_id"] for item in document["attempts"]] == [
        str(history["first"].public_id)
    ]
    assert document["scope"]["candidate"] == "ada@example.com"


def test_an_attempt_export_holds_that_attempt(scored, history):
    attempt_id = str(history["second"].public_id)
    document = json.loads(_text(_export(scored, "json", attempt_id=attempt_id)))
    assert [item["attempt_id"] for item in document["attempts"]] == [attempt_id]


def test_an_unknown_candidate_is_refused(scored, history):
    with pytest.raises(UnknownCandidate):
        _export(scored, "csv", candidate_email="nobody@example.com")


def test_an_unscored_attempt_is_exported_with_empty_score_columns(scored):
    attempt = scored.take(score=False)
    rows = list(csv.DictReader(io.StringIO(_text(_export(scored, "csv")))))
    assert len(rows) == 1
    assert rows[0]["attempt_id"] == str(attempt.public_id)
    assert rows[0]["run_id"] == "" and rows[0]["criterion_id"] == ""


def test_command_writes_each_format(scored, history, tmp_path):
    slug = scored.version.assessment.slug
    for fmt in ("csv", "json", "pdf"):
        path = tmp_path / f"audit.{fmt}"
        call_command("audit_export", assessment=slug, format=fmt, output=str(path))
        assert path.stat().st_size > 0
    assert json.loads((tmp_path / "audit.json").read_text())["attempt_count"] == 2
    assert (tmp_path / "audit.pdf").read_bytes().startswith(b"%PDF")


def test_command_exports_one_candidate(scored, history, tmp_path):
    path = tmp_path / "ada.json"
    call_command(
        "audit_export",
        assessment=scored.version.assessment.slug,
        format="json",
        output=str(path),
        candidate="ada@example.com",
    )
    assert json.loads(path.read_text())["attempt_count"] == 1


def test_command_refuses_an_unknown_assessment(tmp_path):
    with pytest.raises(CommandError, match="no assessment"):
        call_command("audit_export", assessment="nope", format="csv", output=str(tmp_path / "x"))
