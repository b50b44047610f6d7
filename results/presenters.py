"""Plain data for the results templates: histogram bars, sort links, time per step.

Pure: no database, no request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

HISTOGRAM_BINS = 10  # score bands of 10 points: 0-9, 10-19, …, 90-100
CHART_WIDTH = 320
CHART_HEIGHT = 140
CHART_LEFT = 30  # room for the count axis labels
CHART_BOTTOM = 20  # room for the score axis labels


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # "40 to 49: 12"


@dataclass(frozen=True)
class Histogram:
    """A skill's score distribution as SVG geometry (drawn by results/_histogram.html)."""

    skill_id: str
    name: str
    bars: list[Bar]
    total: int
    peak: int
    threshold: float | None
    threshold_x: float | None
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT
    left: int = CHART_LEFT
    plot_bottom: int = CHART_HEIGHT - CHART_BOTTOM

    @property
    def summary(self) -> str:
        """The chart in words, for screen readers."""
        parts = [bar.label for bar in self.bars if not bar.label.endswith(": 0")]
        line = f"Score distribution for {self.name}, {self.total} candidates"
        if self.threshold is not None:
            line += f"; pass threshold {self.threshold:g}"
        return line + (". " + "; ".join(parts) + "." if parts else ".")


def _band_label(band: int) -> str:
    low = band * 100 // HISTOGRAM_BINS
    high = 100 if band == HISTOGRAM_BINS - 1 else low + 100 // HISTOGRAM_BINS - 1
    return f"{low} to {high}"


def histogram(skill_id: str, name: str, counts: list[int], threshold: float | None) -> Histogram:
    """Bars scaled to the tallest band, and where the pass threshold falls on the score axis."""
    plot_width = CHART_WIDTH - CHART_LEFT
    plot_height = CHART_HEIGHT - CHART_BOTTOM - 10
    peak = max(counts, default=0)
    slot = plot_width / len(counts) if counts else plot_width
    bars = []
    for band, count in enumerate(counts):
        height = plot_height * count / peak if peak else 0
        bars.append(
            Bar(
                x=round(CHART_LEFT + band * slot + 1, 2),
                y=round(CHART_HEIGHT - CHART_BOTTOM - height, 2),
                width=round(slot - 2, 2),
                height=round(height, 2),
                label=f"{_band_label(band)}: {count}",
            )
        )
    return Histogram(
        skill_id=skill_id,
        name=name,
        bars=bars,
        total=sum(counts),
        peak=peak,
        threshold=threshold,
        threshold_x=(
            round(CHART_LEFT + plot_width * threshold / 100, 2) if threshold is not None else None
        ),
    )


@dataclass(frozen=True)
class SortLink:
    key: str
    label: str
    url: str
    aria_sort: str  # "ascending", "descending" or "none"
    numeric: bool


def sort_links(
    columns: list[tuple[str, str, bool]], params: dict[str, str], sort: str, descending: bool
) -> list[SortLink]:
    """A header link per column: it sorts by the column, or flips the order if it already does.

    ``columns`` are (key, label, numeric).
    """
    links = []
    kept = {name: value for name, value in params.items() if name not in ("sort", "order", "page")}
    for key, label, numeric in columns:
        current = key == sort
        # A second click flips the order; numbers sort highest first on the first click.
        flipped = "asc" if descending else "desc"
        order = flipped if current else ("desc" if numeric else "asc")
        links.append(
            SortLink(
                key=key,
                label=label,
                url="?" + urlencode({**kept, "sort": key, "order": order}),
                aria_sort=("descending" if descending else "ascending") if current else "none",
                numeric=numeric,
            )
        )
    return links


def duration(value: timedelta | None) -> str:
    """A time taken in minutes and seconds ("12 min 5 s"); empty when unknown."""
    if value is None:
        return ""
    seconds = max(0, int(value.total_seconds()))
    minutes, seconds = divmod(seconds, 60)
    if minutes >= 60:
        hours, minutes = divmod(minutes, 60)
        return f"{hours} h {minutes} min"
    return f"{minutes} min {seconds} s" if minutes else f"{seconds} s"


def time_per_step(
    path: list[str], saved_at: dict[str, datetime], started_at: datetime
) -> dict[str, timedelta]:
    """Time on each step of the path: from the previous answer's save (or the start) to this
    one's. Answers are final once the candidate moves on, so the last save marks the answer."""
    times = {}
    previous = started_at
    for step_id in path:
        moment = saved_at.get(step_id)
        if moment is None:
            continue
        times[step_id] = moment - previous
        previous = moment
    return times
