"""Approval requests as the review pages and the dashboard read them."""

from dataclasses import dataclass
from datetime import datetime

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, QuerySet, prefetch_related_objects

from governance import diffs, policies
from governance.cards import CARD_FIELDS, card_hash
from governance.models import (
    ALL_DECISIONS,
    OPEN_APPROVAL_STATUSES,
    ApprovalDecision,
    ApprovalRequest,
    ApprovalStatus,
    AuditEvent,
    AuditEventType,
    Deployment,
    ModelVersion,
    Stage,
)
from governance.roles import role_map
from governance.selectors import User, request_get_for, requests_visible_to

LIVE_DECISIONS = Prefetch(
    "decisions",
    queryset=ApprovalDecision.objects.filter(superseded_at__isnull=True).select_related("approver"),
)
PAGE_SIZE = 50
DEPLOYMENTS_SHOWN = 50
# The queue's status filter: "open" is both open statuses; unknown values mean no filter.
STATUS_FILTERS: dict[str, tuple[str, ...]] = {
    "open": tuple(OPEN_APPROVAL_STATUSES),
    **{status: (status,) for status in ApprovalStatus.values},
}
STATUS_CHOICES = [("", "All"), ("open", "Open (pending or in review)"), *ApprovalStatus.choices]
# The request's own effects: stage changes it caused (promotion, replacement, revocation).
STAGE_EVENTS = (
    AuditEventType.STAGE_CHANGED,
    AuditEventType.DEPRECATED,
    AuditEventType.ROLLED_BACK,
)
CLOSED_WITH_EFFECT = (ApprovalStatus.APPROVED, ApprovalStatus.REVOKED)


def requests_list_for(*, user: User, statuses: tuple[str, ...] | None = None) -> QuerySet:
    """Visible requests with what a list row shows, newest first."""
    requests = requests_visible_to(user)
    if statuses:
        requests = requests.filter(status__in=statuses)
    return (
        requests.select_related("version__model__team", "requester")
        # A list row shows no card: skip decoding a dozen JSON card fields per row.
        .defer(*(f"version__{field}" for field in CARD_FIELDS))
        .prefetch_related(LIVE_DECISIONS)
        .order_by("-created_at", "-pk")  # pk: a stable order across pages
    )


def awaiting_decision_for(*, user: User) -> list[ApprovalRequest]:
    """Open requests where the person holds a missing required role and did not ask."""
    roles = role_map(user)
    open_requests = requests_list_for(user=user, statuses=OPEN_APPROVAL_STATUSES)
    return [
        request
        for request in open_requests
        if policies.awaits_decision_from(user, roles.on_model(request.version.model), request)
    ]


# --- the queue ------------------------------------------------------------------------


@dataclass(frozen=True)
class RoleSlot:
    """A required role of a request and its live decision, if someone gave it."""

    role: str
    decision: ApprovalDecision | None


@dataclass(frozen=True)
class QueueRow:
    request: ApprovalRequest
    slots: list[RoleSlot]


@dataclass(frozen=True)
class ReviewQueue:
    awaiting: list[QueueRow]
    rows: list[QueueRow]
    page: Page
    status: str
    status_choices: list[tuple[str, str]]


def role_slots(request: ApprovalRequest) -> list[RoleSlot]:
    """Required roles in the request's order with their live decisions (prefetched)."""
    live = {d.role: d for d in request.decisions.all() if d.superseded_at is None}
    return [RoleSlot(role, live.get(role)) for role in request.required_roles]


def _rows(requests: list[ApprovalRequest]) -> list[QueueRow]:
    return [QueueRow(request, role_slots(request)) for request in requests]


def awaiting_rows_for(*, user: User) -> list[QueueRow]:
    return _rows(awaiting_decision_for(user=user))


def review_queue_for(*, user: User, status: str = "", page: str | None = None) -> ReviewQueue:
    """What awaits the person's decision, then every visible request (one page of them)."""
    status = status if status in STATUS_FILTERS else ""
    requests = requests_list_for(user=user, statuses=STATUS_FILTERS.get(status))
    current = Paginator(requests, PAGE_SIZE).get_page(page)
    return ReviewQueue(
        awaiting=awaiting_rows_for(user=user),
        rows=_rows(list(current.object_list)),
        page=current,
        status=status,
        status_choices=STATUS_CHOICES,
    )


# --- the request page -----------------------------------------------------------------


@dataclass(frozen=True)
class StageChange:
    version: str
    source: str
    target: str
    at: datetime


@dataclass(frozen=True)
class ReviewState:
    """The request's status, decisions and the actions the person may take (one fragment,
    re-rendered after every action)."""

    request: ApprovalRequest
    slots: list[RoleSlot]
    live_decisions: list[ApprovalDecision]
    earlier_decisions: list[ApprovalDecision]
    decide_roles: list[str]
    can_revoke: bool
    stage_changes: list[StageChange]

    @property
    def can_decide(self) -> bool:
        return bool(self.decide_roles)

    @property
    def choose_role(self) -> bool:
        return len(self.decide_roles) > 1


@dataclass(frozen=True)
class EarlierCard:
    """The card earlier decisions were given on, when the card changed since."""

    decision: ApprovalDecision  # the latest decision given on an older card
    found: bool
    revision: int | None
    current_revision: int
    rows: list[diffs.DiffRow]

    @property
    def old_label(self) -> str:
        return f"Decided on (revision {self.revision})"

    @property
    def new_label(self) -> str:
        return f"Now (revision {self.current_revision})"


@dataclass(frozen=True)
class ReviewPage:
    state: ReviewState
    is_production: bool  # the version under review is the one in production
    production: ModelVersion | None
    production_diff: list[diffs.DiffRow]
    earlier: EarlierCard | None
    metrics: list[diffs.MetricRow]
    deployments: list[Deployment]

    @property
    def production_changes(self) -> list[diffs.DiffRow]:
        return diffs.changed_rows(self.production_diff)

    @property
    def production_unchanged(self) -> list[diffs.DiffRow]:
        return [row for row in self.production_diff if not row.changed]

    @property
    def production_label(self) -> str:
        return f"Production {self.production.version}" if self.production else ""

    @property
    def version_label(self) -> str:
        return f"This version {self.state.request.version.version}"


def _load_request(user: User, pk: int) -> ApprovalRequest:
    """404 when not visible; every decision (superseded too) with its approver."""
    request = request_get_for(user=user, pk=pk)
    prefetch_related_objects([request], ALL_DECISIONS)
    return request


def _stage_changes(request: ApprovalRequest) -> list[StageChange]:
    if request.status not in CLOSED_WITH_EFFECT:
        return []
    events = AuditEvent.objects.filter(request=request, event_type__in=STAGE_EVENTS)
    changes = []
    for event in events.order_by("sequence"):
        details = event.details_data
        changes.append(
            StageChange(
                details.get("version", ""), details["from"], details["to"], event.created_at
            )
        )
    return changes


def _state(user: User, request: ApprovalRequest) -> ReviewState:
    decisions = list(request.decisions.all())
    return ReviewState(
        request=request,
        slots=role_slots(request),
        live_decisions=[d for d in decisions if d.superseded_at is None],
        earlier_decisions=[d for d in decisions if d.superseded_at is not None],
        decide_roles=sorted(policies.decidable_roles(user, request)),
        can_revoke=policies.can(policies.require_can_revoke, user, request),
        stage_changes=_stage_changes(request),
    )


def review_state_for(*, user: User, pk: int) -> ReviewState:
    return _state(user, _load_request(user, pk))


def _production_version(version: ModelVersion) -> ModelVersion | None:
    """The model's version in production, unless it is this one."""
    if version.stage == Stage.PRODUCTION:
        return None
    production = ModelVersion.objects.filter(model_id=version.model_id, stage=Stage.PRODUCTION)
    return production.order_by("pk").first()


def _historical_card(version: ModelVersion, wanted: str) -> tuple[dict, int] | None:
    """The version's card as it was when its hash was ``wanted`` (simple-history rows)."""
    records = version.history.order_by("-history_id").values(*CARD_FIELDS, "card_revision")
    for record in records:
        revision = record.pop("card_revision")
        if card_hash(record) == wanted:
            return record, revision
    return None


def _earlier_card(version: ModelVersion, decisions: list[ApprovalDecision]) -> EarlierCard | None:
    current = version.card_hash()
    older = [decision for decision in decisions if decision.card_hash != current]
    if not older:
        return None
    latest = max(older, key=lambda decision: (decision.created_at, decision.pk))
    found = _historical_card(version, latest.card_hash)
    if found is None:
        return EarlierCard(latest, False, None, version.card_revision, rows=[])
    values, revision = found
    rows = diffs.changed_rows(diffs.diff_cards(values, version.card_values()))
    return EarlierCard(latest, True, revision, version.card_revision, rows=rows)


def review_page_for(*, user: User, pk: int) -> ReviewPage:
    """Everything the request page shows besides the card (rendered by its template tag)."""
    request = _load_request(user, pk)
    state = _state(user, request)
    version = request.version
    production = _production_version(version)
    baseline = production.card_values() if production else None
    deployments = version.deployments.order_by("-active", "-reported_at")[:DEPLOYMENTS_SHOWN]
    return ReviewPage(
        state=state,
        is_production=version.stage == Stage.PRODUCTION,
        production=production,
        production_diff=diffs.diff_cards(baseline, version.card_values()) if production else [],
        earlier=_earlier_card(version, state.live_decisions + state.earlier_decisions),
        metrics=diffs.metric_rows(
            version.evaluation_metrics, production.evaluation_metrics if production else None
        ),
        deployments=list(deployments),
    )
