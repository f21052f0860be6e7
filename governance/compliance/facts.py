"""What the checks read, for any number of versions, in FACT_QUERIES queries: the versions
with their model and classification, then one UNION ALL of grouped facts per version
(live approving decisions, audit events by type, monitored metrics, deployments, alerts,
incidents, history rows) plus the regulatory dates. The checks are pure functions of the
VersionFacts built here; nothing else reads the database."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from functools import cached_property

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    DateTimeField,
    F,
    IntegerField,
    Max,
    Min,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from governance import retirement_rules
from governance.models import (
    ApprovalDecision,
    AuditEvent,
    Decision,
    Deployment,
    MetricObservation,
    ModelVersion,
    RegisteredModel,
    RegulatoryDate,
    RetirementAlert,
    RiskClassification,
    SeriousIncident,
    Stage,
)

FACT_QUERIES = 2
COLUMNS = ("kind", "vid", "k1", "k2", "n", "at", "day")
NO_DAY = Cast(Value(None), DateField())
NO_AT = Cast(Value(None), DateTimeField())
TEXT = CharField()
EMPTY = Value("", TEXT)


@dataclass(frozen=True, slots=True)
class Counted:
    count: int
    last: datetime | None


@dataclass(frozen=True, slots=True)
class Approval:
    """Live approving decisions of one role on one card (hash) for one target stage."""

    target: str
    role: str
    card_hash: str
    count: int
    last: datetime


@dataclass(frozen=True, slots=True)
class Incidents:
    """Incidents of one status; `late`: reported after their deadline."""

    status: str
    late: bool
    count: int
    earliest_deadline: date


@dataclass
class VersionFacts:
    """Everything the checks of one version read."""

    version: ModelVersion  # with .model and its classification loaded
    card_hash: str
    today: date
    now: datetime
    tz: tzinfo  # the site's time zone, read once per load: dates are shown in it
    approvals: list[Approval] = field(default_factory=list)
    audit: dict[str, Counted] = field(default_factory=dict)  # event type ->
    metrics: dict[str, Counted] = field(default_factory=dict)  # metric name ->
    deployments: dict[tuple[str, bool], Counted] = field(default_factory=dict)  # (env, active)
    alerts: dict[tuple[str, str], int] = field(default_factory=dict)  # (rule, status) -> count
    incidents: list[Incidents] = field(default_factory=list)
    incidents_without_action: int = 0
    history_rows: int = 0
    high_risk_dates: dict[str, date] = field(default_factory=dict)  # "I"/"III" -> applies from

    @property
    def model(self) -> RegisteredModel:
        return self.version.model

    @property
    def classification(self) -> RiskClassification | None:
        try:
            return self.version.model.classification
        except ObjectDoesNotExist:
            return None

    def day(self, moment: datetime | None) -> str:
        return "—" if moment is None else f"{moment.astimezone(self.tz):%Y-%m-%d}"

    @cached_property
    def criteria(self) -> retirement_rules.Criteria:
        """The retirement rules in force (an empty card field means the defaults)."""
        return retirement_rules.criteria_of(self.version.retirement_criteria)

    @cached_property
    def card_signoff(self) -> Approval | None:
        """The latest live approval given to the card as it is now, if any."""
        return max(self.approvals_of_card(), key=lambda a: a.last, default=None)

    def approvals_of_card(self, role: str | None = None) -> list[Approval]:
        """Live approvals given to the card as it is now (in one role, or any)."""
        return [
            a
            for a in self.approvals
            if a.card_hash == self.card_hash and (role is None or a.role == role)
        ]

    @property
    def in_service(self) -> bool:
        """In production, in its rollback window, or reported serving production: the
        post-market duties (monitoring data, reviews, alerts) apply from here on."""
        serving = any(env == Stage.PRODUCTION for env, _ in self.deployments)
        return self.version.stage in (Stage.PRODUCTION, Stage.DEPRECATED) or serving


def _branch(
    rows: QuerySet, kind: object, vid: str, k1: object, k2: object, at: object, day: object
) -> QuerySet:
    """One grouped SELECT of the union, its columns in COLUMNS order."""
    keys = {"vid": F(vid), "k1": k1, "k2": k2}
    grouped = (
        rows.order_by()
        .values(**keys)
        .annotate(
            kind=kind if not isinstance(kind, str) else Value(kind, TEXT),
            n=Count("*"),
            at=at,
            day=day,
        )
    )
    return grouped.values_list(*COLUMNS)


def _branches(ids: QuerySet) -> list[QuerySet]:
    """Per version: live approving decisions by (target stage, role, card hash), audit
    events by type, observations by metric, deployments by (environment, active), alerts
    by (rule, status), incidents by (status, reported late) with the earliest deadline,
    incidents without a corrective action, history rows."""
    decisions = ApprovalDecision.objects.filter(
        request__version_id__in=ids, decision=Decision.APPROVED, superseded_at__isnull=True
    )
    approval = Concat(Value("approval:"), F("request__target_stage"), output_field=TEXT)
    late = Case(When(reported_at__gt=F("report_deadline"), then=Value("late")), default=EMPTY)
    active = Case(When(active=True, then=Value("active")), default=Value("ended"))
    incidents = SeriousIncident.objects.filter(version_id__in=ids)
    history = ModelVersion.history.filter(id__in=ids)
    specs = (
        # rows, kind, version column, k1, k2, at, day
        (decisions, approval, "request__version_id", F("role"), F("card_hash"),
         Max("created_at"), NO_DAY),
        (AuditEvent.objects.filter(version_id__in=ids), "audit", "version_id",
         F("event_type"), EMPTY, Max("created_at"), NO_DAY),
        (MetricObservation.objects.filter(version_id__in=ids), "metric", "version_id",
         F("name"), EMPTY, Max("observed_at"), NO_DAY),
        (Deployment.objects.filter(version_id__in=ids), "deployment", "version_id",
         F("environment"), active, Max("reported_at"), NO_DAY),
        (RetirementAlert.objects.filter(version_id__in=ids), "alert", "version_id",
         F("rule"), F("status"), Max("opened_at"), NO_DAY),
        (incidents, "incident", "version_id", F("status"), late, NO_AT, Min("report_deadline")),
        (incidents.filter(corrective_action=""), "incident_no_action", "version_id",
         EMPTY, EMPTY, NO_AT, NO_DAY),
        (history, "history", "id", EMPTY, EMPTY, Max("history_date"), NO_DAY),
    )  # fmt: skip
    return [_branch(*spec) for spec in specs]


def _dates() -> QuerySet:
    """The regulatory dates table, in the union's columns (version 0)."""
    rows = RegulatoryDate.objects.order_by().annotate(
        kind=Value("dates", TEXT),
        vid=Value(0, IntegerField()),
        k1=F("articles"),
        k2=EMPTY,
        n=Value(0, IntegerField()),
        at=NO_AT,
        day=F("applies_from"),
    )
    return rows.values_list(*COLUMNS)


def _union(ids: QuerySet) -> QuerySet:
    """Every grouped fact of these versions and the regulatory dates: one query."""
    first, *rest = _branches(ids)
    return first.union(*rest, _dates(), all=True)


def _high_risk_dates(articles: str, day: date, found: dict[str, date]) -> None:
    """The rows of the regulatory dates table that start the high-risk duties: the one
    naming Annex III, and the one naming Annex I (but not Annex III)."""
    if "Annex III" in articles:
        found["III"] = min(day, found.get("III", day))
    elif "Annex I" in articles.replace("Annex II", ""):
        found["I"] = min(day, found.get("I", day))


def _add(
    facts: VersionFacts,
    kind: str,
    k1: str,
    k2: str,
    n: int,
    at: datetime | None,
    day: date | None,
) -> None:
    if kind.startswith("approval:"):
        facts.approvals.append(Approval(kind.removeprefix("approval:"), k1, k2, n, at))
    elif kind == "audit":
        facts.audit[k1] = Counted(n, at)
    elif kind == "metric":
        facts.metrics[k1] = Counted(n, at)
    elif kind == "deployment":
        facts.deployments[(k1, k2 == "active")] = Counted(n, at)
    elif kind == "alert":
        facts.alerts[(k1, k2)] = n
    elif kind == "incident":
        facts.incidents.append(Incidents(k1, k2 == "late", n, day))
    elif kind == "incident_no_action":
        facts.incidents_without_action = n
    elif kind == "history":
        facts.history_rows = n


def load_facts(versions: QuerySet[ModelVersion]) -> list[VersionFacts]:
    """The facts of these versions (any filtered queryset; its order is kept)."""
    ids = versions.order_by().values("pk")
    rows = list(versions.select_related("model__classification__confirmed_by"))
    now, tz = timezone.now(), timezone.get_current_timezone()
    today = timezone.localdate(now, tz)
    facts = {v.pk: VersionFacts(v, v.card_hash(), today, now, tz) for v in rows}
    dates: dict[str, date] = {}
    by_version: dict[int, list[tuple]] = defaultdict(list)
    for kind, vid, k1, k2, n, at, day in _union(ids):
        if kind == "dates":
            _high_risk_dates(k1, day, dates)
        else:
            by_version[vid].append((kind, k1, k2, n, at, day))
    for pk, found in facts.items():
        found.high_risk_dates = dates
        for row in by_version.get(pk, ()):
            _add(found, *row)
    return list(facts.values())
