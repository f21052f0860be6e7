"""Server-side SVG line charts for metric histories: pure functions, no database, no JS.

Every piece of text goes through format_html, so a metric name or label can never
inject markup; coordinates are numbers we format ourselves. The CSS classes (series,
threshold, axis) come from tutela.css, because the CSP refuses style attributes.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH, HEIGHT = 640, 200
LEFT, RIGHT, TOP, BOTTOM = 60, 12, 14, 30  # room for the axis labels
PLOT_LEFT, PLOT_RIGHT = LEFT, WIDTH - RIGHT
PLOT_TOP, PLOT_BOTTOM = TOP, HEIGHT - BOTTOM


@dataclass(frozen=True)
class Threshold:
    """A horizontal rule drawn across the chart (a retirement floor or ceiling)."""

    value: float
    label: str

    @property
    def value_text(self) -> str:
        return number(self.value)


@dataclass(frozen=True)
class Scale:
    """Maps days and values to SVG coordinates inside the plot area."""

    first: date
    last: date
    low: float
    high: float

    def x(self, day: date) -> float:
        span = (self.last - self.first).days
        if span == 0:
            return (PLOT_LEFT + PLOT_RIGHT) / 2
        return PLOT_LEFT + (day - self.first).days / span * (PLOT_RIGHT - PLOT_LEFT)

    def y(self, value: float) -> float:
        # Higher values sit higher: SVG's y grows downwards.
        return PLOT_BOTTOM - (value - self.low) / (self.high - self.low) * (PLOT_BOTTOM - PLOT_TOP)


def number(value: float) -> str:
    """Four significant digits: enough to read a metric, short enough for a label."""
    return f"{value:.4g}"


def _coordinate(value: float) -> str:
    return f"{value:.1f}"


def scale_for(points: Sequence[tuple[date, float]], thresholds: Sequence[Threshold]) -> Scale:
    """The value range covers every point and every threshold, so the rule is always drawn."""
    values = [value for _, value in points] + [t.value for t in thresholds]
    low, high = min(values), max(values)
    if low == high:  # a flat line still needs a range to sit in
        pad = abs(low) * 0.05 or 1.0
        low, high = low - pad, high + pad
    return Scale(points[0][0], points[-1][0], low, high)


def _axes(scale: Scale) -> SafeString:
    return format_html(
        '<line class="axis" x1="{left}" y1="{top}" x2="{left}" y2="{bottom}"/>'
        '<line class="axis" x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}"/>'
        '<text x="{label_x}" y="{top_text}" text-anchor="end">{high}</text>'
        '<text x="{label_x}" y="{bottom}" text-anchor="end">{low}</text>'
        '<text x="{left}" y="{date_y}" text-anchor="start">{first}</text>'
        '<text x="{right}" y="{date_y}" text-anchor="end">{last}</text>',
        left=PLOT_LEFT,
        right=PLOT_RIGHT,
        top=PLOT_TOP,
        bottom=PLOT_BOTTOM,
        label_x=PLOT_LEFT - 6,
        top_text=PLOT_TOP + 4,
        date_y=HEIGHT - 8,
        high=number(scale.high),
        low=number(scale.low),
        first=scale.first.isoformat(),
        last=scale.last.isoformat(),
    )


def _threshold(scale: Scale, threshold: Threshold) -> SafeString:
    y = _coordinate(scale.y(threshold.value))
    return format_html(
        '<line class="threshold" x1="{}" y1="{}" x2="{}" y2="{}" stroke-dasharray="5 4" '
        'data-value="{}">'
        "<title>{}</title></line>"
        '<text class="threshold-label" x="{}" y="{}" text-anchor="end">{} {}</text>',
        PLOT_LEFT,
        y,
        PLOT_RIGHT,
        y,
        threshold.value,
        threshold.label,
        PLOT_RIGHT - 4,
        _coordinate(scale.y(threshold.value) - 4),
        threshold.label,
        number(threshold.value),
    )


def _series(scale: Scale, points: Sequence[tuple[date, float]]) -> SafeString:
    coordinates = [(scale.x(day), scale.y(value)) for day, value in points]
    if len(coordinates) == 1:  # a polyline of one point draws nothing
        x, y = coordinates[0]
        return format_html(
            '<circle class="series-point" cx="{}" cy="{}" r="3"/>', _coordinate(x), _coordinate(y)
        )
    path = " ".join(f"{_coordinate(x)},{_coordinate(y)}" for x, y in coordinates)
    return format_html('<polyline class="series" points="{}"/>', path)


def summary(
    name: str, points: Sequence[tuple[date, float]], thresholds: Sequence[Threshold]
) -> str:
    """What the chart shows, in words, for its accessible name."""
    last_day, last_value = points[-1]
    text = (
        f"{name}: daily values from {points[0][0].isoformat()} to {last_day.isoformat()}, "
        f"latest {number(last_value)} on {last_day.isoformat()}"
    )
    rules = "; ".join(f"{t.label} at {number(t.value)}" for t in thresholds)
    return f"{text}; {rules}." if rules else f"{text}."


def line_chart(
    *,
    name: str,
    points: Sequence[tuple[date, float]],
    thresholds: Sequence[Threshold] = (),
) -> SafeString:
    """An accessible SVG line chart of daily values (oldest first), with dashed threshold
    rules: role="img", an aria-label and a <title> saying what it shows."""
    if not points:
        raise ValueError("A chart needs at least one point.")
    scale = scale_for(points, thresholds)
    rules = format_html_join("", "{}", ((_threshold(scale, t),) for t in thresholds))
    label = summary(name, points, thresholds)
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {} {}" '
        'role="img" aria-label="{}" preserveAspectRatio="xMidYMid meet">'
        "<title>{}</title>{}{}{}</svg>",
        WIDTH,
        HEIGHT,
        label,
        label,
        _axes(scale),
        rules,
        _series(scale, points),
    )
