"""Every write compliance knows about: report exports (each an audit event) and erasure."""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, BinaryIO

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from assessments import services as assessment_services
from assessments.models import Assessment, Attempt, Invitation
from assessments.selectors import candidate_personal_data, latest_attempt
from audit.canonical import json_sha256
from audit.models import AuditEvent
from audit.selectors import audit_receipt, latest_tree_head, tree_head_summary
from audit.services import Action, record_event, sequence_pending_events
from compliance import data_requests, demographics
from compliance.bias import BiasReport, compute_bias_audit
from compliance.exceptions import ErasureRefused, InvalidReportRequest, PopulationTooSmall
from compliance.models import ErasureRecord, PublishedBiasAudit, RecordsPackage, RetentionPolicy
from compliance.reporting import audit_export, records_package
from compliance.reporting import bias as bias_rendering
from compliance.selectors import (
    RecordsScope,
    attempt_records,
    export_attempts,
    first_use_date,
    invitation_ids,
    invitations_due_for_erasure,
)
from credentials import services as credential_services
from outbox import services as outbox_services
from results import services as results_services
from scoring.presenters import score_summary
from scoring.services.erasure import erase_score_inputs

logger = logging.getLogger(__name__)

AUDIT_EXPORT_FORMATS = ("csv", "json", "pdf")
BIAS_AUDIT_FORMATS = ("json", "csv", "pdf", "html")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
}


# --- Audit export -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditExport:
    """A recorded audit export, ready to be written: header, scope and the attempts to stream."""

    assessment: Assessment
    format: str
    header: dict[str, Any]
    attempts: Any  # QuerySet[Attempt], iterated lazily, a chunk at a time
    event: AuditEvent

    @property
    def filename(self) -> str:
        scope = self.header["scope"]
        suffix = ""
        if scope.get("attempt"):
            suffix = f"-attempt-{scope['attempt'][:8]}"
        elif scope.get("candidate"):
            suffix = "-candidate"
        return f"audit-{self.assessment.slug}{suffix}-{self.event.pk}.{self.format}"

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.format]

    def records(self) -> Iterator[dict]:
        """The attempt records, read from the database a chunk at a time."""
        return attempt_records(self.attempts)

    def chunks(self) -> Iterator[str]:
        """The CSV or JSON text, piece by piece (for a file or a StreamingHttpResponse)."""
        if self.format == "csv":
            return audit_export.stream_csv(self.header, self.records())
        if self.format == "json":
            return audit_export.stream_json(self.header, self.records())
        raise InvalidReportRequest("A PDF is written with write_pdf(), not streamed as text.")

    def write_pdf(self, output: BinaryIO) -> None:
        """Write the PDF report to a binary file."""
        audit_export.render_pdf(
            self.header, self.records, output, title=f"Audit export: {self.assessment.title}"
        )

    def write_to(self, output: BinaryIO) -> None:
        """Write the export in its format to a binary file, incrementally."""
        if self.format == "pdf":
            self.write_pdf(output)
            return
        for chunk in self.chunks():
            output.write(chunk.encode("utf-8"))


def export_attempt_receipt(
    assessment: Assessment, attempt_id: str | uuid.UUID, *, actor: str
) -> dict:
    """The audit receipt of one attempt (its events, their inclusion proofs, the signed tree
    head), with pending events sequenced first; the download is recorded in the audit log."""
    (public_id,) = export_attempts(assessment, attempt_id=attempt_id).values_list(
        "public_id", flat=True
    )
    sequence_pending_events(wait=True)
    receipt = audit_receipt(f"attempt:{public_id}")
    record_event(
        Action.REPORT_EXPORTED,
        actor=actor,
        subject=f"attempt:{public_id}",
        payload={"report": "audit_receipt", "tree_size": receipt["tree_size"]},
    )
    return receipt


def start_audit_export(
    assessment: Assessment,
    *,
    format: str,
    actor: str,
    candidate_email: str | None = None,
    attempt_id: str | uuid.UUID | None = None,
) -> AuditExport:
    """Record the export in the audit log and return it, ready to stream.

    Pending events are sequenced first, so the export states the signed tree head that covers
    every event committed before it (its events can be checked against that head), and names its
    own report.exported event by id. The event names invitations, never an email.
    """
    if format not in AUDIT_EXPORT_FORMATS:
        raise InvalidReportRequest(f"The audit export comes as {', '.join(AUDIT_EXPORT_FORMATS)}.")
    attempts = export_attempts(assessment, candidate_email=candidate_email, attempt_id=attempt_id)
    sequence_pending_events(wait=True)
    scope: dict[str, Any] = {"assessment": assessment.slug}
    if candidate_email:
        scope["candidate"] = candidate_email.strip().lower()
    if attempt_id:
        scope["attempt"] = str(attempt_id)
    payload: dict[str, Any] = {
        "report": "audit_export",
        "assessment": assessment.slug,
        "format": format,
    }
    if candidate_email or attempt_id:
        payload["invitations"] = invitation_ids(attempts)
    if attempt_id:
        payload["attempt"] = str(attempt_id)
    event = record_event(
        Action.REPORT_EXPORTED,
        actor=actor,
        subject=f"assessment:{assessment.slug}",
        payload=payload,
    )
    header = {
        "format": audit_export.EXPORT_FORMAT,
        "generated_at": event.occurred_at.isoformat(),
        "scope": scope,
        "tree_head": tree_head_summary(latest_tree_head()),
        "export_event": {"id": event.pk, "action": event.action, "actor": actor},
        "assessment": {
            "slug": assessment.slug,
            "title": assessment.title,
            "versions": [
                {
                    "number": version.number,
                    "content_sha256": version.content_sha256,
                    "published_at": version.published_at.isoformat(),
                    "published_by": version.published_by_id,
                }
                for version in assessment.versions.order_by("number")
            ],
        },
    }
    return AuditExport(assessment, format, header, attempts, event)


# --- Bias audit -------------------------------------------------------------------------------


def compute_bias_report(
    assessment: Assessment,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    exclude_small_categories: bool = False,
) -> BiasReport:
    """The LL144 bias audit of an assessment's scored candidates (no side effects).

    Cells with fewer than ``BIAS_AUDIT_MIN_CELL`` people are suppressed;
    ``exclude_small_categories`` is the LL144 option to leave categories under 2% of the data
    out of the impact ratios.
    """
    if date_from and date_to and date_from > date_to:
        raise InvalidReportRequest("The start date is after the end date.")
    return compute_bias_audit(
        demographics.bias_audit_records(assessment, date_from=date_from, date_to=date_to),
        min_cell=settings.BIAS_AUDIT_MIN_CELL,
        exclude_small_categories=exclude_small_categories,
    )


def _reportable_bias_report(assessment: Assessment, **scope) -> BiasReport:
    """The bias audit, or PopulationTooSmall when it covers fewer than
    ``BIAS_AUDIT_MIN_POPULATION`` candidates: with so few, even the totals would point at
    individual people."""
    report = compute_bias_report(assessment, **scope)
    minimum = settings.BIAS_AUDIT_MIN_POPULATION
    if report.n < minimum:
        raise PopulationTooSmall(
            f"This bias audit would cover {report.n} scored candidates; it needs at least "
            f"{minimum}, so that its figures cannot point at individual people. Choose a "
            "longer period, or wait for more candidates."
        )
    return report


def bias_audit_document(assessment: Assessment, report: BiasReport) -> dict[str, Any]:
    """The JSON document of a bias audit: what the JSON download holds and what is published."""
    return {
        "assessment": assessment.slug,
        "title": f"Bias audit: {assessment.title}",
        **report.to_json_dict(),
    }


@dataclass(frozen=True)
class BiasAuditOutput:
    """A rendered bias audit, and the audit event that recorded it when it was exported."""

    report: BiasReport
    format: str
    content: bytes
    filename: str
    event: AuditEvent | None = None

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.format]


def render_bias_audit(
    assessment: Assessment,
    *,
    format: str,
    date_from: date | None = None,
    date_to: date | None = None,
    exclude_small_categories: bool = False,
) -> BiasAuditOutput:
    """Compute and render a bias audit, writing nothing (opening the report page is a read).

    Refused (PopulationTooSmall) when fewer than ``BIAS_AUDIT_MIN_POPULATION`` candidates are
    in it: with so few, even the totals would point at individual people.
    """
    if format not in BIAS_AUDIT_FORMATS:
        raise InvalidReportRequest(f"The bias audit comes as {', '.join(BIAS_AUDIT_FORMATS)}.")
    report = _reportable_bias_report(
        assessment,
        date_from=date_from,
        date_to=date_to,
        exclude_small_categories=exclude_small_categories,
    )
    title = f"Bias audit: {assessment.title}"
    if format == "json":
        document = bias_audit_document(assessment, report)
        content = (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    elif format == "csv":
        content = bias_rendering.render_csv(report).encode("utf-8")
    elif format == "pdf":
        content = bias_rendering.render_pdf(report, title)
    else:
        content = bias_rendering.render_html(report).encode("utf-8")
    period = "".join(f"-{part.isoformat()}" for part in (date_from, date_to) if part is not None)
    return BiasAuditOutput(
        report, format, content, f"bias-audit-{assessment.slug}{period}.{format}"
    )


def export_bias_audit(
    assessment: Assessment,
    *,
    format: str,
    actor: str,
    date_from: date | None = None,
    date_to: date | None = None,
    exclude_small_categories: bool = False,
) -> BiasAuditOutput:
    """Render a bias audit for download and record the export in the audit chain."""
    output = render_bias_audit(
        assessment,
        format=format,
        date_from=date_from,
        date_to=date_to,
        exclude_small_categories=exclude_small_categories,
    )
    event = record_event(
        Action.REPORT_EXPORTED,
        actor=actor,
        subject=f"assessment:{assessment.slug}",
        payload={
            "report": "bias_audit",
            "assessment": assessment.slug,
            "format": format,
            "from": date_from.isoformat() if date_from else None,
            "to": date_to.isoformat() if date_to else None,
            "small_categories_excluded": exclude_small_categories,
            "records": output.report.n,
        },
    )
    return replace(output, event=event)


# --- Published bias audits -------------------------------------------------------------------


def publish_bias_audit(
    assessment: Assessment,
    *,
    actor: str,
    audit_date: date | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    auditor: str = "",
    first_used_on: date | None = None,
    data_source: str = PublishedBiasAudit.DataSource.HISTORICAL,
    data_source_note: str = "",
    exclude_small_categories: bool = False,
    exclusion_reason: str = "",
) -> PublishedBiasAudit:
    """Compute the bias audit and publish it as a dated, immutable snapshot; audited.

    Its public page (/bias-audit/<slug>/) shows the stored document, never a recomputation.
    Refused (InvalidReportRequest) when an exclusion has no reason, test data no explanation, a
    date is in the future or the tool's first use is unknown; PopulationTooSmall as for any
    bias audit.
    """
    today = timezone.localdate()
    audit_date = audit_date or today
    auditor, exclusion_reason = auditor.strip(), exclusion_reason.strip()
    data_source_note = data_source_note.strip()
    first_used_on = first_used_on or first_use_date(assessment)
    _check_publication(
        audit_date=audit_date,
        today=today,
        first_used_on=first_used_on,
        data_source=data_source,
        data_source_note=data_source_note,
        exclude_small_categories=exclude_small_categories,
        exclusion_reason=exclusion_reason,
    )
    report = _reportable_bias_report(
        assessment,
        date_from=date_from,
        date_to=date_to,
        exclude_small_categories=exclude_small_categories,
    )
    document = bias_audit_document(assessment, report)
    document_sha256 = json_sha256(document)
    with transaction.atomic():
        # Numbers are given one at a time per assessment: the row lock orders publishers.
        Assessment.objects.select_for_update().filter(pk=assessment.pk).first()
        number = 1 + (
            PublishedBiasAudit.objects.filter(assessment=assessment).aggregate(Max("number"))[
                "number__max"
            ]
            or 0
        )
        event = record_event(
            Action.BIAS_AUDIT_PUBLISHED,
            actor=actor,
            subject=f"assessment:{assessment.slug}",
            payload={
                "number": number,
                "audit_date": audit_date.isoformat(),
                "data_from": date_from.isoformat() if date_from else None,
                "data_to": date_to.isoformat() if date_to else None,
                "auditor": auditor or None,
                "records": report.n,
                "document_sha256": document_sha256,
            },
        )
        return PublishedBiasAudit.objects.create(
            assessment=assessment,
            number=number,
            audit_date=audit_date,
            data_from=date_from,
            data_to=date_to,
            auditor=auditor,
            first_used_on=first_used_on,
            data_source=data_source,
            data_source_note=data_source_note,
            small_categories_excluded=exclude_small_categories,
            exclusion_reason=exclusion_reason,
            document=document,
            document_sha256=document_sha256,
            published_by=actor,
            audit_event=event,
        )


def _check_publication(
    *,
    audit_date: date,
    today: date,
    first_used_on: date | None,
    data_source: str,
    data_source_note: str,
    exclude_small_categories: bool,
    exclusion_reason: str,
) -> None:
    if audit_date > today:
        raise InvalidReportRequest("The audit date cannot be in the future.")
    if first_used_on is None:
        raise InvalidReportRequest(
            "No candidate has taken this assessment yet: give the date the tool was first used."
        )
    if data_source not in PublishedBiasAudit.DataSource.values:
        raise InvalidReportRequest("The data source is historical data or test data.")
    if data_source == PublishedBiasAudit.DataSource.TEST and not data_source_note:
        raise InvalidReportRequest(
            "With test data, say why historical data was not used and how the test data was made."
        )
    if exclude_small_categories and not exclusion_reason:
        raise InvalidReportRequest(
            "Give the reason for leaving categories under 2% out of the impact ratios: the "
            "published summary must state it."
        )
    if exclusion_reason and not exclude_small_categories:
        raise InvalidReportRequest(
            "A reason for leaving categories out was given, but no category is left out."
        )


# --- Records on demand ------------------------------------------------------------------------


def request_records_package(
    *,
    date_from: date,
    date_to: date,
    actor: str,
    assessment: Assessment | None = None,
    enqueue: bool = True,
) -> RecordsPackage:
    """Record the request (a report.exported event) and queue the package's build on the
    reports queue; the row is the outbox, so a lost message is sent again by the sweeper.

    ``enqueue=False`` is for a caller that builds it at once itself (the command); should it
    stop half-way, the sweeper hands the row to a worker.
    """
    if date_from > date_to:
        raise InvalidReportRequest("The start date is after the end date.")
    if date_from > timezone.localdate():
        raise InvalidReportRequest("The period starts in the future: there is nothing to report.")
    public_id = uuid.uuid4()
    with transaction.atomic():
        event = record_event(
            Action.REPORT_EXPORTED,
            actor=actor,
            subject=f"records_package:{public_id}",
            payload={
                "report": "records_package",
                "from": date_from.isoformat(),
                "to": date_to.isoformat(),
                "assessment": assessment.slug if assessment else None,
            },
        )
        package = RecordsPackage.objects.create(
            public_id=public_id,
            date_from=date_from,
            date_to=date_to,
            assessment=assessment,
            requested_by=actor,
            parts_total=records_package.PACKAGE_STEPS,
            audit_event=event,
            **outbox_services.pending_fields(),
        )
        if enqueue:
            outbox_services.enqueue_on_commit(package)
    return package


def build_records_package(package_id: int) -> RecordsPackage | None:
    """Build a requested package (the reports-queue task's work); None when it is not pending.

    Pending events are sequenced first, so the signed tree head in the manifest covers every
    event the package cites. Progress is written as each step ends, outside any transaction, so
    the page can show it; two deliveries may both build, only the first stores its bytes.
    """
    package = (
        RecordsPackage.objects.select_related("assessment")
        .filter(pk=package_id, state=RecordsPackage.State.PENDING)
        .first()
    )
    if package is None:
        return None
    sequence_pending_events(wait=True)
    head = latest_tree_head()
    scope = RecordsScope(package.date_from, package.date_to, package.assessment)
    parts: list = []
    for done, step in enumerate(records_package.package_parts(scope, head), start=1):
        parts.extend(step)
        RecordsPackage.objects.filter(pk=package.pk).update(parts_done=done)
    header = {
        "format": records_package.PACKAGE_FORMAT,
        "generated_at": timezone.now().isoformat(),
        "period": {"from": package.date_from.isoformat(), "to": package.date_to.isoformat()},
        "assessment": package.assessment.slug if package.assessment else None,
        "requested_by": package.requested_by,
        "request_event": package.audit_event_id,
        "tree_head": tree_head_summary(head),
    }
    content = records_package.write_zip(header, parts)
    with transaction.atomic():
        package = (
            RecordsPackage.objects.select_for_update()
            .filter(pk=package_id, state=RecordsPackage.State.PENDING)
            .first()
        )
        if package is None:
            return None
        package.content = content
        package.sha256 = hashlib.sha256(content).hexdigest()
        package.save(update_fields=["content", "sha256"])
        outbox_services.mark_done(package)
    return package


def download_records_package(package: RecordsPackage, *, actor: str) -> bytes:
    """The bytes of a built package; the download is recorded in the audit log."""
    if package.state != RecordsPackage.State.DONE:
        raise InvalidReportRequest("This records package is not ready yet.")
    record_event(
        Action.REPORT_EXPORTED,
        actor=actor,
        subject=f"records_package:{package.public_id}",
        payload={"report": "records_package_download", "sha256": package.sha256},
    )
    return bytes(package.content)


# --- Data rights: access, erasure and retention -----------------------------------------------


def export_personal_data(invitation: Invitation) -> dict:
    """Everything held about the candidate of this invitation, for them to download: their
    details, accommodation requests, each attempt with consent and answers, its score runs and
    an audit receipt (its events in the signed log, checkable without us). Recorded."""
    data = candidate_personal_data(invitation)
    # Events of the last second are still pending: take them into the receipts unless the
    # sequencer is running right now (never wait for it in a candidate's request).
    sequence_pending_events()
    for attempt_data, attempt in zip(
        data["attempts"], invitation.attempts.order_by("started_at"), strict=True
    ):
        attempt_data["scores"] = [
            score_summary(run, json.loads(run.breakdown_json))
            for run in attempt.score_runs.order_by("created_at", "pk")
        ]
        attempt_data["audit_receipt"] = audit_receipt(f"attempt:{attempt.public_id}")
    data["explanation_and_correction_requests"] = data_requests.export_requests(invitation)
    data["exported_at"] = timezone.now().isoformat()
    data["about"] = (
        "Everything Skillproof holds about you for this invitation: your details, any "
        "accommodation requests, each attempt with your consent time and answers, and your "
        "scores. From your result page you can ask for an explanation of the decision or a "
        "correction of this data."
    )
    record_event(
        Action.DATA_EXPORTED,
        actor=f"candidate:invitation:{invitation.public_id}",
        subject=f"invitation:{invitation.public_id}",
        payload={"attempts": len(data["attempts"])},
    )
    return data


@transaction.atomic
def erase_candidate(
    invitation: Invitation,
    *,
    reason: str = ErasureRecord.Reason.REQUEST,
    actor: str | None = None,
) -> ErasureRecord:
    """Erase a candidate's personal data, keep their pseudonymous scores; idempotent.

    Name, email, free-text answers and accommodation notes go (through the assessments
    service); so do the free text in the scoring app's answer snapshots and every word of the
    answers its breakdowns quote, the recruiters' decision notes (their outcomes stay), the
    learner record with the last invitation to the address
    (through their services), and the candidate's demographic answers. Scores, hashes and the
    audit chain stay, and one ``data.erased`` event is appended, so the chain still verifies.
    After erasure the invitation link opens nothing. Raises ErasureRefused while the candidate
    is still taking an attempt.
    """
    existing = ErasureRecord.objects.filter(invitation_public_id=invitation.public_id).first()
    if existing is not None:
        return existing
    # Locked until commit, as start_attempt locks it: no attempt can start between the check
    # and the erasure.
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if attempt_in_progress(invitation):
        raise ErasureRefused(ERASURE_WAITS)
    email = Invitation.objects.values_list("candidate_email", flat=True).get(pk=invitation.pk)
    # Locks the invitation row until commit, so a concurrent erasure waits here and then finds
    # the record the first one wrote.
    erased = assessment_services.erase_invitation_personal_data(invitation)
    existing = ErasureRecord.objects.filter(invitation_public_id=invitation.public_id).first()
    if existing is not None:
        return existing
    # The scoring app keeps a copy of the answers each run scored, and its breakdowns may quote
    # them: both lose the candidate's words.
    scoring = erase_score_inputs(erased["attempts"])
    demographics.delete_for_attempts(erased["attempts"])
    decision_notes = results_services.erase_decision_notes(erased["attempts"])
    data_requests_erased = data_requests.erase_data_requests(invitation)
    # The learner record (credentials) is the person's, shared by every invitation sent to the
    # address: it is cleared with the last of them, never while another still uses it.
    learner_record = False
    still_used = Invitation.objects.filter(candidate_email__iexact=email).exclude(pk=invitation.pk)
    if not still_used.exists():
        learner_record = credential_services.erase_learner_record(email)["record"]
    # The emails sent to the address (invitation, decisions, links) are personal data too.
    emails_erased = outbox_services.erase_emails_to(email, pending_too=not still_used.exists())
    event = record_event(
        Action.DATA_ERASED,
        actor=actor or f"candidate:invitation:{invitation.public_id}",
        subject=f"invitation:{invitation.public_id}",
        payload={
            "reason": str(reason),
            "attempts": sorted(str(public_id) for public_id in erased["attempts"]),
            "free_text_answers_erased": erased["responses"],
            "scored_answer_snapshots_erased": scoring["snapshots"],
            "score_runs_redacted": scoring["runs_redacted"],
            "review_items_withdrawn": scoring["reviews_withdrawn"],
            "training_examples_erased": scoring["training_examples_erased"],
            "decision_notes_erased": decision_notes,
            "learner_record_erased": learner_record,
            "emails_erased": emails_erased,
            "accommodation_requests_erased": erased["accommodation_requests"],
            "data_requests_erased": data_requests_erased,
        },
    )
    return ErasureRecord.objects.create(
        invitation_public_id=invitation.public_id, reason=reason, audit_event=event
    )


ERASURE_WAITS = "Submit or finish your assessment first; then you can ask for erasure."


def attempt_in_progress(invitation: Invitation) -> bool:
    """Whether the candidate is still taking this invitation's assessment. Its answers would be
    written after the erasure, so erasure waits. An attempt whose deadline has passed is
    submitted now (as the beat would) and no longer counts."""
    attempt = latest_attempt(invitation)
    if attempt is None:
        return False
    return assessment_services.close_if_expired(attempt).state == Attempt.State.IN_PROGRESS


def is_erased(invitation: Invitation) -> bool:
    """Whether this invitation's personal data has been erased."""
    return ErasureRecord.objects.filter(invitation_public_id=invitation.public_id).exists()


def record_retention_policy_change(
    policy: RetentionPolicy, *, actor: str, created: bool
) -> AuditEvent:
    """Record a policy as saved (its period, coverage and assessments): it changes erasure."""
    return record_event(
        Action.RETENTION_POLICY_CHANGED,
        actor=actor,
        subject=f"retention_policy:{policy.pk}",
        payload={
            "created": created,
            "name": policy.name,
            "keep_days": policy.keep_days,
            "covers": policy.coverage,
            "applies_to_all_assessments": policy.applies_to_all_assessments,
            "assessments": sorted(policy.assessments.values_list("slug", flat=True)),
        },
    )


def erase_expired_personal_data(*, now=None, limit: int = 500) -> int:
    """Erase the personal data of candidates whose retention period has ended; returns how many.

    The period is the longest of the rules that apply (``selectors.personal_data_rules``), and
    the candidates are exactly those ``selectors.invitations_due_for_erasure`` lists (the dry
    run), soonest first. Each candidate is erased in its own transaction, so one failure does
    not undo the rest; the beat task runs again and picks up whatever is left.
    """
    erased = 0
    for invitation in invitations_due_for_erasure(now)[:limit]:
        try:
            erase_candidate(invitation, reason=ErasureRecord.Reason.RETENTION, actor="system")
        except ErasureRefused:
            continue  # still being taken: a later run erases it once it is submitted
        erased += 1
    if erased:
        logger.info("Erased the personal data of %d candidates past retention", erased)
    return erased
