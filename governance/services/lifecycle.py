"""Stage changes and review restarts shared by the version and approval services.

Callers hold the model lock (services.common.lock_model) and have checked the policy.
"""

from django.utils import timezone

from governance import audit, policies
from governance.actors import Actor
from governance.models import (
    OPEN_APPROVAL_STATUSES,
    ApprovalRequest,
    ApprovalStatus,
    AuditEventType,
    ModelVersion,
    Stage,
)
from governance.services.common import save_governed

STAGE_EVENTS = {
    (Stage.PRODUCTION, Stage.DEPRECATED): AuditEventType.DEPRECATED,
    (Stage.DEPRECATED, Stage.PRODUCTION): AuditEventType.ROLLED_BACK,
}


def _stage_event(source: str, target: str) -> AuditEventType:
    if target == Stage.RETIRED:
        return AuditEventType.RETIRED
    return STAGE_EVENTS.get((source, target), AuditEventType.STAGE_CHANGED)


def change_stage(
    version: ModelVersion,
    target: str,
    *,
    actor: Actor,
    reason: str,
    request: ApprovalRequest | None = None,
) -> None:
    """Move a version; a new production version deprecates the old one first, in this
    transaction, so the one-production-version constraint holds at every statement."""
    if target == Stage.PRODUCTION:
        current = (
            ModelVersion.objects.select_for_update()
            .filter(model_id=version.model_id, stage=Stage.PRODUCTION)
            .exclude(pk=version.pk)
            .first()
        )
        if current is not None:
            current.model = version.model
            change_stage(
                current,
                Stage.DEPRECATED,
                actor=actor,
                reason=f"replaced by {version.version}",
                request=request,
            )
    source = version.stage
    version.stage, version.stage_changed_at = target, timezone.now()
    if target == Stage.PRODUCTION:  # the approval that puts it there is its review
        version.last_reviewed_at = version.stage_changed_at
        version.next_review_at = policies.next_review_due(
            version.review_schedule, version.last_reviewed_at
        )
    else:
        version.next_review_at = None
    save_governed(
        version,
        actor=actor,
        reason=f"{source} -> {target}",
        update_fields=["stage", "stage_changed_at", "last_reviewed_at", "next_review_at"],
    )
    audit.record(
        event_type=_stage_event(source, target),
        actor=actor,
        model=version.model,
        version=version,
        request=request,
        details={"version": version.version, "from": source, "to": target, "reason": reason},
    )
    close_stale_requests(version, actor=actor)


def close_stale_requests(version: ModelVersion, *, actor: Actor) -> None:
    """Open requests made from a stage the version has left can never apply: reject them."""
    stale = (
        ApprovalRequest.objects.select_for_update()
        .filter(version=version, status__in=OPEN_APPROVAL_STATUSES)
        .exclude(from_stage=version.stage)
    )
    for request in stale:
        request.status, request.decided_at = ApprovalStatus.REJECTED, timezone.now()
        save_governed(
            request,
            actor=actor,
            reason="version left the stage",
            update_fields=["status", "decided_at"],
        )
        audit.record(
            event_type=AuditEventType.APPROVAL_REJECTED,
            actor=actor,
            model=version.model,
            version=version,
            request=request,
            details={
                "reason": f"the version moved to {version.stage}; the request no longer applies",
                "target_stage": request.target_stage,
            },
        )


def restart_reviews(version: ModelVersion, *, actor: Actor, reason: str) -> None:
    """Send open requests back to pending: earlier decisions stop counting (kept, marked
    superseded) and the policy as it is now may add required roles."""
    now = timezone.now()
    open_requests = ApprovalRequest.objects.select_for_update().filter(
        version=version, status__in=OPEN_APPROVAL_STATUSES
    )
    for request in open_requests:
        superseded = []
        for decision in request.decisions.select_for_update().filter(superseded_at__isnull=True):
            decision.superseded_at = now
            save_governed(decision, actor=actor, reason=reason, update_fields=["superseded_at"])
            superseded.append({"approver": decision.approver_id, "role": decision.role})
        before = request.required_roles
        request.version = version
        # Roles were fixed when the request was made: a restart can add roles (a risk raise
        # adds legal) but never drop one (a lowered risk does not relax an open request).
        now_required = policies.required_roles(version, request.target_stage)
        request.required_roles = sorted(set(before) | {role.value for role in now_required})
        request.status, request.card_hash = ApprovalStatus.PENDING, version.card_hash()
        save_governed(
            request,
            actor=actor,
            reason=reason,
            update_fields=["required_roles", "status", "card_hash"],
        )
        audit.record(
            event_type=AuditEventType.APPROVAL_RESTARTED,
            actor=actor,
            model=version.model,
            version=version,
            request=request,
            details={
                "reason": reason,
                "required_roles": {"before": before, "after": request.required_roles},
                "superseded_decisions": superseded,
            },
        )
