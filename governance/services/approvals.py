from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from governance import audit, policies
from governance.actors import Actor
from governance.exceptions import Conflict
from governance.models import (
    ALL_DECISIONS,
    OPEN_APPROVAL_STATUSES,
    ApprovalDecision,
    ApprovalRequest,
    ApprovalStatus,
    AuditEventType,
    Decision,
    ModelVersion,
    Stage,
)
from governance.models.prefetch import attach_prefetched
from governance.services.common import lock_version, require_reason, save_governed
from governance.services.lifecycle import change_stage


@transaction.atomic
def approval_create(
    *,
    actor: Actor,
    version_id: int,
    target_stage: str,
    justification: str,
    rollback: bool = False,
) -> ApprovalRequest:
    """Ask to move a version to staging or production; the policy fixes the roles now.
    With rollback, the version must be deprecated (checked on the locked row)."""
    require_reason(justification, "justification")
    version = lock_version(version_id)
    if rollback:
        policies.require_rollback(version)
    policies.require_can_request(actor, version, target_stage)
    existing = ApprovalRequest.objects.filter(
        version=version, target_stage=target_stage, status__in=OPEN_APPROVAL_STATUSES
    ).first()
    if existing is not None:
        raise Conflict(
            f"Request #{existing.pk} to move {version} to {target_stage} is already open."
        )
    request = ApprovalRequest(
        version=version,
        target_stage=target_stage,
        from_stage=version.stage,
        requester=actor,
        justification=justification,
        required_roles=sorted(
            role.value for role in policies.required_roles(version, target_stage)
        ),
        card_hash=version.card_hash(),
    )
    save_governed(request, actor=actor, reason="requested")
    audit.record(
        event_type=AuditEventType.APPROVAL_REQUESTED,
        actor=actor,
        model=version.model,
        version=version,
        request=request,
        details={
            "version": version.version,
            "from": version.stage,
            "to": target_stage,
            "required_roles": request.required_roles,
            "card_hash": request.card_hash,
            "justification": justification,
        },
    )
    return request


def _lock_request(request_id: int) -> ApprovalRequest:
    """Lock model, version and request, in that order (see services.common.lock_model).
    The request comes with the people it names and all its decisions: the policy reads
    the decisions several times, and callers answer with the request as it ends up."""
    its_version = ApprovalRequest.objects.filter(pk=request_id).values("version_id")[:1]
    try:
        version = lock_version(its_version)
    except ModelVersion.DoesNotExist:
        raise ApprovalRequest.DoesNotExist(f"No approval request #{request_id}.") from None
    request = (
        ApprovalRequest.objects.select_related("requester", "revoked_by")
        .select_for_update(of=("self",))
        .get(pk=request_id)
    )
    request.version = version
    attach_prefetched(request, "decisions", list(ALL_DECISIONS.queryset.filter(request=request)))
    return request


def _finish(request: ApprovalRequest, actor: Actor, status: str) -> None:
    request.status = status
    if status == ApprovalStatus.IN_REVIEW:
        save_governed(request, actor=actor, reason=status, update_fields=["status"])
        return
    request.decided_at = timezone.now()
    save_governed(request, actor=actor, reason=status, update_fields=["status", "decided_at"])
    version = request.version
    audit.record(
        event_type=(
            AuditEventType.APPROVAL_APPROVED
            if status == ApprovalStatus.APPROVED
            else AuditEventType.APPROVAL_REJECTED
        ),
        actor=actor,
        model=version.model,
        version=version,
        request=request,
        details={"version": version.version, "target_stage": request.target_stage},
    )
    if status == ApprovalStatus.APPROVED:
        change_stage(
            version,
            request.target_stage,
            actor=actor,
            reason=f"approval request #{request.pk}",
            request=request,
        )


@transaction.atomic
@audit.batch()
def approval_decide(
    *, actor: Actor, request_id: int, approve: bool, note: str, role: str | None = None
) -> ApprovalRequest:
    """Approve or reject in one role. Any rejection rejects; when every required role has
    approved, the stage changes in this same transaction."""
    if not isinstance(approve, bool):
        raise ValidationError({"decision": "Choose approved or rejected."})
    require_reason(note, "notes", required=not approve)
    request = _lock_request(request_id)
    version = request.version
    filled_role = policies.require_can_decide(actor, request, role)
    if request.card_hash != version.card_hash():
        raise Conflict(f"The card of {version} changed outside a review; reload the request.")
    decision = ApprovalDecision(
        request=request,
        approver=actor,
        role=filled_role,
        decision=Decision.APPROVED if approve else Decision.REJECTED,
        notes=note,
        card_hash=request.card_hash,
    )
    save_governed(decision, actor=actor, reason=decision.decision)
    attach_prefetched(request, "decisions", [*request.decisions.all(), decision])
    audit.record(
        event_type=AuditEventType.APPROVAL_DECISION,
        actor=actor,
        model=version.model,
        version=version,
        request=request,
        details={"role": filled_role, "decision": decision.decision, "notes": note},
    )
    status = policies.status_after(request, rejected=not approve)
    if status == ApprovalStatus.APPROVED:
        policies.require_can_apply(request, version)
    _finish(request, actor, status)
    return request


@transaction.atomic
@audit.batch()
def approval_revoke(*, actor: Actor, request_id: int, reason: str) -> ApprovalRequest:
    """Withdraw a production approval; a version still in production leaves it."""
    require_reason(reason)
    request = _lock_request(request_id)
    policies.require_can_revoke(actor, request)
    version = request.version
    request.status, request.revoked_by = ApprovalStatus.REVOKED, actor
    request.revoked_at, request.revoke_reason = timezone.now(), reason
    save_governed(
        request,
        actor=actor,
        reason="revoked",
        update_fields=["status", "revoked_by", "revoked_at", "revoke_reason"],
    )
    audit.record(
        event_type=AuditEventType.APPROVAL_REVOKED,
        actor=actor,
        model=version.model,
        version=version,
        request=request,
        details={"version": version.version, "reason": reason},
    )
    if version.stage == Stage.PRODUCTION:
        change_stage(
            version,
            Stage.DEPRECATED,
            actor=actor,
            reason=f"approval revoked: {reason}",
            request=request,
        )
    return request
