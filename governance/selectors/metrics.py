"""Monitoring as the model and version pages show it: a chart per metric of daily values
with the version's retirement thresholds, and a summary of each metric's observations."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Avg, Count, Max, Min, OuterRef, Subquery
from django.db.models.functions import TruncDate
from django.utils.safestring import SafeString

from governance import charts
from governance.models import MetricObservation, ModelVersion

CHART_DAYS = 90  # the chart shows the last 90 days that have observations
DRIFT_METRIC = "drift_score"  # the metric the drift_ceiling rule reads


@dataclass(frozen=True)
class MetricChart:
    name: str
    svg: SafeString
    first_day: date
    latest_day: date
    latest_value: float
    thresholds: tuple[charts.Threshold, ...]

    @property
    def latest_text(self) -> str:
        return charts.number(self.latest_value)


@dataclass(frozen=True)
class MetricSummary:
    name: str
    latest: float
    latest_at: datetime
    count: int
    low: float
    high: float

    @property
    def latest_text(self) -> str:
        return charts.number(self.latest)

    @property
    def range_text(self) -> str:
        return f"{charts.number(self.low)} – {charts.number(self.high)}"


def retirement_thresholds(criteria: object, metric: str) -> tuple[charts.Threshold, ...]:
    """The retirement rules that read this metric: its floors, and the drift ceiling for
    drift_score (see validators.validate_retirement_criteria for the shape)."""
    if not isinstance(criteria, dict):
        return ()
    thresholds = [
        charts.Threshold(float(floor["min"]), f"retirement floor ({floor['days']} days)")
        for floor in criteria.get("metric_floors") or []
        if isinstance(floor, dict) and floor.get("metric") == metric
    ]
    ceiling = criteria.get("drift_ceiling")
    if metric == DRIFT_METRIC and ceiling is not None:
        thresholds.append(charts.Threshold(float(ceiling), "drift ceiling"))
    return tuple(thresholds)


def daily_series(version: ModelVersion) -> dict[str, list[tuple[date, float]]]:
    """Daily means per metric name, oldest first, the last CHART_DAYS days of each."""
    rows = (
        MetricObservation.objects.filter(version=version)
        .annotate(day=TruncDate("observed_at"))
        .values("name", "day")
        .annotate(value=Avg("value"))
        .order_by("name", "day")
    )
    series: dict[str, list[tuple[date, float]]] = {}
    for row in rows:
        series.setdefault(row["name"], []).append((row["day"], row["value"]))
    for name, points in series.items():
        start = points[-1][0] - timedelta(days=CHART_DAYS - 1)
        series[name] = [point for point in points if point[0] >= start]
    return series


def metric_charts(version: ModelVersion) -> list[MetricChart]:
    result = []
    for name, points in daily_series(version).items():
        thresholds = retirement_thresholds(version.retirement_criteria, name)
        svg = charts.line_chart(name=name, points=points, thresholds=thresholds)
        result.append(
            MetricChart(name, svg, points[0][0], points[-1][0], points[-1][1], thresholds)
        )
    return result


def metric_summaries(version: ModelVersion) -> list[MetricSummary]:
    """Per metric name: the latest value, how many observations, their range (one query)."""
    latest = (
        MetricObservation.objects.filter(version=version, name=OuterRef("name"))
        .order_by("-observed_at", "-pk")
        .values("value")[:1]
    )
    rows = (
        MetricObservation.objects.filter(version=version)
        .values("name")
        .annotate(
            count=Count("pk"),
            low=Min("value"),
            high=Max("value"),
            latest_at=Max("observed_at"),
            latest=Subquery(latest),
        )
        .order_by("name")
    )
    return [
        MetricSummary(r["name"], r["latest"], r["latest_at"], r["count"], r["low"], r["high"])
        for r in rows
    ]
