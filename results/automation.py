"""The automation page's chart: per free-text criterion, coverage and agreement as SVG bars.

Pure: plain data in (``scoring.selectors.CriterionAutomation``), geometry out, drawn by
``results/_automation_chart.html`` on the server (the CSP allows no inline script or style).
"""

from __future__ import annotations

from dataclasses import dataclass

CHART_WIDTH = 560
LABEL_WIDTH = 210  # room for the row labels on the left
FIGURE_WIDTH = 110  # room on the right for the figure after a full bar
PLOT_WIDTH = CHART_WIDTH - LABEL_WIDTH - FIGURE_WIDTH
ROW_HEIGHT = 26
BAR_HEIGHT = 16
TOP = 8


@dataclass(frozen=True)
class MeterBar:
    """One measured share (0 to 1) as a bar; ``value`` None when nothing was measured yet."""

    label: str
    value: float | None
    kind: str  # coverage | agreement
    y: float
    width: float

    @property
    def text_x(self) -> float:
        """Where the figure is written: just right of the bar's end."""
        return round(LABEL_WIDTH + self.width + 4, 2)

    @property
    def text(self) -> str:
        if self.value is None:
            return "not measured yet"
        return f"{self.value:.0%}" if self.kind == "coverage" else f"{self.value:.2f}"


@dataclass(frozen=True)
class AutomationChart:
    key: str
    bars: list[MeterBar]
    target: float
    target_x: float
    target_top: float
    height: float
    width: int = CHART_WIDTH
    left: int = LABEL_WIDTH
    bar_height: int = BAR_HEIGHT
    plot_width: int = PLOT_WIDTH

    @property
    def summary(self) -> str:
        """The chart in words, for screen readers."""
        parts = "; ".join(f"{bar.label}: {bar.text}" for bar in self.bars)
        return f"Automation of {self.key}: {parts}; agreement target {self.target:.2f}."


def automation_chart(row) -> AutomationChart:
    """Coverage (cross-validated, live) and agreement (cross-validated on the automated share,
    live from quality control) of one criterion, on one 0 to 1 axis, with the target."""
    measures = [
        ("Coverage, cross-validated", row.cv_coverage, "coverage"),
        ("Coverage, live", row.live_coverage, "coverage"),
        ("Agreement (QWK), cross-validated", row.cv_qwk_auto, "agreement"),
        ("Agreement (QWK), quality control", row.live_qwk, "agreement"),
    ]
    plot = PLOT_WIDTH
    bars = [
        MeterBar(
            label=label,
            value=value,
            kind=kind,
            y=TOP + index * ROW_HEIGHT,
            width=round(plot * min(1.0, max(0.0, value or 0.0)), 2),
        )
        for index, (label, value, kind) in enumerate(measures)
    ]
    return AutomationChart(
        key=row.key,
        bars=bars,
        target=row.target_qwk,
        target_x=round(LABEL_WIDTH + plot * row.target_qwk, 2),
        target_top=TOP + 2 * ROW_HEIGHT - 4,
        height=TOP + len(bars) * ROW_HEIGHT + 4,
    )
