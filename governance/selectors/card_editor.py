"""Reads of the card editor page (the version itself comes from version_get_for)."""

from governance.models import OPEN_APPROVAL_STATUSES, ApprovalRequest, ModelVersion


def open_requests_of(version: ModelVersion) -> list[ApprovalRequest]:
    """The version's open approval requests: saving the card restarts their review."""
    return list(
        ApprovalRequest.objects.filter(version=version, status__in=OPEN_APPROVAL_STATUSES).order_by(
            "pk"
        )
    )
