"""One look for every PDF report: paragraph styles, fact and data tables, the page footer."""

from collections.abc import Callable, Iterable
from html import escape
from typing import Any

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import Paragraph, Table, TableStyle

GRID = colors.HexColor("#bbbbbb")
HEADER_BACKGROUND = colors.HexColor("#e8eef3")
TERM_BACKGROUND = colors.HexColor("#f2f2f2")
FOOTER_COLOUR = colors.HexColor("#555555")
TERM_WIDTH = 1.8 * inch


def styles() -> dict[str, ParagraphStyle]:
    """The paragraph styles of a report, by name."""
    sample = getSampleStyleSheet()
    body = sample["BodyText"]
    return {
        "Title": sample["Title"],
        "Heading1": sample["Heading1"],
        "Heading2": sample["Heading2"],
        "Heading3": sample["Heading3"],
        "BodyText": body,
        "Finding": ParagraphStyle("Finding", parent=body, leftIndent=12, spaceAfter=3),
        "Small": ParagraphStyle("Small", parent=body, fontSize=8, leading=10),
        "Cell": ParagraphStyle("Cell", parent=body, fontSize=7.5, leading=9),
        "CellBold": ParagraphStyle(
            "CellBold", parent=body, fontSize=7.5, leading=9, fontName="Helvetica-Bold"
        ),
        "Mono": ParagraphStyle("Mono", parent=body, fontName="Courier", fontSize=7, leading=9),
    }


def markup(value: Any) -> str:
    """Text for a Paragraph, which parses a mini markup language: user text never becomes tags."""
    return escape("" if value is None else str(value), quote=False)


def facts_table(facts: Iterable[tuple[str, str]], styles: dict, width: float) -> Table:
    """Term and value pairs, terms shaded on the left."""
    rows = [
        [Paragraph(markup(term), styles["CellBold"]), Paragraph(markup(value), styles["Cell"])]
        for term, value in facts
    ]
    table = Table(rows, colWidths=[TERM_WIDTH, width - TERM_WIDTH], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, GRID),
                ("BACKGROUND", (0, 0), (0, -1), TERM_BACKGROUND),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def table(
    headers: list[str],
    rows: list[list[Any]],
    styles: dict,
    width: float,
    fractions: tuple[float, ...],
    *,
    mono_columns: frozenset[int] | set[int] = frozenset(),
    highlight: Callable[[int], Any] | None = None,
) -> Table:
    """A data table over ``width``, columns in ``fractions`` of it, the header repeated on every
    page; ``highlight(row_index)`` may give a row a background colour."""
    body = [[Paragraph(markup(text), styles["CellBold"]) for text in headers]]
    body += [
        [
            Paragraph(markup(cell), styles["Mono" if index in mono_columns else "Cell"])
            for index, cell in enumerate(row)
        ]
        for row in rows
    ]
    result = Table(body, colWidths=[width * f for f in fractions], repeatRows=1, hAlign="LEFT")
    commands = [
        ("GRID", (0, 0), (-1, -1), 0.25, GRID),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_BACKGROUND),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    if highlight is not None:
        for index in range(len(rows)):
            colour = highlight(index)
            if colour:
                commands.append(("BACKGROUND", (0, index + 1), (-1, index + 1), colour))
    result.setStyle(TableStyle(commands))
    return result


def page_footer(text: str) -> Callable:
    """A page callback for ``SimpleDocTemplate.build``: ``text`` on the left, the page number
    on the right. drawString writes text as it is (no markup), so it needs no escaping."""

    def draw(canvas, document) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7.5)
        canvas.setFillColor(FOOTER_COLOUR)
        canvas.drawString(document.leftMargin, 0.45 * inch, text[:120])
        canvas.drawRightString(
            document.pagesize[0] - document.rightMargin, 0.45 * inch, f"Page {document.page}"
        )
        canvas.restoreState()

    return draw
