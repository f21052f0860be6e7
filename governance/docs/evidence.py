"""Everything Tutela holds about one version, read for its documents in a fixed number of
queries (EVIDENCE_QUERIES), whatever the number of requests, events, revisions,
observations, deployments, alerts or incidents. Each list stops at ROW_LIMIT rows (the
newest); `truncated` names the lists that did, so the documents can say so.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone

from governance import policies
from governance.cards import CARD_FIELDS
from governance.models import (
    ApprovalDecision,
    ApprovalRequest,
    AuditEvent,
    AuditEventType,
    Decision,
    Deployment,
    ModelVersion,
    RegisteredModel,
    RetirementAlert,
    RiskClassification,
    SeriousIncident,
)
from governance.selectors.metrics import MetricSummary, metric_summaries

EVIDENCE_QUERIES = 11
ROW_LIMIT = 500  # per list; the audit trail and the history pages keep the rest
LIFECYCLE_EVENTS = (
    AuditEventType.MODEL_REGISTERED,
    AuditEventType.MODEL_UPDATED,
    AuditEventType.MODEL_RISK_CHANGED,
    AuditEventType.MODEL_CLASSIFIED,
    AuditEventType.VERSION_REGISTERED,
    AuditEventType.CARD_UPDATED,
    AuditEventType.APPROVAL_REQUESTED,
    AuditEventType.APPROVAL_DECISION,
    AuditEventType.APPROVAL_APPROVED,
    AuditEventType.APPROVAL_REJECTED,
    AuditEventType.APPROVAL_REVOKED,
    AuditEventType.APPROVAL_RESTARTED,
    AuditEventType.STAGE_CHANGED,
    AuditEventType.DEPLOYED,
    AuditEventType.DEPRECATED,
    AuditEventType.ROLLED_BACK,
    AuditEventType.REVIEWED,
    AuditEventType.RETIRED,
    AuditEventType.RETIREMENT_TRIGGERED,
)


@dataclass(frozen=True)
class Revision:
    """One simple-history row of the version: a card revision or a stage move."""

    at: datetime
    who: str
    reason: str
    card_revision: int
    stage: str
    changed: tuple[str, ...]  # the card fields and stage that differ from the row before


@dataclass(frozen=True)
class Evidence:
    version: ModelVersion  # with model, team, owner and created_by loaded
    siblings: list[ModelVersion]  # the model's other versions, oldest first
    requests: list[ApprovalRequest]  # oldest first, each with .all_decisions (oldest first)
    events: list[AuditEvent]  # lifecycle events of the version and its model, oldest first
    revisions: list[Revision]  # oldest first
    metrics: list[MetricSummary]
    deployments: list[Deployment]  # oldest first
    alerts: list[RetirementAlert]  # oldest first
    classification: RiskClassification | None
    incidents: list[SeriousIncident]  # oldest awareness first
    truncated: frozenset[str]  # the lists cut at row_limit rows
    row_limit: int
    generated_at: datetime

    @property
    def model(self) -> RegisteredModel:
        return self.version.model

    def production_approval(self) -> ApprovalRequest | None:
        """The approval that put the version in production last (as the card shows it)."""
        return policies.production_approval_among(self.version, self.requests)

    def approvals(self) -> list[ApprovalDecision]:
        """Every live approving decision on this version, oldest first: the dated,
        attributed sign-offs."""
        return [
            decision
            for request in self.requests
            for decision in request.all_decisions
            if decision.decision == Decision.APPROVED and decision.superseded_at is None
        ]


def _newest(rows: QuerySet, name: str, cut: set[str]) -> list:
    """The newest ROW_LIMIT rows of a newest-first queryset, oldest first."""
    found = list(rows[: ROW_LIMIT + 1])
    if len(found) > ROW_LIMIT:
        cut.add(name)
    return found[:ROW_LIMIT][::-1]


def _requests(version: ModelVersion) -> list[ApprovalRequest]:
    requests = list(
        ApprovalRequest.objects.filter(version=version)
        .select_related("requester", "revoked_by")
        .order_by("created_at", "pk")
    )
    decisions = defaultdict(list)
    rows = ApprovalDecision.objects.filter(request__version=version).select_related("approver")
    for decision in rows.order_by("created_at", "pk"):
        decisions[decision.request_id].append(decision)
    for request in requests:
        request.all_decisions = decisions[request.pk]
    return requests


def _events(version: ModelVersion, cut: set[str]) -> list[AuditEvent]:
    mine = Q(version=version) | Q(model_id=version.model_id, version__isnull=True)
    rows = AuditEvent.objects.filter(mine, event_type__in=LIFECYCLE_EVENTS).order_by("-sequence")
    return _newest(rows, "events", cut)


def _revisions(version: ModelVersion, cut: set[str]) -> list[Revision]:
    """History rows newest first, one more than shown so the oldest shown has a row to
    compare with."""
    fields = ("stage", *CARD_FIELDS)
    who = f"history_user__{get_user_model().USERNAME_FIELD}"
    rows = ModelVersion.history.filter(id=version.pk).order_by("-history_id")
    values = list(
        rows.values("history_date", "history_change_reason", "card_revision", who, *fields)[
            : ROW_LIMIT + 1
        ]
    )[::-1]
    if len(values) > ROW_LIMIT:
        cut.add("revisions")
    result = []
    for previous, row in zip([None, *values], values, strict=False):
        changed = tuple(f for f in fields if previous is not None and previous[f] != row[f])
        result.append(
            Revision(
                at=row["history_date"],
                who=row[who] or "system",
                reason=row["history_change_reason"] or "",
                card_revision=row["card_revision"],
                stage=row["stage"],
                changed=changed,
            )
        )
    return result[-ROW_LIMIT:]


def _classification(model: RegisteredModel) -> RiskClassification | None:
    return RiskClassification.objects.select_related("confirmed_by").filter(model=model).first()


def _incidents(version: ModelVersion, cut: set[str]) -> list[SeriousIncident]:
    rows = SeriousIncident.objects.filter(version=version).select_related("reported_by")
    return _newest(rows.order_by("-aware_at", "-pk"), "incidents", cut)


def evidence_for(version: ModelVersion) -> Evidence:
    """Reload the version with what its documents show, then read each kind of record
    once (EVIDENCE_QUERIES queries in all)."""
    version = ModelVersion.objects.select_related("model__team", "model__owner", "created_by").get(
        pk=version.pk
    )
    cut: set[str] = set()
    siblings = (
        ModelVersion.objects.filter(model_id=version.model_id)
        .exclude(pk=version.pk)
        .only("version", "stage", "created_at")
        .order_by("-created_at", "-pk")
    )
    deployments = Deployment.objects.filter(version=version).select_related("reported_by")
    alerts = RetirementAlert.objects.filter(version=version).select_related("acknowledged_by")
    return Evidence(
        version=version,
        siblings=_newest(siblings, "siblings", cut),
        requests=_requests(version),
        events=_events(version, cut),
        revisions=_revisions(version, cut),
        metrics=metric_summaries(version),
        deployments=_newest(deployments.order_by("-reported_at", "-pk"), "deployments", cut),
        alerts=_newest(alerts.order_by("-opened_at", "-pk"), "alerts", cut),
        classification=_classification(version.model),
        incidents=_incidents(version, cut),
        truncated=frozenset(cut),
        row_limit=ROW_LIMIT,
        generated_at=timezone.now(),
    )
