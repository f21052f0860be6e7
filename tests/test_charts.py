"""The metric chart: an accessible SVG built from daily values, with the retirement threshold
drawn as a dashed rule at its value, and every piece of text escaped."""

import re
from datetime import date, timedelta

import pytest

from governance import charts
from governance.charts import Threshold, line_chart
from governance.selectors.metrics import retirement_thresholds

DAY = date(2026, 10, 1)


def days(*values: float) -> list[tuple[date, float]]:
    return [(DAY + timedelta(days=n), value) for n, value in enumerate(values)]


def attribute(svg: str, element: str, name: str) -> str:
    match = re.search(rf'<{element}\b[^>]*\b{name}="([^"]*)"', svg)
    assert match, f"no {element} with {name} in {svg}"
    return match[1]


def test_chart_is_an_accessible_scalable_image():
    svg = line_chart(name="accuracy", points=days(0.9, 0.91, 0.92))

    assert svg.startswith(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 640 200"'
    )
    assert 'role="img"' in svg
    label = attribute(svg, "svg", "aria-label")
    assert label == (
        "accuracy: daily values from 2026-10-01 to 2026-10-03, latest 0.92 on 2026-10-03."
    )
    assert f"<title>{label}</title>" in svg


def test_chart_labels_the_axes_with_min_max_and_the_first_and_last_day():
    svg = line_chart(name="accuracy", points=days(0.8, 0.85, 1.0))

    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert texts[:4] == ["1", "0.8", "2026-10-01", "2026-10-03"]


def test_series_is_a_polyline_of_the_daily_values_across_the_plot():
    svg = line_chart(name="accuracy", points=days(0.8, 1.0, 0.9))

    points = attribute(svg, "polyline", "points").split()
    # x: the first day at the plot's left edge, the last at its right; y: 1.0 at the top.
    assert points == ["60.0,170.0", "344.0,14.0", "628.0,92.0"]
    assert 'class="series"' in svg


def test_threshold_is_a_dashed_rule_at_its_value():
    svg = line_chart(
        name="accuracy",
        points=days(0.8, 1.0),
        thresholds=[Threshold(0.9, "retirement floor (7 days)")],
    )

    rule = re.search(r'<line class="threshold"[^>]*>', svg)[0]
    # 0.9 is halfway between 0.8 (y=170) and 1.0 (y=14).
    assert 'y1="92.0"' in rule and 'y2="92.0"' in rule
    assert 'x1="60"' in rule and 'x2="628"' in rule
    assert 'data-value="0.9"' in rule
    assert 'stroke-dasharray="5 4"' in rule  # dashed even where the stylesheet is missing
    assert "retirement floor (7 days) 0.9</text>" in svg
    assert "retirement floor (7 days) at 0.9." in attribute(svg, "svg", "aria-label")


def test_threshold_outside_the_values_widens_the_range_so_it_is_drawn():
    svg = line_chart(
        name="drift_score", points=days(0.05, 0.1), thresholds=[Threshold(0.3, "drift ceiling")]
    )

    rule = re.search(r'<line class="threshold"[^>]*>', svg)[0]
    assert 'y1="14.0"' in rule  # the ceiling is the highest value: the top of the plot
    assert re.findall(r"<text[^>]*>([^<]*)</text>", svg)[:2] == ["0.3", "0.05"]


def test_single_observation_is_drawn_as_a_point_in_the_middle():
    svg = line_chart(name="accuracy", points=days(0.9))

    assert "<polyline" not in svg
    assert attribute(svg, "circle", "cx") == "344.0"
    assert attribute(svg, "circle", "cy") == "92.0"  # a flat range is padded around it


def test_text_is_escaped():
    svg = line_chart(
        name='acc<script>alert("x")</script>',
        points=days(0.9, 0.8),
        thresholds=[Threshold(0.85, "<b>floor</b> & more")],
    )

    assert "<script>" not in svg and "<b>" not in svg
    assert "acc&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in svg
    assert "&lt;b&gt;floor&lt;/b&gt; &amp; more 0.85" in svg


def test_chart_needs_a_point():
    with pytest.raises(ValueError):
        line_chart(name="accuracy", points=[])


def test_numbers_keep_four_significant_digits():
    assert charts.number(0.912345) == "0.9123"
    assert charts.number(1234567.0) == "1.235e+06"


def test_thresholds_come_from_the_metric_floors_and_the_drift_ceiling():
    criteria = {
        "max_age_days": 90,
        "metric_floors": [
            {"metric": "accuracy", "min": 0.88, "days": 7},
            {"metric": "auc", "min": 0.8, "days": 3},
        ],
        "drift_ceiling": 0.3,
        "retire_on_replacement": True,
    }

    assert retirement_thresholds(criteria, "accuracy") == (
        Threshold(0.88, "retirement floor (7 days)"),
    )
    assert retirement_thresholds(criteria, "drift_score") == (Threshold(0.3, "drift ceiling"),)
    assert retirement_thresholds(criteria, "latency_ms") == ()
    assert retirement_thresholds({}, "accuracy") == ()
