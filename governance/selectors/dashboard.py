"""The dashboard's reads: one query per block whatever the number of models, each block
limited to its first rows with the total carried on them (a window count)."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, OuterRef, QuerySet, Subquery, Value, Window
from django.utils import timezone

from governance import policies
from governance.models import (
    OPEN_ALERT_STATUSES,
    OPEN_APPROVAL_STATUSES,
    ApprovalDecision,
    AuditEvent,
    ModelVersion,
    Notification,
    RiskLevel,
    Stage,
)
from governance.selectors import (
    User,
    alerts_visible_to,
    audit_events_visible_to,
    deployments_visible_to,
    models_visible_to,
    requests_visible_to,
    versions_visible_to,
    visibility,
)
from governance.selectors.incidents import IncidentDeadlines, incident_deadlines_for
from governance.selectors.reviews import awaiting_decision_for

BLOCK_LIMIT = 20
REQUEST_LIMIT = 10  # the review queue lists them all
EVENT_LIMIT = 20


@dataclass(frozen=True)
class Listing:
    """The first rows of a block and how many rows the block has in all."""

    rows: list
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.rows)


@dataclass(frozen=True)
class OverdueReview:
    """A production version past its review date (policies.next_review_due)."""

    version: ModelVersion
    last_review: datetime
    due: datetime
    days_overdue: int


@dataclass(frozen=True)
class Dashboard:
    """Every block of the dashboard, each limited to what the person may see."""

    stage_counts: list[tuple[str, int]]
    risk_counts: list[tuple[str, int]]
    awaiting: Listing
    request_scope: str  # "all" (global role or read access), "teams" (my teams), or "none"
    my_requests: Listing
    open_requests: Listing
    alerts: Listing
    shadows: Listing
    overdue: Listing
    events: list[AuditEvent]
    notifications: Listing  # the person's unread ones
    incidents: IncidentDeadlines  # open serious incidents overdue or due soon (Art. 73)


def _listing(queryset: QuerySet, limit: int = BLOCK_LIMIT) -> Listing:
    # COUNT(*) OVER () is computed before LIMIT, so every row carries the block's total.
    rows = list(queryset.annotate(block_total=Window(Count("pk")))[:limit])
    return Listing(rows, rows[0].block_total if rows else 0)


def _grouped(queryset: QuerySet, kind: str, column: str) -> QuerySet:
    # COUNT(*): COUNT(id) makes PostgreSQL read the column of every (wide) row.
    rows = queryset.order_by().values(column).annotate(kind=Value(kind), n=Count("*"))
    return rows.values_list("kind", column, "n")


@dataclass(frozen=True)
class Counts:
    stages: list[tuple[str, int]]
    risks: list[tuple[str, int]]
    overdue: int


def _overdue_versions(user: User, now: datetime) -> QuerySet:
    return versions_visible_to(user).filter(stage=Stage.PRODUCTION, next_review_at__lt=now)


def _counts(user: User, now: datetime) -> Counts:
    """Versions by stage, models by risk level and the number of overdue reviews: three
    GROUP BYs in one UNION ALL query."""
    stages = _grouped(versions_visible_to(user), "stage", "stage")
    risks = _grouped(models_visible_to(user), "risk", "risk_level")
    overdue = _grouped(_overdue_versions(user, now), "overdue", "stage")
    found = {(kind, value): n for kind, value, n in stages.union(risks, overdue, all=True)}
    return Counts(
        [(stage, found.get(("stage", stage), 0)) for stage in Stage],
        [(risk, found.get(("risk", risk), 0)) for risk in RiskLevel],
        found.get(("overdue", Stage.PRODUCTION), 0),
    )


def _open_requests(user: User) -> Listing:
    requests = requests_visible_to(user).filter(status__in=OPEN_APPROVAL_STATUSES)
    columns = ("target_stage", "status", "created_at", "version__version", "version__model__name")
    return _listing(
        requests.select_related("version__model", "requester")
        .only(*columns, "requester__username")
        .order_by("-created_at", "-pk"),
        limit=REQUEST_LIMIT,
    )


def _my_requests(user: User) -> Listing:
    """The person's own requests, newest first, each with its latest live decision (who,
    role, approved or rejected, notes) annotated in the same query."""
    latest = ApprovalDecision.objects.filter(
        request=OuterRef("pk"), superseded_at__isnull=True
    ).order_by("-created_at", "-pk")
    requests = (
        requests_visible_to(user)
        .filter(requester_id=user.pk)
        .select_related("version__model")
        .only("target_stage", "status", "created_at", "version__version", "version__model__name")
        .annotate(
            last_decider=Subquery(latest.values("approver__username")[:1]),
            last_role=Subquery(latest.values("role")[:1]),
            last_decision=Subquery(latest.values("decision")[:1]),
            last_notes=Subquery(latest.values("notes")[:1]),
        )
        .order_by("-created_at", "-pk")
    )
    return _listing(requests, limit=REQUEST_LIMIT)


def _alerts(user: User) -> Listing:
    alerts = alerts_visible_to(user).filter(status__in=OPEN_ALERT_STATUSES)
    columns = ("rule", "reasons", "status", "opened_at", "version__version", "version__model__name")
    return _listing(
        alerts.select_related("version__model").only(*columns).order_by("-opened_at", "-pk")
    )


def _shadows(user: User) -> Listing:
    deployments = deployments_visible_to(user).filter(policies.shadow_deployments_filter())
    columns = ("endpoint", "environment", "reported_at", "version__version", "version__stage")
    return _listing(
        deployments.select_related("version__model")
        .only(*columns, "version__model__name")
        .order_by("-reported_at", "-pk")
    )


def _overdue(user: User, now: datetime, total: int) -> Listing:
    """Production versions past their next review (policies.next_review_due, kept on the
    version by the services): a range scan of the (stage, next_review_at) index. The total
    comes with the page's counts."""
    versions = (
        _overdue_versions(user, now)
        .select_related("model")
        .only("version", "review_schedule", "last_reviewed_at", "next_review_at", "model__name")
        .order_by("next_review_at", "pk")
    )
    rows = [
        OverdueReview(v, v.last_reviewed_at, v.next_review_at, (now - v.next_review_at).days)
        for v in versions[:BLOCK_LIMIT]
    ]
    return Listing(rows, total)


def _events(user: User) -> list[AuditEvent]:
    events = (
        audit_events_visible_to(user)
        .select_related("model")
        .only("sequence", "created_at", "event_type", "actor", "model__name")
        .order_by("-sequence")
    )
    return list(events[:EVENT_LIMIT])


def _notifications(user: User) -> Listing:
    """The person's unread notifications, newest first (the retirement engine's, one per
    alert and change)."""
    unread = Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True)
    columns = ("message", "link", "created_at", "incident")  # incident: which link text
    return _listing(unread.only(*columns).order_by("-created_at", "-pk"))


def _request_scope(user: User) -> str:
    scope = visibility(user)
    if scope.everything:
        return "all"
    return "teams" if scope.team_ids or scope.model_ids else "none"


def dashboard_for(*, user: User) -> Dashboard:
    """Everything the dashboard shows, limited to what the person may see."""
    now = timezone.now()
    counts = _counts(user, now)
    awaiting = awaiting_decision_for(user=user)
    return Dashboard(
        stage_counts=counts.stages,
        risk_counts=counts.risks,
        awaiting=Listing(awaiting[:REQUEST_LIMIT], len(awaiting)),
        request_scope=_request_scope(user),
        my_requests=_my_requests(user),
        open_requests=_open_requests(user),
        alerts=_alerts(user),
        shadows=_shadows(user),
        overdue=_overdue(user, now, counts.overdue),
        events=_events(user),
        notifications=_notifications(user),
        incidents=incident_deadlines_for(user=user, today=timezone.localdate(now)),
    )
