"""The retirement rules, as pure functions of what the selectors loaded: what fires and why.

Nothing here reads the database. Boundaries (tested at both sides):
- max_age: fires when the days since the training date exceed the limit (with 90, a
  version trained 90 days ago does not fire, one trained 91 days ago does);
- metric_floor: the daily value (last observation of each UTC day) is strictly below the
  floor on N consecutive days ending at the latest observed day; a missing day breaks it;
- drift_ceiling: the latest drift_score is strictly above the ceiling (0.3 does not fire);
- replacement: a newer version of the same model serves the production environment.

Each Firing carries the reasons people read (with the observed values) and a key: the part
that, when it changes, makes an acknowledged alert speak again. Observed values that move
while the same condition holds (today's accuracy) change the reasons, not the key.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from governance import policies
from governance.models import AlertRule, ModelVersion, Stage
from governance.models.versions import default_retirement_criteria

DRIFT_METRIC = "drift_score"
RETIREMENT_RULES = (
    AlertRule.MAX_AGE,
    AlertRule.METRIC_FLOOR,
    AlertRule.DRIFT_CEILING,
    AlertRule.REPLACEMENT,
)


@dataclass(frozen=True)
class Floor:
    metric: str
    min: float
    days: int


@dataclass(frozen=True)
class Criteria:
    max_age_days: int | None
    floors: tuple[Floor, ...]
    drift_ceiling: float | None
    retire_on_replacement: bool


@dataclass(frozen=True)
class Firing:
    """A rule that fires on a version: reasons for people, key for the fingerprint."""

    rule: str
    reasons: list[dict]
    key: object


@dataclass(frozen=True)
class Newer:
    """A newer version of the same model serving an endpoint in production."""

    version_id: int
    version: str
    endpoint: str


def criteria_of(raw: dict | None) -> Criteria:
    """A version's retirement_criteria. An empty field means the defaults (settings
    TUTELA_DEFAULT_*, as default_retirement_criteria); in a filled one an absent or null
    rule does not apply (validate_retirement_criteria)."""
    values = raw or default_retirement_criteria()
    floors = tuple(
        Floor(floor["metric"], float(floor["min"]), int(floor["days"]))
        for floor in values.get("metric_floors") or []
    )
    ceiling = values.get("drift_ceiling")
    return Criteria(
        max_age_days=values.get("max_age_days"),
        floors=floors,
        drift_ceiling=None if ceiling is None else float(ceiling),
        retire_on_replacement=bool(values.get("retire_on_replacement", False)),
    )


def max_age_firing(training_date: date | None, limit: int | None, today: date) -> Firing | None:
    if training_date is None or limit is None or (today - training_date).days <= limit:
        return None
    since = training_date + timedelta(days=limit + 1)
    reason = {
        "message": f"Trained on {training_date}; over the {limit}-day age limit since {since}.",
        "training_date": training_date.isoformat(),
        "max_age_days": limit,
        "over_limit_since": since.isoformat(),
    }
    return Firing(AlertRule.MAX_AGE, [reason], [training_date.isoformat(), limit])


def _floor_run(floor: Floor, daily: Sequence[tuple[date, float]]) -> dict | None:
    run = list(daily[-floor.days :])
    if len(run) < floor.days or (run[-1][0] - run[0][0]).days != floor.days - 1:
        return None  # too few days, or a missing day inside the last N
    if not all(value < floor.min for _, value in run):
        return None
    first, last = run[0][0], run[-1][0]
    return {
        "message": (
            f"{floor.metric} below {floor.min:g} on {floor.days} consecutive days "
            f"({first} to {last}); latest {run[-1][1]:g}."
        ),
        "metric": floor.metric,
        "min": floor.min,
        "days": floor.days,
        "from": first.isoformat(),
        "to": last.isoformat(),
        "values": [value for _, value in run],
    }


def metric_floor_firing(
    floors: Sequence[Floor], daily: dict[str, list[tuple[date, float]]]
) -> Firing | None:
    """daily: metric -> (UTC day, last value of the day), oldest first."""
    reasons = [
        reason
        for floor in floors
        if (reason := _floor_run(floor, daily.get(floor.metric, []))) is not None
    ]
    if not reasons:
        return None
    key = [[reason["metric"], reason["min"], reason["days"]] for reason in reasons]
    return Firing(AlertRule.METRIC_FLOOR, reasons, key)


def drift_firing(ceiling: float | None, latest: tuple[float, datetime] | None) -> Firing | None:
    if ceiling is None or latest is None or not latest[0] > ceiling:
        return None
    value, observed_at = latest
    reason = {
        "message": (
            f"{DRIFT_METRIC} {value:g} (observed {observed_at:%Y-%m-%d %H:%M} UTC) is above "
            f"the ceiling {ceiling:g}."
        ),
        "metric": DRIFT_METRIC,
        "ceiling": ceiling,
        "value": value,
        "observed_at": observed_at.isoformat(),
    }
    return Firing(AlertRule.DRIFT_CEILING, [reason], [ceiling])


def replacement_firing(enabled: bool, newer: Sequence[Newer]) -> Firing | None:
    if not enabled or not newer:
        return None
    reasons = [
        {
            "message": f"{item.version}, a newer version, serves {item.endpoint} in production.",
            "replacement": item.version,
            "replacement_id": item.version_id,
            "endpoint": item.endpoint,
        }
        for item in sorted(newer, key=lambda item: (item.version_id, item.endpoint))
    ]
    return Firing(AlertRule.REPLACEMENT, reasons, sorted({item.version_id for item in newer}))


def retirement_firings(
    criteria: Criteria,
    *,
    training_date: date | None,
    daily: dict[str, list[tuple[date, float]]],
    drift: tuple[float, datetime] | None,
    newer: Sequence[Newer],
    today: date,
) -> dict[str, Firing | None]:
    """Every retirement rule of a production version: rule -> Firing, or None if quiet."""
    return {
        AlertRule.MAX_AGE: max_age_firing(training_date, criteria.max_age_days, today),
        AlertRule.METRIC_FLOOR: metric_floor_firing(criteria.floors, daily),
        AlertRule.DRIFT_CEILING: drift_firing(criteria.drift_ceiling, drift),
        AlertRule.REPLACEMENT: replacement_firing(criteria.retire_on_replacement, newer),
    }


def review_overdue_firing(version: ModelVersion, now: datetime) -> Firing | None:
    """A production version past its next review date (policies.next_review_due)."""
    due = version.next_review_at
    if version.stage != Stage.PRODUCTION or due is None or due > now:
        return None
    last = version.last_reviewed_at
    reason = {
        "message": (
            f"Review due since {due:%Y-%m-%d} ({version.review_schedule} schedule; last "
            f"review {f'{last:%Y-%m-%d}' if last else 'never'})."
        ),
        "due": due.isoformat(),
        "last_reviewed_at": last.isoformat() if last else None,
        "review_schedule": version.review_schedule,
    }
    return Firing(AlertRule.REVIEW_OVERDUE, [reason], [reason["due"], reason["review_schedule"]])


def shadow_firing(version: ModelVersion, active: Sequence[tuple[str, str]]) -> Firing | None:
    """active: (endpoint, environment) of the version's active deployments, newest first.
    Those the version is not approved for (policies.is_approved_for) are shadow models."""
    reasons = [
        {
            "message": f"{version} ({version.stage}) serves {endpoint} in {environment} "
            "without approval for that environment.",
            "endpoint": endpoint,
            "environment": environment,
            "stage": version.stage,
        }
        for endpoint, environment in active
        if not policies.is_approved_for(version, environment)
    ]
    return Firing(AlertRule.SHADOW_DEPLOYMENT, reasons, reasons) if reasons else None
