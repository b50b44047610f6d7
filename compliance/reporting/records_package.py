"""The records package: what an employer hands a regulator for a period, as one zip.

Parts (each listed in ``manifest.json`` with its sha256, size and record count):

* ``published_audits.json`` and ``published_audits/<slug>-<n>.pdf``: the bias-audit summaries
  published in the period and the one in force when it began, exactly as published;
* ``notices.json``: every notice version shown (on a consent page or in an invitation);
* ``consents.csv``: each consent, with the version taken and the notice shown;
* ``accommodation_requests.csv``: alternative-process and accommodation requests with outcome;
* ``data_requests.csv``: explanation and correction requests, their deadline and outcome;
* ``oversight_pauses.json``: the stop button: who paused automation, when, why, and the resume;
* ``model_events.json``: text models trained, activated and deactivated;
* ``audit_events.csv`` and ``audit_receipt.json``: every audit event the package cites (the
  above, and the data requests' steps), with its canonical bytes and an RFC 9162 inclusion
  proof under the signed tree head in the manifest, so each can be checked without us;
* ``summary.pdf``: a readable cover: scope, counts and the signed tree head.

No part holds a candidate's name, email address or answers: candidates appear by their
invitation and attempt ids, which the employer can resolve.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.units import inch
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from audit.anchors import SignedTreeHead
from audit.selectors import receipt_entries, tree_head_summary
from compliance import selectors
from compliance.bias import bias_report_from_json
from compliance.reporting import bias as bias_rendering
from reports import pdf
from reports.spreadsheet import formula_safe

PACKAGE_FORMAT = "skillproof-records-package/1"
# Zip entries carry this timestamp, so the same records give the same bytes.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Part:
    """One file of the package."""

    name: str
    content: bytes
    records: int
    description: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def package_parts(
    scope: selectors.RecordsScope, head: SignedTreeHead | None
) -> Iterator[list[Part]]:
    """The parts, a step at a time (the caller counts steps as progress)."""
    yield _published_audits(scope)
    yield [_notices(scope)]
    yield [_consents(scope)]
    yield [_accommodations(scope)]
    yield [_data_requests(scope)]
    yield [_pauses(scope)]
    yield [_model_events(scope)]
    yield _audit_events(scope, head)


# How many lists ``package_parts`` yields: the progress bar's total.
PACKAGE_STEPS = 8


def write_zip(header: dict[str, Any], parts: list[Part]) -> bytes:
    """The zip: the parts, ``summary.pdf`` and ``manifest.json`` (which names every other file
    with its sha256)."""
    parts = [*parts, _summary_pdf(header, parts)]
    manifest = {
        **header,
        "parts": [
            {
                "name": part.name,
                "sha256": part.sha256,
                "bytes": len(part.content),
                "records": part.records,
                "description": part.description,
            }
            for part in parts
        ],
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for part in [*parts, _json_part("manifest.json", manifest, len(parts), "This list.")]:
            entry = zipfile.ZipInfo(part.name, date_time=_ZIP_TIME)
            # A ZipInfo carries its own compression (the archive's default is not applied).
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, part.content)
    return buffer.getvalue()


# --- parts -----------------------------------------------------------------------------------


def _published_audits(scope: selectors.RecordsScope) -> list[Part]:
    audits = selectors.records_published_audits(scope)
    listing = [
        {
            "assessment": audit.assessment.slug,
            "number": audit.number,
            "audit_date": audit.audit_date.isoformat(),
            "data_from": _iso(audit.data_from),
            "data_to": _iso(audit.data_to),
            "auditor": audit.auditor or None,
            "first_used_on": audit.first_used_on.isoformat(),
            "data_source": audit.data_source,
            "data_source_note": audit.data_source_note,
            "small_categories_excluded": audit.small_categories_excluded,
            "exclusion_reason": audit.exclusion_reason,
            "published_at": audit.published_at.isoformat(),
            "published_by": audit.published_by,
            "public_page": f"/bias-audit/{audit.assessment.slug}/{audit.number}/",
            "audit_event_id": audit.audit_event_id,
            "document_sha256": audit.document_sha256,
            "document": audit.document,
        }
        for audit in audits
    ]
    parts = [
        _json_part(
            "published_audits.json",
            listing,
            len(listing),
            "Bias-audit summaries published in the period, and the one in force when it began.",
        )
    ]
    for audit in audits:
        title = f"Bias audit {audit.number}: {audit.assessment.title}"
        parts.append(
            Part(
                f"published_audits/{audit.assessment.slug}-{audit.number}.pdf",
                bias_rendering.render_pdf(bias_report_from_json(audit.document), title),
                1,
                f"{title}, as published on {audit.published_at:%Y-%m-%d}.",
            )
        )
    return parts


def _notices(scope: selectors.RecordsScope) -> Part:
    notices = [
        {
            "assessment": notice.assessment.slug,
            "number": notice.number,
            "content_sha256": notice.content_sha256,
            "created_at": notice.created_at.isoformat(),
            "content": notice.content,
        }
        for notice in selectors.records_notices(scope)
    ]
    return _json_part(
        "notices.json",
        notices,
        len(notices),
        "Every notice version shown in the period, on a consent page or in an invitation.",
    )


def _consents(scope: selectors.RecordsScope) -> Part:
    rows = [
        [
            row["public_id"],
            row["invitation__public_id"],
            row["version__assessment__slug"],
            row["version__number"],
            row["version__content_sha256"],
            _iso(row["consent_at"]),
            row["notice__number"],
            row["notice__content_sha256"],
            row["invitation__notice__number"],
            _iso(row["invitation__available_from"]),
            _iso(row["submitted_at"]),
        ]
        for row in selectors.records_consents(scope)
    ]
    header = [
        "attempt",
        "invitation",
        "assessment",
        "version",
        "version_sha256",
        "consent_at",
        "notice_shown",
        "notice_sha256",
        "notice_in_invitation",
        "available_from",
        "submitted_at",
    ]
    return _csv_part(
        "consents.csv", header, rows, "Each consent: the version taken and the notice shown."
    )


def _accommodations(scope: selectors.RecordsScope) -> Part:
    rows = [
        [
            row["pk"],
            row["invitation__public_id"],
            row["invitation__version__assessment__slug"],
            row["kind"],
            row["state"],
            _iso(row["created_at"]),
            _iso(row["due_at"]),
            _iso(row["decided_at"]),
            f"user:{row['decided_by_id']}" if row["decided_by_id"] else "",
            row["granted_extra_minutes"],
        ]
        for row in selectors.records_accommodations(scope)
    ]
    header = [
        "request",
        "invitation",
        "assessment",
        "kind",
        "outcome",
        "requested_at",
        "due_at",
        "decided_at",
        "decided_by",
        "granted_extra_minutes",
    ]
    return _csv_part(
        "accommodation_requests.csv",
        header,
        rows,
        "Alternative-process and accommodation requests made or decided in the period, with "
        "their outcome (the candidates' descriptions are left out).",
    )


def _data_requests(scope: selectors.RecordsScope) -> Part:
    rows = [
        [
            row["public_id"],
            row["invitation__public_id"],
            row["attempt__public_id"] or "",
            row["invitation__version__assessment__slug"],
            row["kind"],
            row["state"],
            row["outcome"],
            _iso(row["created_at"]),
            _iso(row["due_at"]),
            _iso(row["answered_at"]),
            f"user:{row['answered_by_id']}" if row["answered_by_id"] else "",
            _on_time(row),
        ]
        for row in selectors.records_data_requests(scope)
    ]
    header = [
        "request",
        "invitation",
        "attempt",
        "assessment",
        "kind",
        "state",
        "outcome",
        "requested_at",
        "due_at",
        "answered_at",
        "answered_by",
        "on_time",
    ]
    return _csv_part(
        "data_requests.csv",
        header,
        rows,
        "Explanation and correction requests made or answered in the period: deadline, answer "
        "date and outcome (what the candidate wrote and the answer's text are left out).",
    )


def _on_time(row: dict) -> str:
    """'yes' or 'no' once answered; 'overdue' while open past the deadline; '' otherwise."""
    if row["answered_at"] is not None:
        return "yes" if row["answered_at"] <= row["due_at"] else "no"
    return "overdue" if row["due_at"] < timezone.now() else ""


def _pauses(scope: selectors.RecordsScope) -> Part:
    pauses = [
        {
            "assessment": pause.assessment.slug,
            "paused_at": pause.paused_at.isoformat(),
            "paused_by": f"user:{pause.paused_by_id}" if pause.paused_by_id else None,
            "reason": pause.reason,
            "resumed_at": _iso(pause.resumed_at),
            "resumed_by": f"user:{pause.resumed_by_id}" if pause.resumed_by_id else None,
            "resume_note": pause.resume_note,
        }
        for pause in selectors.records_pauses(scope)
    ]
    return _json_part(
        "oversight_pauses.json",
        pauses,
        len(pauses),
        "Automation paused by a person (human oversight) at any time in the period.",
    )


def _model_events(scope: selectors.RecordsScope) -> Part:
    events = [
        _event_dict(event)
        for event in selectors.records_events(scope).filter(action__startswith="model.")
    ]
    return _json_part(
        "model_events.json",
        events,
        len(events),
        "Text models trained, activated and deactivated in the period (audit events).",
    )


def _audit_events(scope: selectors.RecordsScope, head: SignedTreeHead | None) -> list[Part]:
    events = selectors.records_events(scope)
    rows = [
        [
            event.seq,
            event.occurred_at.isoformat(),
            event.actor,
            event.action,
            event.subject,
            event.event_hash,
            event.payload,
        ]
        for event in events
    ]
    header = ["seq", "occurred_at", "actor", "action", "subject", "event_hash", "payload"]
    entries = receipt_entries(events, head) if head is not None else []
    receipt = {"signed_tree_head": tree_head_summary(head), "entries": entries}
    return [
        _csv_part(
            "audit_events.csv",
            header,
            rows,
            "Every audit event the package cites: consents, accommodation and data requests, "
            "oversight pauses, model events, published audits and retention policy changes.",
        ),
        _json_part(
            "audit_receipt.json",
            receipt,
            len(entries),
            "Those events' canonical bytes with RFC 9162 inclusion proofs under the signed tree "
            "head: checkable with the public key alone.",
        ),
    ]


def _summary_pdf(header: dict[str, Any], parts: list[Part]) -> Part:
    buffer = io.BytesIO()
    title = "Records package"
    document = SimpleDocTemplate(
        buffer,
        pagesize=LETTER,
        title=title,
        author="Skillproof",
        leftMargin=0.75 * inch,
        rightMargin=0.75 * inch,
        topMargin=0.75 * inch,
        bottomMargin=0.75 * inch,
        invariant=True,
    )
    styles = pdf.styles()
    head = header["tree_head"] or {}
    facts = [
        ("Period", f"{header['period']['from']} to {header['period']['to']}"),
        ("Assessment", header["assessment"] or "Every assessment"),
        ("Generated", header["generated_at"]),
        ("Requested by", header["requested_by"]),
        ("Request event", str(header["request_event"])),
        ("Signed tree head", f"size {head.get('tree_size', 0)}, root {head.get('root_hash', '')}"),
    ]
    story = [
        Paragraph(pdf.markup(title), styles["Title"]),
        pdf.facts_table(facts, styles, document.width),
        Spacer(1, 12),
        Paragraph("Contents", styles["Heading2"]),
        pdf.table(
            ["File", "Records", "What it holds"],
            [[part.name, part.records, part.description] for part in parts],
            styles,
            document.width,
            (0.3, 0.1, 0.6),
        ),
        Spacer(1, 12),
        Paragraph(
            pdf.markup(
                "manifest.json lists every file with its SHA-256. audit_receipt.json lets anyone "
                "check each cited audit event without our database: its bytes hash to its leaf, "
                "its inclusion proof leads to the root hash above, and the tree head's Ed25519 "
                "signature verifies with the public key it names."
            ),
            styles["BodyText"],
        ),
    ]
    footer = pdf.page_footer(f"{title}, {header['period']['from']} to {header['period']['to']}")
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return Part("summary.pdf", buffer.getvalue(), len(parts), "A readable cover of this package.")


# --- formats ---------------------------------------------------------------------------------


def _json_part(name: str, value: Any, records: int, description: str) -> Part:
    text = json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    return Part(name, text.encode("utf-8"), records, description)


def _csv_part(name: str, header: list[str], rows: Iterable[list], description: str) -> Part:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow([formula_safe("" if cell is None else str(cell)) for cell in row])
        count += 1
    return Part(name, buffer.getvalue().encode("utf-8"), count, description)


def _event_dict(event) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "occurred_at": event.occurred_at.isoformat(),
        "actor": event.actor,
        "action": event.action,
        "subject": event.subject,
        "payload": json.loads(event.payload),
        "event_hash": event.event_hash,
    }


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None
