"""Multi-step set-ups that go through the services, as the fraud team personas would."""

from governance.models import ApprovalRequest, ModelVersion, Stage
from governance.services.approvals import approval_create, approval_decide

# Who approves in each role when a test needs a request approved (never the requester).
REVIEWER_FOR_ROLE = {
    "ml_engineer": "engineer2",
    "ml_lead": "lead2",
    "risk_officer": "risk_officer",
    "legal": "legal",
}


def request_promotion(version: ModelVersion, personas: dict, target: str) -> ApprovalRequest:
    """engineer asks for staging, lead for production (and for rollback)."""
    requester = personas["engineer"] if target == Stage.STAGING else personas["lead"]
    return approval_create(
        actor=requester, version_id=version.pk, target_stage=target, justification="Ready."
    )


def approve_all(request: ApprovalRequest, personas: dict) -> ApprovalRequest:
    """Every required role approves, one reviewer per role."""
    for role in request.required_roles:
        request = approval_decide(
            actor=personas[REVIEWER_FOR_ROLE[role]],
            request_id=request.pk,
            approve=True,
            note="Looks good.",
            role=role,
        )
    return request


def promote(version: ModelVersion, personas: dict, target: str) -> ApprovalRequest:
    """Request and fully approve a promotion; the version is in target afterwards."""
    return approve_all(request_promotion(version, personas, target), personas)
