"""Audit export rendering: CSV and JSON as streams of text, and a PDF report.

Pure formatting over plain data: a `header` dict (scope, chain head, versions) and an iterable
of attempt records (dicts, see `compliance.selectors.attempt_records`). The CSV and JSON writers
are generators that hold one attempt at a time, so an export of any size streams to a file or
an HTTP response. The PDF takes a factory of record iterables because it reads them twice:
once for the summary figures and charts, once for the tables.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, BinaryIO

from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.platypus import (
    CondPageBreak,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from audit.canonical import canonical_json
from reports import pdf
from reports.numbers import percent
from reports.spreadsheet import formula_safe

EXPORT_FORMAT = "skillproof/audit-export@1"
# Past this many attempts the PDF lists each attempt on one line and leaves the per-criterion
# detail to the CSV and JSON exports (it says so on its summary page).
PDF_DETAIL_LIMIT = 200
# The PDF is for people: its summary and charts cover every attempt, but it lists at most this
# many attempts line by line (about 50 pages); the CSV and JSON exports list every one. This
# also bounds the PDF's memory, since reportlab keeps each page until the file is written.
PDF_LINE_LIMIT = 2000

CSV_COLUMNS = (
    "assessment",
    "version_number",
    "version_sha256",
    "attempt_id",
    "invitation_id",
    "candidate_name",
    "candidate_email",
    "candidate_erased",
    "attempt_state",
    "consent_at",
    "started_at",
    "submitted_at",
    "auto_submitted",
    "run_id",
    "run_created_at",
    "run_current",
    "run_reason",
    "supersedes_run",
    "engine_version",
    "breakdown_sha256",
    "model_hashes",
    "overall_score",
    "passed",
    "run_needs_review",
    "step_id",
    "criterion_id",
    "skill",
    "points",
    "max_points",
    "level_index",
    "level_label",
    "method",
    "confidence",
    "criterion_needs_review",
    "review_reasons",
    "evidence",
    "review_decisions",
    "tree_head_size",
    "tree_head_root_hash",
)


def criteria_of(breakdown: Any) -> list[dict]:
    """Every criterion score of a breakdown (``steps[].criteria[]``), in document order."""
    if not isinstance(breakdown, dict):
        return []
    criteria = [
        criterion
        for step in breakdown.get("steps") or []
        if isinstance(step, dict)
        for criterion in step.get("criteria") or []
        if isinstance(criterion, dict)
    ]
    return criteria or [c for c in breakdown.get("criteria") or [] if isinstance(c, dict)]


def _compact(value: Any) -> str:
    return canonical_json(value).decode("utf-8")


# --- CSV ---------------------------------------------------------------------------------------


def csv_rows(record: dict, header: dict) -> Iterator[list]:
    """The CSV rows of one attempt: one per criterion score of every run (or one, unscored)."""
    candidate, version, times = record["candidate"], record["version"], record["timestamps"]
    head = header["tree_head"] or {}
    base = [
        header["assessment"]["slug"],
        version["number"],
        version["content_sha256"],
        record["attempt_id"],
        record["invitation_id"],
        candidate["name"],
        candidate["email"],
        _bool(candidate["erased"]),
        record["state"],
        times["consent_at"],
        times["started_at"],
        times["submitted_at"] or "",
        _bool(record["auto_submitted"]),
    ]
    reviews = _compact(record["review_decisions"]) if record["review_decisions"] else ""
    tail = [reviews, head.get("tree_size", ""), head.get("root_hash", "")]
    if not record["score_runs"]:
        yield [*base, *([""] * 23), *tail]
        return
    for run in record["score_runs"]:
        run_cells = [
            run["run_id"],
            run["created_at"],
            _bool(run["current"]),
            run["reason"],
            run["supersedes"] or "",
            run["engine_version"],
            run["breakdown_sha256"],
            _compact(run["model_hashes"]) if run["model_hashes"] else "",
            run["overall_score"],
            _bool(run["passed"]),
            _bool(run["needs_review"]),
        ]
        criteria = criteria_of(run["breakdown"])
        if not criteria:
            yield [*base, *run_cells, *([""] * 12), *tail]
        for criterion in criteria:
            level = criterion.get("level") or {}
            yield [
                *base,
                *run_cells,
                criterion.get("step_id", ""),
                criterion.get("criterion_id", ""),
                criterion.get("skill", ""),
                criterion.get("points", ""),
                criterion.get("max_points", ""),
                level.get("index", "") if isinstance(level, dict) else "",
                level.get("label", "") if isinstance(level, dict) else level,
                criterion.get("method", ""),
                criterion.get("confidence", ""),
                _bool(criterion.get("needs_review", False)),
                "; ".join(criterion.get("review_reasons") or []),
                _compact(criterion.get("evidence") or {}),
                *tail,
            ]


def stream_csv(header: dict, records: Iterable[dict]) -> Iterator[str]:
    """The CSV export, a few rows at a time (header line first)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    yield buffer.getvalue()
    for record in records:
        buffer.seek(0)
        buffer.truncate()
        for row in csv_rows(record, header):
            writer.writerow([formula_safe(value) for value in row])
        yield buffer.getvalue()


def _bool(value: Any) -> str:
    return "true" if value else "false"


# --- JSON --------------------------------------------------------------------------------------


def stream_json(header: dict, records: Iterable[dict]) -> Iterator[str]:
    """The complete JSON export: the header's fields, ``attempts`` (one per line), a count."""
    opening = json.dumps(header, sort_keys=True, ensure_ascii=False, indent=1)
    # Reopen the header object to append the attempts array without holding it.
    yield opening[: opening.rindex("}")].rstrip() + ',\n "attempts": ['
    count = 0
    for record in records:
        yield ("," if count else "") + "\n  " + _compact(record)
        count += 1
    yield f'\n ],\n "attempt_count": {count}\n}}\n'


# --- PDF ---------------------------------------------------------------------------------------


@dataclass
class CriterionStats:
    """Running figures for one criterion over the current runs."""

    step_id: str
    criterion_id: str
    skill: str
    n: int = 0
    points: float = 0.0
    max_points: float = 0.0
    confidence: float = 0.0
    needs_review: int = 0
    methods: Counter = field(default_factory=Counter)


@dataclass
class ExportStats:
    """Summary figures accumulated over a pass of the records; size bounded by the rubric."""

    attempts: int = 0
    submitted: int = 0
    auto_submitted: int = 0
    scored: int = 0
    passed: int = 0
    needs_review: int = 0
    runs: int = 0
    superseded_runs: int = 0
    review_decisions: int = 0
    erased: int = 0
    score_total: float = 0.0
    histogram: list[int] = field(default_factory=lambda: [0] * 10)
    methods: Counter = field(default_factory=Counter)
    criteria: dict[str, CriterionStats] = field(default_factory=dict)

    def add(self, record: dict) -> None:
        """Count one attempt."""
        self.attempts += 1
        self.submitted += bool(record["timestamps"]["submitted_at"])
        self.auto_submitted += bool(record["auto_submitted"])
        self.erased += bool(record["candidate"]["erased"])
        self.review_decisions += len(record["review_decisions"])
        self.runs += len(record["score_runs"])
        current = current_run(record)
        self.superseded_runs += len(record["score_runs"]) - (1 if current else 0)
        if current is None:
            return
        self.scored += 1
        self.passed += bool(current["passed"])
        self.needs_review += bool(current["needs_review"])
        score = float(current["overall_score"] or 0)
        self.score_total += score
        self.histogram[min(9, max(0, int(score // 10)))] += 1
        for criterion in criteria_of(current["breakdown"]):
            key = f"{criterion.get('step_id', '')}/{criterion.get('criterion_id', '')}"
            stats = self.criteria.get(key)
            if stats is None:
                stats = self.criteria[key] = CriterionStats(
                    str(criterion.get("step_id", "")),
                    str(criterion.get("criterion_id", "")),
                    str(criterion.get("skill", "")),
                )
            stats.n += 1
            stats.points += _number(criterion.get("points"))
            stats.max_points += _number(criterion.get("max_points"))
            stats.confidence += _number(criterion.get("confidence"))
            stats.needs_review += bool(criterion.get("needs_review"))
            method = str(criterion.get("method", "unknown"))
            stats.methods[method] += 1
            self.methods[method] += 1

    @property
    def mean_score(self) -> float | None:
        return self.score_total / self.scored if self.scored else None


def current_run(record: dict) -> dict | None:
    """The run no other run supersedes (the newest when several claim it)."""
    current = [run for run in record["score_runs"] if run["current"]]
    return current[-1] if current else None


def _number(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


class _LazyStory(list):
    """A platypus story that pulls flowables from a generator as the page layout needs them.

    `SimpleDocTemplate.build` only ever asks for the length, looks at and removes the first
    items and puts split pieces back at the front, so keeping a short buffer filled is enough:
    the flowables of thousands of attempts never exist at the same time.
    """

    def __init__(self, flowables: Iterator, buffer: int = 64) -> None:
        super().__init__()
        self._source = flowables
        self._buffer = buffer

    def _fill(self) -> None:
        while self._source is not None and list.__len__(self) < self._buffer:
            try:
                self.append(next(self._source))
            except StopIteration:
                self._source = None

    def __len__(self) -> int:
        self._fill()
        return list.__len__(self)

    def __getitem__(self, index):
        self._fill()
        return list.__getitem__(self, index)


def render_pdf(
    header: dict, records: Callable[[], Iterable[dict]], output: BinaryIO, *, title: str
) -> ExportStats:
    """Write the PDF report to ``output``: summary page, charts, criterion and attempt tables.

    ``records`` is called twice (summary pass, then tables). Returns the summary figures.
    """
    stats = ExportStats()
    for record in records():
        stats.add(record)
    detailed = stats.attempts <= PDF_DETAIL_LIMIT
    document = SimpleDocTemplate(
        output,
        pagesize=landscape(LETTER),
        title=title,
        author="Skillproof",
        subject="Audit export",
        leftMargin=0.6 * inch,
        rightMargin=0.6 * inch,
        topMargin=0.6 * inch,
        bottomMargin=0.7 * inch,
        invariant=True,
    )
    styles = pdf.styles()
    story = _LazyStory(
        _story(header, stats, records, styles=styles, width=document.width, detailed=detailed)
    )
    footer = pdf.page_footer(_footer_text(title, header))
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return stats


def _short(value: str | None, length: int = 8) -> str:
    return (value or "")[:length]


def _when(value: str | None, missing: str = "") -> str:
    """An ISO timestamp as ``YYYY-MM-DD HH:MM:SS`` (the export's times are UTC)."""
    return value[:19].replace("T", " ") if value else missing


def _story(
    header: dict,
    stats: ExportStats,
    records: Callable[[], Iterable[dict]],
    *,
    styles: dict[str, ParagraphStyle],
    width: float,
    detailed: bool,
) -> Iterator:
    assessment = header["assessment"]
    yield Paragraph(pdf.markup(f"Audit export: {assessment['title']}"), styles["Title"])
    yield pdf.facts_table(_summary_facts(header, stats), styles, width)
    yield Spacer(1, 8)
    if not detailed:
        listed = (
            f"the first {PDF_LINE_LIMIT} are listed on one line each"
            if stats.attempts > PDF_LINE_LIMIT
            else "each is listed on one line"
        )
        yield Paragraph(
            pdf.markup(
                f"This export covers {stats.attempts} attempts: the figures and charts count "
                f"all of them, and {listed}. Every attempt, with each criterion's points, "
                "level, method, confidence and evidence, is in the CSV and JSON exports of the "
                "same scope."
            ),
            styles["Small"],
        )
    charts = Table(
        [[_histogram(stats, width / 2 - 12), _method_chart(stats, width / 2 - 12)]],
        colWidths=[width / 2, width / 2],
    )
    charts.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    yield charts
    yield PageBreak()

    yield Paragraph("Versions", styles["Heading1"])
    yield pdf.table(
        ["Version", "Content sha256", "Published"],
        [
            [str(item["number"]), item["content_sha256"], _when(item["published_at"])]
            for item in assessment["versions"]
        ],
        styles,
        width,
        (0.12, 0.6, 0.28),
        mono_columns={1},
    )
    yield Spacer(1, 10)
    yield Paragraph("Criteria (current score runs)", styles["Heading1"])
    if stats.criteria:
        yield pdf.table(
            [
                "Step / criterion",
                "Skill",
                "Scored",
                "Mean points",
                "Mean confidence",
                "Methods",
                "Flagged for review",
            ],
            [
                [
                    f"{item.step_id} / {item.criterion_id}",
                    item.skill,
                    str(item.n),
                    f"{item.points / item.n:.2f} of {item.max_points / item.n:.2f}",
                    f"{item.confidence / item.n:.2f}",
                    ", ".join(f"{name} {count}" for name, count in item.methods.most_common()),
                    str(item.needs_review),
                ]
                for item in stats.criteria.values()
            ],
            styles,
            width,
            (0.24, 0.13, 0.08, 0.15, 0.12, 0.18, 0.1),
        )
    else:
        yield Paragraph("No attempt has been scored.", styles["BodyText"])
    yield CondPageBreak(2 * inch)
    yield Spacer(1, 10)
    yield Paragraph("Attempts", styles["Heading1"])
    yield from _attempt_lines(islice(records(), PDF_LINE_LIMIT), styles, width)
    if stats.attempts > PDF_LINE_LIMIT:
        yield Paragraph(
            pdf.markup(
                f"{stats.attempts - PDF_LINE_LIMIT} further attempts are in the CSV and JSON "
                "exports."
            ),
            styles["BodyText"],
        )
    if detailed:
        for record in records():
            yield PageBreak()
            yield from _attempt_detail(record, styles, width)


def _summary_facts(header: dict, stats: ExportStats) -> list[tuple[str, str]]:
    assessment, scope, head = header["assessment"], header["scope"], header["tree_head"]
    if scope.get("attempt"):
        scope_text = f"attempt {scope['attempt']}"
    elif scope.get("candidate"):
        scope_text = f"candidate {scope['candidate']}"
    else:
        scope_text = "every attempt at this assessment"
    mean = stats.mean_score
    return [
        ("Assessment", f"{assessment['title']} ({assessment['slug']})"),
        ("Scope", scope_text),
        ("Generated", header["generated_at"]),
        ("Signed tree head", tree_head_text(head)),
        ("This export", f"audit event id {header['export_event']['id']} (report.exported)"),
        (
            "Versions",
            ", ".join(f"v{v['number']} {v['content_sha256'][:16]}…" for v in assessment["versions"])
            or "none",
        ),
        (
            "Attempts",
            f"{stats.attempts} ({stats.submitted} submitted, "
            f"{stats.auto_submitted} at the time limit)",
        ),
        (
            "Scored",
            f"{stats.scored}; passed {stats.passed} ({percent(stats.passed, stats.scored)})",
        ),
        ("Mean overall score", "n/a" if mean is None else f"{mean:.1f} / 100"),
        (
            "Score runs",
            f"{stats.runs} ({stats.superseded_runs} superseded by a re-score or a "
            f"review); {stats.review_decisions} review decisions",
        ),
        ("Waiting for review", str(stats.needs_review)),
        ("Personal data erased", str(stats.erased)),
    ]


_ATTEMPT_HEADERS = [
    "Attempt",
    "Candidate",
    "Submitted",
    "Version",
    "Score",
    "Passed",
    "Runs",
    "Reviews",
    "Methods (current run)",
]
_ATTEMPT_FRACTIONS = (0.09, 0.22, 0.16, 0.1, 0.07, 0.06, 0.05, 0.06, 0.19)
_ATTEMPT_ROWS_PER_TABLE = 40


def _attempt_lines(records: Iterable[dict], styles, width: float) -> Iterator[Table]:
    # Many small tables instead of one long one, so the layout never holds every row.
    rows: list[list[str]] = []
    for record in records:
        rows.append(_attempt_line(record))
        if len(rows) == _ATTEMPT_ROWS_PER_TABLE:
            yield pdf.table(_ATTEMPT_HEADERS, rows, styles, width, _ATTEMPT_FRACTIONS)
            rows = []
    if rows:
        yield pdf.table(_ATTEMPT_HEADERS, rows, styles, width, _ATTEMPT_FRACTIONS)


def _attempt_line(record: dict) -> list[str]:
    run = current_run(record)
    candidate = record["candidate"]
    methods = (
        Counter(str(c.get("method", "")) for c in criteria_of(run["breakdown"])) if run else {}
    )
    return [
        _short(record["attempt_id"]),
        "(erased)" if candidate["erased"] else f"{candidate['name']} <{candidate['email']}>",
        _when(record["timestamps"]["submitted_at"], "not submitted"),
        f"v{record['version']['number']} {_short(record['version']['content_sha256'])}",
        "" if run is None else f"{run['overall_score']:.1f}",
        "" if run is None else ("yes" if run["passed"] else "no"),
        str(len(record["score_runs"])),
        str(len(record["review_decisions"])),
        ", ".join(f"{name} {count}" for name, count in sorted(methods.items())),
    ]


def _attempt_detail(record: dict, styles, width: float) -> Iterator:
    candidate = record["candidate"]
    who = (
        "personal data erased"
        if candidate["erased"]
        else (f"{candidate['name']} <{candidate['email']}>")
    )
    yield Paragraph(pdf.markup(f"Attempt {record['attempt_id']}"), styles["Heading2"])
    times = record["timestamps"]
    yield pdf.facts_table(
        [
            ("Candidate", who),
            ("Invitation", record["invitation_id"]),
            (
                "Version",
                f"v{record['version']['number']}, sha256 {record['version']['content_sha256']}",
            ),
            (
                "Timeline (UTC)",
                f"invited {_when(times['invited_at'])}; consent {_when(times['consent_at'])}; "
                f"started {_when(times['started_at'])}; "
                f"submitted {_when(times['submitted_at'], 'never')}"
                + (" (at the time limit)" if record["auto_submitted"] else ""),
            ),
        ],
        styles,
        width,
    )
    yield Spacer(1, 6)
    runs = record["score_runs"]
    if runs:
        yield pdf.table(
            [
                "Run",
                "Created",
                "Current",
                "Reason",
                "Engine",
                "Score",
                "Passed",
                "Breakdown sha256",
                "Models",
            ],
            [
                [
                    str(run["run_id"]),
                    _when(run["created_at"]),
                    "yes" if run["current"] else "superseded",
                    run["reason"],
                    run["engine_version"],
                    f"{run['overall_score']:.1f}",
                    "yes" if run["passed"] else "no",
                    run["breakdown_sha256"],
                    _compact(run["model_hashes"]) if run["model_hashes"] else "none",
                ]
                for run in runs
            ],
            styles,
            width,
            (0.05, 0.13, 0.09, 0.07, 0.07, 0.06, 0.06, 0.30, 0.17),
            mono_columns={7, 8},
        )
    else:
        yield Paragraph("Not scored.", styles["BodyText"])
    run = current_run(record)
    criteria = criteria_of(run["breakdown"]) if run is not None else []
    if criteria:
        yield Spacer(1, 6)
        yield Paragraph(f"Criteria of run {run['run_id']}", styles["Heading3"])
        yield pdf.table(
            ["Step / criterion", "Skill", "Points", "Level", "Method", "Confidence", "Evidence"],
            [_criterion_cells(criterion) for criterion in criteria],
            styles,
            width,
            (0.16, 0.1, 0.07, 0.09, 0.07, 0.08, 0.43),
            mono_columns={6},
            highlight=lambda index: "#fdf3e1" if criteria[index].get("needs_review") else None,
        )
    if record["review_decisions"]:
        yield Paragraph("Review decisions", styles["Heading3"])
        yield pdf.table(
            ["Decided", "Reviewer", "Criterion", "Level", "Applied in run", "Reason"],
            [
                [
                    _when(review.get("decided_at")),
                    review.get("reviewer_username") or review.get("reviewer") or "",
                    str(review.get("criterion") or ""),
                    str(review.get("level", "")),
                    str(review.get("run") or "pending"),
                    str(review.get("reason") or ""),
                ]
                for review in record["review_decisions"]
            ],
            styles,
            width,
            (0.14, 0.12, 0.18, 0.06, 0.09, 0.41),
        )
    if record["events"]:
        yield Paragraph("Audit events", styles["Heading3"])
        yield pdf.table(
            ["Seq", "Time", "Actor", "Action", "Event sha256"],
            [
                [
                    str(event["seq"]),
                    _when(event["occurred_at"]),
                    event["actor"],
                    event["action"],
                    event["event_hash"],
                ]
                for event in record["events"]
            ],
            styles,
            width,
            (0.06, 0.15, 0.22, 0.17, 0.4),
            mono_columns={4},
        )


def _criterion_cells(criterion: dict) -> list[str]:
    level = criterion.get("level") or {}
    label = level.get("label", "") if isinstance(level, dict) else str(level)
    evidence = _compact(criterion.get("evidence") or {})
    return [
        f"{criterion.get('step_id', '')} / {criterion.get('criterion_id', '')}",
        str(criterion.get("skill", "")),
        f"{_number(criterion.get('points')):g} / {_number(criterion.get('max_points')):g}",
        label,
        str(criterion.get("method", "")),
        f"{_number(criterion.get('confidence')):.2f}",
        evidence if len(evidence) <= 400 else evidence[:400] + "…",
    ]


# --- charts ------------------------------------------------------------------------------------

_BAR = colors.HexColor("#1f5f8b")
_AXIS = colors.HexColor("#444444")


def _histogram(stats: ExportStats, width: float) -> Drawing:
    """Vertical bars: how many current runs scored 0-9, 10-19 ... 90-100."""
    height = 2.3 * inch
    drawing = Drawing(width, height)
    drawing.add(
        String(
            0, height - 12, "Overall scores (current runs)", fontName="Helvetica-Bold", fontSize=9
        )
    )
    left, bottom, top = 28, 24, height - 24
    plot_width = width - left - 8
    highest = max(stats.histogram) or 1
    step = plot_width / len(stats.histogram)
    drawing.add(Line(left, bottom, left + plot_width, bottom, strokeColor=_AXIS))
    drawing.add(Line(left, bottom, left, top, strokeColor=_AXIS))
    drawing.add(String(left - 4, top - 3, str(highest), fontSize=7, textAnchor="end"))
    drawing.add(String(left - 4, bottom - 3, "0", fontSize=7, textAnchor="end"))
    for index, count in enumerate(stats.histogram):
        bar_height = (top - bottom) * count / highest
        x = left + index * step + 2
        drawing.add(Rect(x, bottom, step - 4, bar_height, fillColor=_BAR, strokeColor=None))
        if count:
            drawing.add(
                String(
                    x + (step - 4) / 2,
                    bottom + bar_height + 2,
                    str(count),
                    fontSize=6.5,
                    textAnchor="middle",
                )
            )
        label = f"{index * 10}-{index * 10 + 9}" if index < 9 else "90-100"
        drawing.add(
            String(x + (step - 4) / 2, bottom - 10, label, fontSize=6.5, textAnchor="middle")
        )
    return drawing


def _method_chart(stats: ExportStats, width: float) -> Drawing:
    """Horizontal bars: the share of criterion scores each scoring method produced."""
    height = 2.3 * inch
    drawing = Drawing(width, height)
    drawing.add(
        String(
            0,
            height - 12,
            "Scoring methods (criterion scores, current runs)",
            fontName="Helvetica-Bold",
            fontSize=9,
        )
    )
    total = sum(stats.methods.values())
    if not total:
        drawing.add(String(0, height / 2, "No criterion scores yet.", fontSize=8))
        return drawing
    label_width, top = 60, height - 30
    bar_space = width - label_width - 60
    rows = stats.methods.most_common(8)
    row_height = min(18, (top - 6) / len(rows))
    for index, (method, count) in enumerate(rows):
        y = top - (index + 1) * row_height
        share = count / total
        drawing.add(String(label_width - 6, y + 4, method, fontSize=8, textAnchor="end"))
        drawing.add(
            Rect(
                label_width,
                y + 1,
                max(1, bar_space * share),
                row_height - 4,
                fillColor=_BAR,
                strokeColor=None,
            )
        )
        drawing.add(
            String(
                label_width + bar_space * share + 4,
                y + 4,
                f"{percent(share)} ({count})",
                fontSize=7.5,
            )
        )
    return drawing


def tree_head_text(head: dict | None) -> str:
    """The tree head an export covers, in words (none while the log was empty)."""
    if not head:
        return "none yet (the audit log was empty)"
    return f"{head['tree_size']} events, root sha256 {head['root_hash']}"


def _footer_text(title: str, header: dict) -> str:
    head = header["tree_head"]
    if not head:
        return title[:80]
    return f"{title[:80]} · tree head {head['tree_size']} {head['root_hash'][:16]}…"
