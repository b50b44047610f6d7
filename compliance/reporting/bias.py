"""Bias audit report rendering: CSV, a self-contained HTML fragment and a PDF.

Every renderer takes a finished `BiasReport` and only formats it. Category names may be
free text typed by a person, so each renderer escapes for its own format: HTML entities,
reportlab paragraph markup, and a quote prefix against spreadsheet formulas in CSV. A
suppressed cell arrives without numbers; every format shows its label ("fewer than 5")
instead, and states which small categories were left out of the impact ratios and why.
"""

from __future__ import annotations

import csv
import io
from html import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
)

from compliance.bias import (
    METHOD,
    SIGNIFICANCE_RULE,
    TEST_LABELS,
    VARIANT_FIELDS,
    VARIANT_LABELS,
    VARIANTS,
    BiasReport,
    CategoryResult,
    DimensionResult,
    VariantResult,
    format_p_value,
)
from compliance.reporting.charts import bar_chart, build_drawing, render_svg
from reports import pdf
from reports.numbers import percent
from reports.spreadsheet import formula_safe

CSV_COLUMNS = (
    "dimension",
    "variant",
    "category",
    "label",
    "sex",
    "race_ethnicity",
    "n",
    "count",
    "rate",
    "share",
    "impact_ratio",
    "excluded",
    "flag",
    "p_value",
    "test",
    "note",
)
DASH = "\u2013"
FACTS_WIDTH = 5.3 * inch
FLAGGED_ROW = colors.HexColor("#fbe9ea")
EXCLUDED_ROW = colors.HexColor("#f2f2f2")


def render_csv(report: BiasReport) -> str:
    """One row per dimension, variant and category; `count` is selected, advanced by a
    recruiter or scored above the median, as the variant says.

    A suppressed cell has its label instead of n, count and rate; `note` says why a row is
    suppressed or left out of the impact ratios.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for dimension in report.dimensions:
        for variant_name in VARIANTS:
            for result in dimension.variant(variant_name).categories:
                hidden = report.suppression_label(result)
                writer.writerow(
                    [
                        dimension.dimension,
                        variant_name,
                        formula_safe(result.category),
                        formula_safe(result.label),
                        formula_safe(result.sex or ""),
                        formula_safe(result.race_ethnicity or ""),
                        hidden or result.n,
                        hidden or result.hits,
                        hidden or _csv_number(result.rate),
                        _csv_number(result.share),
                        _csv_number(result.impact_ratio),
                        str(result.excluded).lower(),
                        "" if hidden else str(result.flag).lower(),
                        _csv_number(result.p_value),
                        result.test or "",
                        "; ".join(_row_notes(report, result)),
                    ]
                )
    return buffer.getvalue()


def render_html(report: BiasReport, *, id_prefix: str = "bias-audit") -> str:
    """A self-contained HTML fragment: summary, one table and one SVG chart per variant."""
    prefix = escape(id_prefix, quote=True)
    parts = [
        f'<section class="bias-audit" aria-labelledby="{prefix}-heading">',
        f'<h2 id="{prefix}-heading">Bias audit</h2>',
        *(f"<p>{escape(text)}</p>" for text in _method_notes(report)),
        '<dl class="bias-audit-facts">',
        *(f"<dt>{escape(term)}</dt><dd>{escape(value)}</dd>" for term, value in _facts(report)),
        "</dl>",
        "<h3>Findings</h3>",
        "<ul>",
        *(f"<li>{escape(finding)}</li>" for finding in report.summary),
        "</ul>",
    ]
    for dimension in report.dimensions:
        parts.append(f"<h3>{escape(dimension.label)}</h3>")
        parts.append(
            f"<p>{dimension.known} records with a known value, {dimension.unknown} unknown "
            "(missing or declined; left out of this dimension).</p>"
        )
        for variant_name in VARIANTS:
            variant = dimension.variant(variant_name)
            id_base = f"{id_prefix}-{dimension.dimension}"
            parts.append(_html_variant(report, dimension, variant, id_base))
    parts.append("</section>")
    return "\n".join(parts)


def render_pdf(report: BiasReport, title: str) -> bytes:
    """A PDF: summary page, then per dimension a table and a bar chart for each variant."""
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=LETTER,
        title=title,
        author="Skillproof",
        subject="Bias audit (NYC Local Law 144 method)",
        leftMargin=0.75 * inch,
        rightMargin=0.75 * inch,
        topMargin=0.75 * inch,
        bottomMargin=0.75 * inch,
        # Fixed document id and dates: the same report gives the same bytes, so a file handed
        # to an auditor can be checked against a re-run.
        invariant=True,
    )
    styles = pdf.styles()
    story: list = [
        Paragraph(pdf.markup(title), styles["Title"]),
        pdf.facts_table(_facts(report), styles, FACTS_WIDTH),
        Spacer(1, 10),
        Paragraph("Method", styles["Heading2"]),
        *(Paragraph(pdf.markup(text), styles["Small"]) for text in _method_notes(report)),
        Paragraph("Findings", styles["Heading2"]),
        *(
            Paragraph(pdf.markup(finding), styles["Finding"], bulletText="\u2022")
            for finding in report.summary
        ),
    ]
    for index, dimension in enumerate(report.dimensions):
        # The summary gets a page of its own; later dimensions share a page when they fit.
        story.append(PageBreak() if index == 0 else CondPageBreak(3 * inch))
        intro = [
            Paragraph(pdf.markup(dimension.label), styles["Heading1"]),
            Paragraph(
                f"{dimension.known} records with a known value, {dimension.unknown} unknown "
                "(missing or declined; left out of this dimension).",
                styles["BodyText"],
            ),
        ]
        for variant_name in VARIANTS:
            variant = dimension.variant(variant_name)
            block = _pdf_variant(report, dimension, variant, styles, document.width)
            # Heading, table and chart stay on one page when they fit; the dimension's own
            # heading rides with its first table so it is never left alone at a page foot.
            story.append(KeepTogether([*intro, *block]))
            story.append(Spacer(1, 12))
            intro = []
    footer = pdf.page_footer(title)
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


# --- shared formatting -----------------------------------------------------------------------


def _facts(report: BiasReport) -> list[tuple[str, str]]:
    date_range = (
        f"{report.date_from.isoformat()} to {report.date_to.isoformat()}"
        if report.date_from and report.date_to
        else "no data"
    )
    return [
        ("Records", str(report.n)),
        ("Submitted", date_range),
        ("Records with a score", str(report.scored)),
        ("Median score", "n/a" if report.median_score is None else f"{report.median_score:g}"),
        ("Advanced by a recruiter", str(report.advanced)),
        (
            "Categories under 2%",
            "left out of impact ratios (LL144 option)"
            if report.exclude_small_categories
            else "kept in impact ratios",
        ),
        ("Smallest cell shown", f"{report.min_cell} people"),
    ]


def _method_notes(report: BiasReport) -> list[str]:
    return [
        f"{METHOD}.",
        "Impact ratio: a category's rate divided by the highest rate among the categories "
        "that are compared. Records with a missing or declined value are counted as unknown "
        "and left out of that dimension.",
        *report.method_notes,
        "Selection rate: the share of a category's records that the assessment passed. "
        "Selection rate (recruiter advanced): the share whose recruiter decision in force is "
        "advance (a later hold or reject replaces an earlier advance).",
        "Scoring rate: the share of a category's scored records strictly above the median "
        "score of all scored records (a score equal to the median is not above it).",
        SIGNIFICANCE_RULE,
    ]


def _row_notes(report: BiasReport, result: CategoryResult) -> list[str]:
    notes = []
    if result.suppressed == "small_cell":
        notes.append(f"{report.small_cell_label} people: numbers withheld")
    elif result.suppressed == "complementary":
        notes.append("numbers withheld so that a smaller cell cannot be worked out from a total")
    if result.excluded:
        notes.append("left out of impact ratios: under 2% of the data (LL144 option)")
    return notes


# The column of each variant's count, as `VARIANT_FIELDS` names it in JSON.
_COUNT_HEADERS = {"selection": "Selected", "advanced": "Advanced", "scoring": "Above median"}


def _headers(variant: VariantResult) -> list[str]:
    return [
        "Category",
        "n",
        _COUNT_HEADERS[variant.variant],
        VARIANT_LABELS[variant.variant],
        "Share",
        "Impact ratio",
        "Below 0.8",
        "p-value (test)",
    ]


def _cells(report: BiasReport, result: CategoryResult, variant: VariantResult) -> list[str]:
    hidden = report.suppression_label(result)
    if hidden:
        # Nothing about the cell but its name: the share or a ratio would give its size away.
        return [result.label, hidden, DASH, DASH, DASH, _impact_text(result), DASH, DASH]
    if result.category == variant.reference:
        p_text = "reference"
    elif result.p_value is not None and result.test is not None:
        p_text = f"{format_p_value(result.p_value)} ({TEST_LABELS[result.test]})"
    else:
        p_text = DASH
    return [
        result.label,
        str(result.n),
        str(result.hits),
        percent(result.rate),
        percent(result.share),
        _impact_text(result),
        "yes" if result.flag else "no",
        p_text,
    ]


def _impact_text(result: CategoryResult) -> str:
    if result.excluded:
        return "left out (<2%)"
    if result.suppressed:
        return DASH
    if result.impact_ratio is None:
        return "undefined"
    return f"{result.impact_ratio:.3f}"


def _variant_heading(dimension: DimensionResult, variant: VariantResult) -> str:
    return f"{VARIANT_LABELS[variant.variant]} by {dimension.label.lower()}"


def _variant_empty_text(variant: VariantResult) -> str:
    return " ".join(variant.notes) or "No data."


# --- HTML ------------------------------------------------------------------------------------


def _html_variant(
    report: BiasReport, dimension: DimensionResult, variant: VariantResult, id_base: str
) -> str:
    heading = _variant_heading(dimension, variant)
    parts = [f"<h4>{escape(heading)}</h4>"]
    if not variant.categories:
        parts.append(f"<p>{escape(_variant_empty_text(variant))}</p>")
        return "\n".join(parts)
    _, rate_field = VARIANT_FIELDS[variant.variant]
    parts.append(f'<table class="bias-audit-table" data-variant="{escape(rate_field)}">')
    parts.append(f"<caption>{escape(heading)} ({variant.n} records)</caption>")
    parts.append(
        "<thead><tr>"
        + "".join(f'<th scope="col">{escape(header)}</th>' for header in _headers(variant))
        + "</tr></thead>"
    )
    parts.append("<tbody>")
    for result in variant.categories:
        label, *numbers = _cells(report, result, variant)
        row_class = ' class="flagged"' if result.flag else ""
        parts.append(
            f'<tr{row_class}><th scope="row">{escape(label)}</th>'
            + "".join(f"<td>{escape(cell)}</td>" for cell in numbers)
            + "</tr>"
        )
    parts.append("</tbody></table>")
    if variant.notes:
        parts.append(
            "<ul>" + "".join(f"<li>{escape(note)}</li>" for note in variant.notes) + "</ul>"
        )
    chart = render_svg(bar_chart(report, dimension, variant), f"{id_base}-{variant.variant}-chart")
    parts.append(
        f"<figure>{chart}"
        f"<figcaption>{escape(heading)}; dashed line at 0.8 times the highest rate."
        "</figcaption></figure>"
    )
    return "\n".join(parts)


# --- PDF -------------------------------------------------------------------------------------


def _pdf_variant(
    report: BiasReport,
    dimension: DimensionResult,
    variant: VariantResult,
    styles: dict[str, ParagraphStyle],
    width: float,
) -> list:
    heading = Paragraph(pdf.markup(_variant_heading(dimension, variant)), styles["Heading2"])
    if not variant.categories:
        return [heading, Paragraph(pdf.markup(_variant_empty_text(variant)), styles["BodyText"])]
    fractions = (0.25, 0.07, 0.09, 0.1, 0.08, 0.13, 0.08, 0.2)
    table = pdf.table(
        _headers(variant),
        [_cells(report, result, variant) for result in variant.categories],
        styles,
        width,
        fractions,
        highlight=lambda index: _row_colour(variant.categories[index]),
    )
    flowables: list = [heading, table]
    flowables.extend(Paragraph(pdf.markup(note), styles["Small"]) for note in variant.notes)
    flowables.append(Spacer(1, 6))
    flowables.append(build_drawing(bar_chart(report, dimension, variant), width))
    return flowables


def _row_colour(result: CategoryResult):
    """Flagged rows in red, rows left out of the impact ratios in grey."""
    if result.flag:
        return FLAGGED_ROW
    if result.excluded:
        return EXCLUDED_ROW
    return None


# --- CSV -------------------------------------------------------------------------------------


def _csv_number(value: float | None) -> str:
    return "" if value is None else f"{round(value, 4)}"
