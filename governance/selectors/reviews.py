"""Approval requests as the review pages and the dashboard read them."""

from django.db.models import Prefetch, QuerySet

from governance import policies
from governance.models import OPEN_APPROVAL_STATUSES, ApprovalDecision, ApprovalRequest
from governance.roles import role_map
from governance.selectors import User, requests_visible_to

LIVE_DECISIONS = Prefetch(
    "decisions",
    queryset=ApprovalDecision.objects.filter(superseded_at__isnull=True).select_related("approver"),
)


def requests_list_for(*, user: User, statuses: tuple[str, ...] | None = None) -> QuerySet:
    """Visible requests with what a list row shows, newest first."""
    requests = requests_visible_to(user)
    if statuses:
        requests = requests.filter(status__in=statuses)
    return (
        requests.select_related("version__model__team", "requester")
        .prefetch_related(LIVE_DECISIONS)
        .order_by("-created_at")
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
