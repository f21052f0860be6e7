"""Reads of the model page and the version page (issue 3), built on the visibility selectors.

Each function answers from a fixed number of queries whatever the number of versions,
deployments, observations or events, so the pages stay within their query budget.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import F, Q, Window
from django.db.models.functions import Lag
from django.utils import timezone

from governance import policies
from governance.models import (
    OPEN_ALERT_STATUSES,
    ApprovalRequest,
    Deployment,
    ModelVersion,
    RegisteredModel,
    RetirementAlert,
    Stage,
)
from governance.selectors import User, model_get_for, version_get_for, versions_visible_to
from governance.selectors.history import PageWindow, audit_events_page, version_history
from governance.selectors.metrics import MetricChart, MetricSummary, metric_charts, metric_summaries

RECENT_DAYS = 30  # ended deployments listed on the model page
ENDED_SHOWN = 10
DEPLOYMENT_ROWS = 300  # a cap for one page's worth of deployment rows
TIMELINE_SHOWN = 20


@dataclass(frozen=True)
class StageStep:
    """A version entered a stage at a time (from its simple-history records)."""

    version: ModelVersion
    stage: str
    at: datetime


@dataclass(frozen=True)
class AsOf:
    """What was in production at the end of a day, and the endpoints that served it then."""

    day: date
    version: ModelVersion | None
    deployments: list[Deployment]


@dataclass(frozen=True)
class Reason:
    message: str
    details: list[tuple[str, object]]


@dataclass(frozen=True)
class ModelPage:
    model: RegisteredModel
    versions: list[ModelVersion]  # newest first, each with .steps (oldest first)
    timeline: list[StageStep]  # newest first, the last TIMELINE_SHOWN
    current: ModelVersion | None  # the production version, else the newest
    deployments: list[Deployment]  # active, each with .shadow
    ended_deployments: list[Deployment]
    charts: list[MetricChart]
    alerts: list[RetirementAlert]  # open and acknowledged, each with .reason_list
    as_of: AsOf | None
    audit: PageWindow  # the model's audit events, 25 a page

    @property
    def current_is_production(self) -> bool:
        return self.current is not None and self.current.stage == Stage.PRODUCTION


@dataclass(frozen=True)
class VersionPage:
    version: ModelVersion
    requests: list[ApprovalRequest]
    deployments: list[Deployment]
    metrics: list[MetricSummary]
    history: PageWindow


def end_of_day(day: date) -> datetime:
    """The first instant after the day, in the site's time zone."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


# --- the model page -----------------------------------------------------------------


def model_page_for(
    *, user: User, name: str, as_of: date | None = None, audit_page: int = 1
) -> ModelPage:
    """Everything the model page shows but its field changes (loaded apart: they read three
    history tables), in six queries; rendering the card adds its approval's one or two."""
    model, versions = _model_with_versions(user, name)
    steps = _stage_steps(model, versions)
    current = next((v for v in versions if v.stage == Stage.PRODUCTION), None)
    current = current or (versions[0] if versions else None)
    moment = end_of_day(as_of) if as_of else None
    then = production_at(steps, moment) if moment else None
    active, ended, served = _deployments(model, versions, then, moment)
    return ModelPage(
        model=model,
        versions=versions,
        timeline=steps[::-1][:TIMELINE_SHOWN],
        current=current,
        deployments=active,
        ended_deployments=ended,
        charts=metric_charts(current) if current else [],
        alerts=_open_alerts(model, versions),
        as_of=AsOf(as_of, then, served) if as_of else None,
        audit=audit_events_page(user, model, audit_page),
    )


def _model_with_versions(user: User, name: str) -> tuple[RegisteredModel, list[ModelVersion]]:
    """The model comes with its versions in one query; alone (or 404) when it has none."""
    versions = list(
        versions_visible_to(user)
        .filter(model__name=name)
        .select_related("model__team", "model__owner", "created_by")
        .order_by("-created_at", "-pk")
    )
    if not versions:
        return model_get_for(user=user, name=name), []
    model = versions[0].model
    for version in versions:
        version.model = model  # one shared instance: str(version) and cards need no query
    return model, versions


def _stage_steps(model: RegisteredModel, versions: list[ModelVersion]) -> list[StageStep]:
    """Every stage entry of every version, oldest first, in one query: the history rows
    whose stage differs from the row before them (LAG over each version's rows)."""
    history = ModelVersion.history.model
    previous = Window(Lag("stage"), partition_by=[F("id")], order_by=[F("history_id").asc()])
    rows = (
        history.objects.filter(model_id=model.pk)
        .annotate(previous_stage=previous)
        .filter(Q(previous_stage__isnull=True) | ~Q(previous_stage=F("stage")))
        .order_by("history_date", "history_id")
        .values_list("id", "stage", "history_date")
    )
    by_id = {version.pk: version for version in versions}
    steps = [StageStep(by_id[pk], stage, at) for pk, stage, at in rows if pk in by_id]
    for version in versions:
        version.steps = []
    for step in steps:
        step.version.steps.append(step)
    return steps


def production_at(steps: list[StageStep], moment: datetime) -> ModelVersion | None:
    """The version whose last stage entry before the moment was production."""
    last_entry: dict[int, StageStep] = {}
    for step in steps:  # oldest first
        if step.at >= moment:
            break
        last_entry[step.version.pk] = step
    return next((s.version for s in last_entry.values() if s.stage == Stage.PRODUCTION), None)


def _deployments(
    model: RegisteredModel,
    versions: list[ModelVersion],
    then: ModelVersion | None,
    moment: datetime | None,
) -> tuple[list[Deployment], list[Deployment], list[Deployment]]:
    """Active, recently ended, and (for the as-of answer) those serving `then` at the
    moment: one query for the three lists, split here."""
    now = timezone.now()
    recent = now - timedelta(days=RECENT_DAYS)
    shown = Q(active=True) | Q(ended_at__gte=recent)
    if then is not None:
        serving = Q(ended_at__isnull=True) | Q(ended_at__gte=moment)
        shown |= Q(version=then, reported_at__lt=moment) & serving
    rows = list(
        Deployment.objects.filter(version__model=model)
        .filter(shown)
        .select_related("reported_by")
        .order_by("-reported_at", "-pk")[:DEPLOYMENT_ROWS]
    )
    by_id = {version.pk: version for version in versions}
    for row in rows:
        row.version = by_id[row.version_id]
        row.shadow = row.active and not policies.is_approved_for(row.version, row.environment)
    active = [row for row in rows if row.active]
    ended = [r for r in rows if not r.active and r.ended_at and r.ended_at >= recent][:ENDED_SHOWN]
    served = [
        row
        for row in rows
        if then is not None
        and row.version_id == then.pk
        and row.reported_at < moment
        and (row.ended_at is None or row.ended_at >= moment)
    ]
    return active, ended, served


def _open_alerts(model: RegisteredModel, versions: list[ModelVersion]) -> list[RetirementAlert]:
    alerts = list(
        RetirementAlert.objects.filter(version__model=model, status__in=OPEN_ALERT_STATUSES)
        .select_related("acknowledged_by")
        .order_by("-opened_at", "-pk")
    )
    by_id = {version.pk: version for version in versions}
    for alert in alerts:
        alert.version = by_id[alert.version_id]
        alert.reason_list = readable_reasons(alert.reasons)
    return alerts


def readable_reasons(reasons: object) -> list[Reason]:
    """Alert reasons are a list of {message, observed values...}; anything else is shown
    as it is rather than dropped."""
    items = reasons if isinstance(reasons, list) else [reasons]
    result = []
    for item in items:
        if isinstance(item, dict):
            details = [(key, value) for key, value in item.items() if key != "message"]
            result.append(Reason(str(item.get("message", "")), details))
        else:
            result.append(Reason(str(item), []))
    return result


# --- the version page ---------------------------------------------------------------


def version_page_for(*, user: User, name: str, version: str, history_page: int = 1) -> VersionPage:
    """Everything the version page shows but the card (rendered by the template), in five
    queries."""
    found = version_get_for(user=user, name=name, version=version)
    requests = list(
        ApprovalRequest.objects.filter(version=found)
        .select_related("requester")
        .order_by("-created_at", "-pk")
    )
    deployments = list(
        Deployment.objects.filter(version=found)
        .select_related("reported_by")
        .order_by("-active", "-reported_at", "-pk")[:DEPLOYMENT_ROWS]
    )
    for row in [*requests, *deployments]:
        row.version = found
    for row in deployments:
        row.shadow = row.active and not policies.is_approved_for(found, row.environment)
    return VersionPage(
        version=found,
        requests=requests,
        deployments=deployments,
        metrics=metric_summaries(found),
        history=version_history(found, history_page),
    )
