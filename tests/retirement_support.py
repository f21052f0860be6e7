"""Helpers shared by the retirement engine's tests: production versions of a given age,
daily observations, and what the engine sent."""

import datetime

from django.utils import timezone

from governance import policies
from governance.models import MetricObservation, ModelVersion, Notification, ReviewSchedule, Stage
from tests.factories import COMPLETE_CARD, ModelVersionFactory

DAY = datetime.timedelta(days=1)
QUIET_CRITERIA = {"max_age_days": 3650, "retire_on_replacement": False}


def days_ago(days: float, *, now: datetime.datetime | None = None) -> datetime.datetime:
    return (now or timezone.now()) - days * DAY


def production(model, *, trained_days_ago: int = 10, **fields) -> ModelVersion:  # noqa: ANN001
    """A production version trained that long ago, its review not yet due."""
    approved = days_ago(5)
    values = {
        **COMPLETE_CARD,
        "version": "2.4.1",
        "stage": Stage.PRODUCTION,
        "stage_changed_at": approved,
        "last_reviewed_at": approved,
        "next_review_at": policies.next_review_due(ReviewSchedule.QUARTERLY, approved),
        "training_date": timezone.now().date() - trained_days_ago * DAY,
        **fields,
    }
    return ModelVersionFactory(model=model, **values)


def observe_daily(
    version: ModelVersion, name: str, values: list[float], *, last_day_ago: int = 0
) -> None:
    """One observation per UTC day at noon, the last one last_day_ago days ago."""
    today = timezone.now().astimezone(datetime.UTC).replace(hour=12, minute=0, second=0)
    first = today - (last_day_ago + len(values) - 1) * DAY
    MetricObservation.objects.bulk_create(
        MetricObservation(version=version, name=name, value=value, observed_at=first + n * DAY)
        for n, value in enumerate(values)
    )


def observe(version: ModelVersion, name: str, value: float, at: datetime.datetime) -> None:
    MetricObservation.objects.create(version=version, name=name, value=value, observed_at=at)


def notified(version: ModelVersion | None = None) -> list[tuple[str, str]]:
    """(recipient, alert rule) of every notification, in recipient order."""
    rows = Notification.objects.order_by("recipient__username", "pk")
    if version is not None:
        rows = rows.filter(alert__version=version)
    return list(rows.values_list("recipient__username", "alert__rule"))


def actions(findings: list) -> list[tuple[str, str]]:
    """(rule, action) of the findings that fired or changed something."""
    return [(f.rule, f.action) for f in findings if f.fired or f.action != "unchanged"]
