"""The inventory: visible models filtered, sorted and paginated, each with its production
version, that version's active endpoints and latest metrics, in a fixed number of queries
(count, page, production versions, endpoints, observations, and the production versions'
compliance checklists) whatever the number of models."""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import OrderBy
from django.utils import timezone
from django.utils.functional import cached_property

from governance import policies
from governance.compliance import Checklist
from governance.models import (
    OPEN_ALERT_STATUSES,
    Deployment,
    MetricObservation,
    ModelVersion,
    RegisteredModel,
    RetirementAlert,
    Stage,
    Team,
)
from governance.selectors import User, models_visible_to
from governance.selectors.compliance import compliance_of_versions, production_compliance

PER_PAGE = 50
DEFAULT_SORT = "name"
RISK_RANK = Case(
    *(When(risk_level=risk, then=Value(rank)) for rank, risk in enumerate(policies.RISK_ORDER)),
    output_field=IntegerField(),
)
# Sort key -> (column, whether a growing key means a shrinking column): age since
# training grows as the training date goes back.
SORTS = {
    "name": ("name", False),
    "team": ("team__name", False),
    "risk": (RISK_RANK, False),
    "production": ("production__version", False),
    "age": ("production__training_date", True),
}
PRODUCTION_SORTS = {"production", "age"}


@dataclass(frozen=True)
class InventoryFilters:
    """Parsed, valid filters; the view drops what it cannot parse."""

    team: str = ""
    stage: str = ""
    risk: str = ""
    open_alerts: bool = False
    q: str = ""
    sort: str = DEFAULT_SORT
    compliance: str = ""  # the production version's checklist status (governance.compliance)


@dataclass(frozen=True)
class MetricValue:
    name: str
    value: float
    observed_at: datetime | None  # None: no observation yet, the value is the card's

    @property
    def from_card(self) -> bool:
        return self.observed_at is None


@dataclass
class InventoryRow:
    model: RegisteredModel
    production_version: str | None
    age_days: int | None
    endpoints: list[tuple[str, str]] = field(default_factory=list)  # (environment, endpoint)
    metrics: list[MetricValue] = field(default_factory=list)
    compliance: Checklist | None = None  # of the production version


def teams_visible_to(user: User) -> QuerySet[Team]:
    """Teams that own at least one model the person may see (the team filter's choices)."""
    return Team.objects.filter(Exists(models_visible_to(user).filter(team=OuterRef("pk"))))


def sort_key(sort: str) -> tuple[str, bool]:
    """(key, descending) of a ?sort= value such as "risk" or "-age"; unknown -> by name."""
    key, descending = sort.removeprefix("-"), sort.startswith("-")
    return (key, descending) if key in SORTS else (DEFAULT_SORT, False)


def _ordering(sort: str) -> list[OrderBy | str]:
    key, descending = sort_key(sort)
    column, inverted = SORTS[key]
    expression = F(column) if isinstance(column, str) else column
    # Models without a production version sort last either way; the unique name breaks
    # ties, so no model appears on two pages.
    if descending != inverted:
        return [expression.desc(nulls_last=True), "name"]
    return [expression.asc(nulls_last=True), "name"]


def _filtered(user: User, filters: InventoryFilters) -> QuerySet[RegisteredModel]:
    models = models_visible_to(user)
    if filters.team:
        models = models.filter(team__slug=filters.team)
    if filters.stage:
        in_stage = ModelVersion.objects.filter(model=OuterRef("pk"), stage=filters.stage)
        models = models.filter(Exists(in_stage))
    if filters.risk:
        models = models.filter(risk_level=filters.risk)
    if filters.open_alerts:
        alerts = RetirementAlert.objects.filter(
            version__model=OuterRef("pk"), status__in=OPEN_ALERT_STATUSES
        )
        models = models.filter(Exists(alerts))
    if filters.q:
        models = models.filter(name__icontains=filters.q)
    return models


def _sorted(models: QuerySet[RegisteredModel], sort: str) -> QuerySet[RegisteredModel]:
    if sort_key(sort)[0] in PRODUCTION_SORTS:
        # Only these orders need every filtered model's production version: one LEFT JOIN
        # (at most one production version per model, a database constraint).
        production = FilteredRelation("versions", condition=Q(versions__stage=Stage.PRODUCTION))
        models = models.annotate(production=production)
    return models.order_by(*_ordering(sort))


def _production_versions(model_ids: list[int]) -> dict[int, ModelVersion]:
    """The page's production versions, by model: the rest of the card stays unread."""
    versions = ModelVersion.objects.filter(model_id__in=model_ids, stage=Stage.PRODUCTION)
    columns = ("model_id", "version", "training_date", "evaluation_metrics")
    return {version.model_id: version for version in versions.order_by().only(*columns)}


def _endpoints(version_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    rows = Deployment.objects.filter(version_id__in=version_ids, active=True).order_by(
        "environment", "endpoint"
    )
    found: dict[int, list[tuple[str, str]]] = {}
    for version_id, environment, endpoint in rows.values_list(
        "version_id", "environment", "endpoint"
    ):
        found.setdefault(version_id, []).append((environment, endpoint))
    return found


def _latest_metrics(version_ids: list[int]) -> dict[int, dict[str, MetricValue]]:
    """The newest observation per (version, metric name), in one query. Each row is kept
    when its time is its series' newest, which the (version, name, observed_at) index
    answers directly: cheaper than numbering every row with a window function."""
    newest = MetricObservation.objects.filter(
        version_id=OuterRef("version_id"), name=OuterRef("name")
    ).order_by("-observed_at")
    rows = (
        MetricObservation.objects.filter(
            version_id__in=version_ids, observed_at=Subquery(newest.values("observed_at")[:1])
        )
        .order_by("version_id", "name", "pk")
        .values_list("version_id", "name", "value", "observed_at")
    )
    found: dict[int, dict[str, MetricValue]] = {}
    for version_id, name, value, observed_at in rows:  # on a tie, the last recorded wins
        found.setdefault(version_id, {})[name] = MetricValue(name, value, observed_at)
    return found


def _metrics(card: dict | None, observed: dict[str, MetricValue]) -> list[MetricValue]:
    """Each metric by name (jsonb keeps no key order): the latest observation, else the
    card's evaluation value; metrics only monitors report are included."""
    values = {name: MetricValue(name, value, None) for name, value in (card or {}).items()}
    values |= observed
    return [values[name] for name in sorted(values)]


def _age_days(training_date: date | None, today: date) -> int | None:
    return None if training_date is None else (today - training_date).days


class _Paginator(Paginator):
    """Counts the filtered models without the production-version join (which Django keeps
    in COUNT queries although no column of it is needed)."""

    def __init__(self, object_list: QuerySet, per_page: int, *, counted: QuerySet) -> None:
        super().__init__(object_list, per_page)
        self._counted = counted

    @cached_property
    def count(self) -> int:
        return self._counted.count()


def _row(
    model: RegisteredModel,
    live: ModelVersion | None,
    endpoints: dict[int, list[tuple[str, str]]],
    latest: dict[int, dict[str, MetricValue]],
    compliance: dict[int, Checklist],
) -> InventoryRow:
    if live is None:
        return InventoryRow(model=model, production_version=None, age_days=None)
    return InventoryRow(
        model=model,
        production_version=live.version,
        age_days=_age_days(live.training_date, timezone.localdate()),
        endpoints=endpoints.get(live.pk, []),
        metrics=_metrics(live.evaluation_metrics, latest.get(live.pk, {})),
        compliance=compliance.get(model.pk),
    )


def _by_compliance(
    models: QuerySet[RegisteredModel], status: str
) -> tuple[QuerySet[RegisteredModel], dict[int, Checklist]]:
    """The models whose production version's checklist has this status: the statuses are
    computed (never stored), for every filtered model at once, then kept for the rows."""
    found = production_compliance(models)
    matching = [model_id for model_id, checklist in found.items() if checklist.status == status]
    return models.filter(pk__in=matching), found


def inventory_page_for(*, user: User, filters: InventoryFilters, page: str | None) -> Page:
    """A page of rows (Paginator.get_page: a bad or too large page number gives a valid
    page); page.object_list holds InventoryRow objects."""
    models, compliance = _filtered(user, filters), None
    if filters.compliance:
        models, compliance = _by_compliance(models, filters.compliance)
    listed = models.select_related("team").only("name", "risk_level", "team__name")
    paginator = _Paginator(_sorted(listed, filters.sort), PER_PAGE, counted=models)
    current = paginator.get_page(page)
    page_models = list(current.object_list)
    live = _production_versions([model.pk for model in page_models]) if page_models else {}
    ids = [version.pk for version in live.values()]
    endpoints = _endpoints(ids) if ids else {}
    latest = _latest_metrics(ids) if ids else {}
    if compliance is None:
        compliance = compliance_of_versions(ids)
    current.object_list = [
        _row(model, live.get(model.pk), endpoints, latest, compliance) for model in page_models
    ]
    return current
