"""The results table as CSV (streamed, formula-safe) and a candidate report as PDF."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import inch
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from reports import pdf
from reports.spreadsheet import formula_safe
from results.selectors import Status, skill_alias


def csv_header(skills: list[tuple[str, str]]) -> list[str]:
    head = [
        "candidate_name",
        "candidate_email",
        "attempt_id",
        "status",
        "submitted_at",
        "version",
        "overall_score",
        "passed",
        "waiting_for_review",
        "time_taken_seconds",
        "decision",
    ]
    for _skill_id, name in skills:
        head += [f"{name} score", f"{name} band"]
    return head


def _csv_row(attempt, skills: list[tuple[str, str]]) -> list:
    result = getattr(attempt, "result", None)
    row = [
        attempt.invitation.candidate_name,
        attempt.invitation.candidate_email,
        str(attempt.public_id),
        Status(attempt.status).label,
        attempt.submitted_at.isoformat() if attempt.submitted_at else "",
        attempt.version_number,
        round(result.overall_score, 2) if result else "",
        ("yes" if result.passed else "no") if result else "",
        "yes" if attempt.status == Status.REVIEW else "no",
        int(attempt.time_taken.total_seconds()) if attempt.time_taken else "",
        attempt.decision or "",
    ]
    for index, (skill_id, _name) in enumerate(skills):
        score = getattr(attempt, skill_alias(index))
        row += [
            "" if score is None else round(score, 2),
            result.skill_bands.get(skill_id, "") if result else "",
        ]
    return row


def stream_csv(rows: Iterable, skills: list[tuple[str, str]]) -> Iterator[str]:
    """The table's rows as CSV, a chunk of rows at a time (header first)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(csv_header(skills))
    for count, attempt in enumerate(rows, start=1):
        writer.writerow([formula_safe(value) for value in _csv_row(attempt, skills)])
        if count % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def write_report_pdf(report: dict, output: BinaryIO) -> None:
    """A candidate report for the hiring team, as PDF (what the printable page shows)."""
    styles = pdf.styles()
    document = SimpleDocTemplate(
        output,
        pagesize=A4,
        title=f"{report['candidate_name']} — {report['assessment'].title}",
        leftMargin=0.7 * inch,
        rightMargin=0.7 * inch,
    )
    width = document.width
    layout = report["layout"]
    story = [
        Paragraph(f"Candidate report: {pdf.markup(report['candidate_name'])}", styles["Title"]),
        pdf.facts_table(report["facts"], styles, width),
        Paragraph("Skills", styles["Heading2"]),
        pdf.table(
            ["Skill", "Score", "Band", "Threshold", "Result"],
            [
                [s["name"], s["score"], s["band"], s["threshold"], _skill_result(s)]
                for s in layout["skills"]
            ],
            styles,
            width,
            (0.36, 0.14, 0.18, 0.14, 0.18),
        ),
    ]
    for step in report["steps"]:
        story += [Spacer(1, 6), Paragraph(pdf.markup(step["title"]), styles["Heading3"])]
        if step["answer"]:
            story.append(Paragraph(f"Answer: {pdf.markup(step['answer'])}", styles["BodyText"]))
        if step["time"]:
            story.append(Paragraph(f"Time on this step: {step['time']}", styles["Small"]))
        if step["criteria"]:
            story.append(
                pdf.table(
                    ["Criterion", "Skill", "Points", "Level", "Method", "Evidence"],
                    [
                        [
                            c["id"],
                            c["skill"],
                            f"{c['points']} / {c['max_points']}",
                            c["level"],
                            c["method"],
                            "; ".join(
                                f"{label}: {value}" for label, value in c["evidence"]["facts"]
                            ),
                        ]
                        for c in step["criteria"]
                    ],
                    styles,
                    width,
                    (0.14, 0.16, 0.1, 0.14, 0.12, 0.34),
                )
            )
    if report["decisions"]:
        story += [
            Paragraph("Decisions", styles["Heading2"]),
            pdf.table(
                ["When", "Decision", "By", "Note"],
                [
                    [
                        d.decided_at.strftime("%Y-%m-%d %H:%M"),
                        d.get_outcome_display(),
                        _who(d),
                        d.note,
                    ]
                    for d in report["decisions"]
                ],
                styles,
                width,
                (0.2, 0.14, 0.2, 0.46),
            ),
        ]
    story += [
        Paragraph("Score runs", styles["Heading2"]),
        pdf.table(
            ["Scored", "Score", "Passed", "Waiting for review", "Engine", "Breakdown sha256"],
            [
                [
                    run.created_at.strftime("%Y-%m-%d %H:%M"),
                    f"{run.overall_score:.1f}",
                    "yes" if run.passed else "no",
                    "yes" if run.needs_review else "no",
                    run.engine_version,
                    run.breakdown_sha256[:16],
                ]
                for run in report["runs"]
            ],
            styles,
            width,
            (0.2, 0.1, 0.1, 0.16, 0.14, 0.3),
            mono_columns={5},
        ),
    ]
    document.build(story)


def _who(decision) -> str:
    return decision.decided_by.get_username() if decision.decided_by else "(removed user)"


def _skill_result(skill: dict) -> str:
    if not skill["assessed"]:
        return "not assessed"
    return "met" if skill["passed"] else "not met"
