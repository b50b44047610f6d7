"""Bar charts of bias-audit rates: one geometry, drawn as inline SVG or as a reportlab Drawing.

Both outputs show each category's rate as a horizontal bar and a dashed line at 0.8 times the
highest compared rate, so a bar ending left of the line is a flagged category. Flags and
exclusions are also written as text next to the bar, so colour is never the only cue. A
suppressed cell has no bar, only its label ("fewer than 5"), so the chart gives no rate away.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from compliance.bias import VARIANT_LABELS, BiasReport, DimensionResult, VariantResult
from reports.numbers import percent

# Colours chosen for at least 4.5:1 contrast on white (WCAG AA) for the bars that carry meaning.
COLOUR_BAR = "#1f5f8b"
COLOUR_FLAGGED = "#a4262c"
COLOUR_EXCLUDED = "#8a8a8a"
COLOUR_AXIS = "#444444"
COLOUR_THRESHOLD = "#111111"

_LABEL_CHARS = 34


@dataclass(frozen=True)
class Bar:
    """One category's bar: its label, rate and the status shown beside it."""

    label: str
    # None for a suppressed cell, which is drawn as its `hidden` text alone.
    rate: float | None
    excluded: bool
    flag: bool
    hidden: str = ""

    @property
    def status(self) -> str:
        """Text shown after the rate, so the status does not rely on colour."""
        if self.excluded:
            return "left out (<2%)"
        if self.flag:
            return "below 0.8"
        return ""

    @property
    def value_text(self) -> str:
        """The rate and status, or the suppression label: what is written beside the bar."""
        if self.rate is None:
            return ", ".join(part for part in (self.hidden, self.status) if part)
        return percent(self.rate) + (f" {self.status}" if self.status else "")


@dataclass(frozen=True)
class BarChart:
    """Everything needed to draw the rates of one variant of one dimension."""

    title: str
    rate_label: str
    bars: tuple[Bar, ...]
    # 0.8 x the highest non-excluded rate; None when impact ratios are undefined.
    threshold: float | None
    axis_max: float
    tick_step: float

    @property
    def ticks(self) -> list[float]:
        """Tick positions from 0 to axis_max inclusive."""
        count = round(self.axis_max / self.tick_step)
        return [round(i * self.tick_step, 6) for i in range(count + 1)]


def bar_chart(report: BiasReport, dimension: DimensionResult, variant: VariantResult) -> BarChart:
    """The chart model for one variant of one dimension."""
    rate_label = VARIANT_LABELS[variant.variant]
    bars = tuple(
        Bar(
            label=result.label,
            rate=result.rate,
            excluded=result.excluded,
            flag=result.flag,
            hidden=report.suppression_label(result),
        )
        for result in variant.categories
    )
    shown_rates = [bar.rate for bar in bars if bar.rate is not None]
    axis_max, tick_step = _axis(max(shown_rates, default=0.0))
    return BarChart(
        title=f"{rate_label} by {dimension.label.lower()}",
        rate_label=rate_label,
        bars=bars,
        threshold=variant.threshold_rate,
        axis_max=axis_max,
        tick_step=tick_step,
    )


def describe(chart: BarChart) -> str:
    """A sentence describing the chart for screen readers and alt text."""
    parts = [
        f"Horizontal bar chart of {chart.rate_label.lower()} for {len(chart.bars)} categories."
    ]
    if chart.threshold is not None:
        parts.append(
            f"A dashed line marks 0.8 times the highest rate ({percent(chart.threshold)}); "
            "bars ending left of it are below the four-fifths threshold."
        )
    else:
        parts.append("Impact ratios are undefined, so there is no threshold line.")
    parts.extend(f"{bar.label}: {bar.value_text}." for bar in chart.bars)
    return " ".join(parts)


def render_svg(chart: BarChart, element_id: str) -> str:
    """An accessible, self-contained inline SVG of the chart; every text is escaped."""
    label_width, plot_width, value_width = 230, 320, 170
    row_height, top, bottom = 24, 12, 34
    width = label_width + plot_width + value_width
    height = top + row_height * max(len(chart.bars), 1) + bottom
    plot_bottom = top + row_height * len(chart.bars)
    safe_id = escape(element_id, quote=True)

    def x_of(rate: float) -> float:
        return label_width + plot_width * min(rate / chart.axis_max, 1.0)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-labelledby="{safe_id}-title {safe_id}-desc" '
        'font-family="sans-serif" font-size="12">',
        f'<title id="{safe_id}-title">{escape(chart.title)}</title>',
        f'<desc id="{safe_id}-desc">{escape(describe(chart))}</desc>',
    ]
    for tick in chart.ticks:
        x = x_of(tick)
        parts.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{plot_bottom}" '
            'stroke="#dddddd" stroke-width="1"/>'
            f'<text x="{x:.1f}" y="{plot_bottom + 14}" text-anchor="middle" '
            f'fill="{COLOUR_AXIS}">{escape(percent(tick, decimals=0))}</text>'
        )
    for index, bar in enumerate(chart.bars):
        y = top + index * row_height
        colour = COLOUR_EXCLUDED if bar.excluded else COLOUR_FLAGGED if bar.flag else COLOUR_BAR
        rect = ""
        if bar.rate is not None:
            bar_width = x_of(bar.rate) - label_width
            rect = (
                f'<rect x="{label_width}" y="{y + 4}" width="{bar_width:.1f}" '
                f'height="{row_height - 8}" fill="{colour}"/>'
            )
        parts.append(
            f"<g><title>{escape(bar.label)}: {escape(bar.value_text)}</title>"
            f'<text x="{label_width - 8}" y="{y + 16}" text-anchor="end" fill="#000000">'
            f"{escape(_truncate(bar.label, _LABEL_CHARS))}</text>"
            f"{rect}"
            f'<text x="{label_width + plot_width + 6}" y="{y + 16}" fill="#000000">'
            f"{escape(bar.value_text)}</text></g>"
        )
    parts.append(
        f'<line x1="{label_width}" y1="{plot_bottom}" x2="{label_width + plot_width}" '
        f'y2="{plot_bottom}" stroke="{COLOUR_AXIS}" stroke-width="1"/>'
    )
    if chart.threshold is not None:
        x = x_of(chart.threshold)
        parts.append(
            f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{plot_bottom}" '
            f'stroke="{COLOUR_THRESHOLD}" stroke-width="1.5" stroke-dasharray="5 3"/>'
            f'<text x="{x:.1f}" y="{plot_bottom + 28}" text-anchor="middle" '
            f'fill="{COLOUR_THRESHOLD}">0.8 &#215; highest = {escape(percent(chart.threshold))}'
            "</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def build_drawing(chart: BarChart, width: float) -> Drawing:
    """The chart as a reportlab Drawing `width` points wide (built-in Helvetica only)."""
    font, font_size = "Helvetica", 8
    label_width, value_width = width * 0.32, width * 0.2
    plot_width = width - label_width - value_width
    row_height, top, bottom = 14.0, 6.0, 30.0
    height = top + row_height * max(len(chart.bars), 1) + bottom
    drawing = Drawing(width, height)
    # reportlab's y axis grows upwards; rows are laid out from the top.
    plot_top = height - top
    plot_bottom = plot_top - row_height * len(chart.bars)

    def x_of(rate: float) -> float:
        return label_width + plot_width * min(rate / chart.axis_max, 1.0)

    for tick in chart.ticks:
        x = x_of(tick)
        drawing.add(Line(x, plot_bottom, x, plot_top, strokeColor=colors.HexColor("#dddddd")))
        drawing.add(
            String(
                x,
                plot_bottom - 10,
                percent(tick, decimals=0),
                fontName=font,
                fontSize=font_size,
                textAnchor="middle",
                fillColor=colors.HexColor(COLOUR_AXIS),
            )
        )
    for index, bar in enumerate(chart.bars):
        y = plot_top - (index + 1) * row_height
        colour = COLOUR_EXCLUDED if bar.excluded else COLOUR_FLAGGED if bar.flag else COLOUR_BAR
        label = _fit(bar.label, label_width - 6, font, font_size)
        drawing.add(
            String(
                label_width - 4, y + 4, label, fontName=font, fontSize=font_size, textAnchor="end"
            )
        )
        if bar.rate is not None:
            drawing.add(
                Rect(
                    label_width,
                    y + 2,
                    x_of(bar.rate) - label_width,
                    row_height - 4,
                    fillColor=colors.HexColor(colour),
                    strokeColor=None,
                )
            )
        drawing.add(
            String(
                label_width + plot_width + 4,
                y + 4,
                bar.value_text,
                fontName=font,
                fontSize=font_size,
            )
        )
    drawing.add(
        Line(
            label_width,
            plot_bottom,
            label_width + plot_width,
            plot_bottom,
            strokeColor=colors.HexColor(COLOUR_AXIS),
        )
    )
    if chart.threshold is not None:
        x = x_of(chart.threshold)
        drawing.add(
            Line(
                x,
                plot_bottom,
                x,
                plot_top + 3,
                strokeColor=colors.HexColor(COLOUR_THRESHOLD),
                strokeWidth=1.2,
                strokeDashArray=[4, 2],
            )
        )
        drawing.add(
            String(
                x,
                plot_bottom - 22,
                f"0.8 x highest = {percent(chart.threshold)}",
                fontName=font,
                fontSize=font_size,
                textAnchor="middle",
            )
        )
    return drawing


def _axis(highest: float) -> tuple[float, float]:
    # A round upper bound a little above the highest rate, so short bars stay visible.
    if highest <= 0:
        return 0.1, 0.02
    for step in (0.02, 0.05, 0.1, 0.2):
        top = math.ceil(highest / step - 1e-9) * step
        if top / step <= 6:
            return min(top, 1.0), step
    return 1.0, 0.2


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _fit(text: str, width: float, font: str, size: float) -> str:
    # Table cells carry the full label; the chart shortens long ones to stay on the page.
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "...", font, size) > width:
        text = text[:-1]
    return text + "..."
