"""System reads for the retirement engine: which ids each sweep handles (plain lists ordered
by id, no user scoping: the system works on everything), and the batch loaders that give
the services every fact a batch needs in a fixed number of queries, never one per version.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Max, OuterRef, Q, QuerySet, Subquery
from guardian.models import UserObjectPermission

from governance import policies
from governance.models import (
    OPEN_ALERT_STATUSES,
    AlertRule,
    Deployment,
    Environment,
    MetricObservation,
    ModelVersion,
    Notification,
    RegisteredModel,
    RetirementAlert,
    Role,
    Stage,
    Team,
)
from governance.retirement_rules import Newer

# What each sweep reads of a version and its model (every datetime costs a conversion).
VERSION_COLUMNS = ("model__name", "model__team_id", "model__owner_id", "version", "stage")
EVALUATION_COLUMNS = (
    *VERSION_COLUMNS,
    "model__auto_deprecate",
    "model__grace_period_days",
    "created_at",
    "training_date",
    "retirement_criteria",
)
GRACE_COLUMNS = (*VERSION_COLUMNS, "model__grace_period_days", "stage_changed_at")
REVIEW_COLUMNS = (*VERSION_COLUMNS, "review_schedule", "last_reviewed_at", "next_review_at")


def _versions(model_name: str | None) -> QuerySet[ModelVersion]:
    versions = ModelVersion.objects.order_by("pk")
    return versions.filter(model__name=model_name) if model_name else versions


def production_version_ids(*, model_name: str | None = None) -> list[int]:
    return list(_versions(model_name).filter(stage=Stage.PRODUCTION).values_list("pk", flat=True))


def grace_expired_version_ids(*, now: datetime, model_name: str | None = None) -> list[int]:
    """Deprecated versions whose grace period (the model's policy) has ended by now."""
    deprecated = _versions(model_name).filter(stage=Stage.DEPRECATED).select_related("model")
    rows = deprecated.only("stage", "stage_changed_at", "model__grace_period_days")
    return [version.pk for version in rows if policies.grace_period_ends(version) <= now]


def review_due_version_ids(*, now: datetime, model_name: str | None = None) -> list[int]:
    """Production versions whose next review is due by now, and the versions of open
    review_overdue alerts (reviewed since, or out of production: their alert resolves)."""
    due = _versions(model_name).filter(stage=Stage.PRODUCTION, next_review_at__lte=now)
    alerted = _versions(model_name).filter(
        alerts__rule=AlertRule.REVIEW_OVERDUE, alerts__status__in=OPEN_ALERT_STATUSES
    )
    return sorted(set(due.values_list("pk", flat=True)) | set(alerted.values_list("pk", flat=True)))


def active_deployment_ids(*, model_name: str | None = None) -> list[int]:
    """Active deployments, and the last deployment of each version with an open shadow
    alert (its deployments may all have ended: the check then resolves the alert)."""
    deployments = Deployment.objects.order_by()
    if model_name:
        deployments = deployments.filter(version__model__name=model_name)
    active = deployments.filter(active=True).values_list("pk", flat=True)
    alerted = deployments.filter(
        version__alerts__rule=AlertRule.SHADOW_DEPLOYMENT,
        version__alerts__status__in=OPEN_ALERT_STATUSES,
    )
    last = alerted.values("version_id").annotate(last=Max("pk")).values_list("last", flat=True)
    return sorted(set(active) | set(last))


# --- batch loaders ------------------------------------------------------------------


def versions_of(
    version_ids: list[int], columns: tuple[str, ...] = VERSION_COLUMNS, *, lock: bool = False
) -> list[ModelVersion]:
    """The versions with their model (one query), only the columns a sweep reads (an
    EVALUATION_, GRACE_ or REVIEW_COLUMNS); locked rows when lock."""
    versions = ModelVersion.objects.filter(pk__in=version_ids).select_related("model")
    if lock:
        versions = versions.select_for_update(of=("self",))
    return list(versions.only(*columns).order_by("pk"))


def open_alerts_of(
    version_ids: list[int], rules: tuple[str, ...], *, lock: bool = False
) -> dict[tuple[int, str], RetirementAlert]:
    """(version id, rule) -> its open (or acknowledged) alert; one query."""
    alerts = RetirementAlert.objects.filter(
        version_id__in=version_ids, rule__in=rules, status__in=OPEN_ALERT_STATUSES
    ).order_by()
    if lock:
        alerts = alerts.select_for_update()
    return {(alert.version_id, alert.rule): alert for alert in alerts}


def _utc_day(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"({column} AT TIME ZONE 'UTC')::date"
    return f"substr({column}, 1, 10)"  # SQLite keeps datetimes as UTC text, day first


def _window_start(latest: str, days: str) -> str:
    """The start of the UTC day (days - 1) days before the one of latest."""
    if connection.vendor == "postgresql":
        day = f"date_trunc('day', {latest} AT TIME ZONE 'UTC')"
        return f"({day} - ({days} - 1) * INTERVAL '1 day') AT TIME ZONE 'UTC'"
    return f"date({latest}, '-' || ({days} - 1) || ' days')"  # compared as text


def daily_values(
    version_ids: list[int], days_by_metric: dict[str, int]
) -> dict[int, dict[str, list[tuple[date, float]]]]:
    """version -> metric -> its daily values (the last observation of each UTC day) over
    the N days ending on the day of its latest observation, oldest first; N is
    days_by_metric[metric] (the most days a floor of the batch looks at), and a day
    without observations is missing from the list.

    One query: each (version, metric) finds its latest observation (one index seek), reads
    its last N days through the (version, name, observed_at) index, and a window keeps
    each day's last value; whatever the length of the history."""
    if not version_ids or not days_by_metric:
        return {}
    # Only placeholders and our own table and column names are formatted into the SQL.
    table, versions = MetricObservation._meta.db_table, ModelVersion._meta.db_table
    day = _utc_day("m.observed_at")
    metrics = " UNION ALL ".join(
        ["SELECT CAST(%s AS VARCHAR(100)) AS name, CAST(%s AS INTEGER) AS days"]
        * len(days_by_metric)
    )
    sql = f"""
        SELECT version_id, name, day, value FROM (
            SELECT m.version_id, m.name, {day} AS day, m.value,
                   ROW_NUMBER() OVER (
                       PARTITION BY m.version_id, m.name, {day}
                       ORDER BY m.observed_at DESC, m.id DESC
                   ) AS last_of_day
            FROM (
                SELECT v.id AS version_id, n.name, n.days, (
                    SELECT MAX(o.observed_at) FROM {table} o
                    WHERE o.version_id = v.id AND o.name = n.name
                ) AS latest
                FROM {versions} v CROSS JOIN ({metrics}) n
                WHERE v.id IN ({", ".join(["%s"] * len(version_ids))})
            ) l
            JOIN {table} m ON m.version_id = l.version_id AND m.name = l.name
                AND m.observed_at >= {_window_start("l.latest", "l.days")}
        ) daily WHERE last_of_day = 1 ORDER BY version_id, name, day
    """
    params = [*(x for item in days_by_metric.items() for x in item), *version_ids]
    found: dict[int, dict[str, list[tuple[date, float]]]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for version_id, name, day_value, value in cursor.fetchall():
            as_date = day_value if isinstance(day_value, date) else date.fromisoformat(day_value)
            found.setdefault(version_id, {}).setdefault(name, []).append((as_date, value))
    return found


def latest_values(version_ids: list[int], metric: str) -> dict[int, tuple[float, datetime]]:
    """version -> (value, observed_at) of its latest observation of metric; one query."""
    latest = (
        MetricObservation.objects.filter(version_id=OuterRef("pk"), name=metric)
        .order_by("-observed_at", "-pk")
        .values("pk")[:1]
    )
    ids = ModelVersion.objects.filter(pk__in=version_ids).annotate(latest=Subquery(latest))
    rows = MetricObservation.objects.filter(pk__in=ids.values("latest")).order_by()
    return {
        version_id: (value, at)
        for version_id, value, at in rows.values_list("version_id", "value", "observed_at")
    }


def newer_in_production(versions: list[ModelVersion]) -> dict[int, list[Newer]]:
    """version -> newer versions of its model (registered later) serving production; one
    query over the active production deployments of the batch's models."""
    model_ids = {version.model_id for version in versions}
    serving = Deployment.objects.filter(
        active=True, environment=Environment.PRODUCTION, version__model_id__in=model_ids
    ).order_by()
    columns = ("version__model_id", "version_id", "version__version", "version__created_at")
    by_model: dict[int, list[tuple]] = {}
    for model_id, *row in serving.values_list(*columns, "endpoint"):
        by_model.setdefault(model_id, []).append(row)
    found: dict[int, list[Newer]] = {}
    for version in versions:
        mine = (version.created_at, version.pk)
        found[version.pk] = [
            Newer(other_id, other_version, endpoint)
            for other_id, other_version, created_at, endpoint in by_model.get(version.model_id, [])
            if (created_at, other_id) > mine
        ]
    return found


def active_deployments_of(version_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    """version -> (endpoint, environment) of its active deployments, newest first."""
    deployments = Deployment.objects.filter(version_id__in=version_ids, active=True)
    rows = deployments.order_by("-reported_at", "-pk").values_list(
        "version_id", "endpoint", "environment"
    )
    found: dict[int, list[tuple[str, str]]] = {version_id: [] for version_id in version_ids}
    for version_id, endpoint, environment in rows:
        found[version_id].append((endpoint, environment))
    return found


def deployment_version_ids(deployment_ids: list[int]) -> list[int]:
    rows = Deployment.objects.filter(pk__in=deployment_ids).values_list("version_id", flat=True)
    return sorted(set(rows))


@dataclass(frozen=True)
class Recipient:
    user_id: int
    email: str


def alert_recipients(
    models: list[RegisteredModel], roles: frozenset[Role]
) -> dict[int, list[Recipient]]:
    """model id -> its owner and the active people holding one of roles on its team or on
    the model itself (their own object permissions, as governance.roles reads them; a
    global role is not a team's). Two queries, whatever the number of models."""
    users = get_user_model().objects.filter(is_active=True)
    team_type = ContentType.objects.get_for_model(Team)
    model_type = ContentType.objects.get_for_model(RegisteredModel)
    scopes = Q(content_type=team_type, object_pk__in=[str(m.team_id) for m in models]) | Q(
        content_type=model_type, object_pk__in=[str(m.pk) for m in models]
    )
    grants = UserObjectPermission.objects.filter(
        scopes,
        permission__codename__in=[role.permission_codename for role in roles],
        user__is_active=True,
    ).values_list("content_type_id", "object_pk", "user_id", "user__email")
    owners = users.filter(pk__in={m.owner_id for m in models}).values_list("pk", "email")
    by_scope: dict[tuple[int, str], set[Recipient]] = {}
    for type_id, object_pk, user_id, email in grants:
        by_scope.setdefault((type_id, object_pk), set()).add(Recipient(user_id, email))
    owner_of = {pk: Recipient(pk, email) for pk, email in owners}
    found = {}
    for model in models:
        # A new set: the team's must not collect one model's grantees for the next model.
        people = by_scope.get((team_type.pk, str(model.team_id)), set()) | by_scope.get(
            (model_type.pk, str(model.pk)), set()
        )
        if model.owner_id in owner_of:
            people = people | {owner_of[model.owner_id]}
        found[model.pk] = sorted(people, key=lambda person: person.user_id)
    return found


def reminded_alert_ids(alert_ids: list[int], day: date) -> set[int]:
    """The alerts that already sent their reminder on day (a notification keyed "...@day")."""
    sent = Notification.objects.filter(alert_id__in=alert_ids, key__endswith=f"@{day}")
    return set(sent.values_list("alert_id", flat=True))
