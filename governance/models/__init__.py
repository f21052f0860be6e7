"""Domain model, one module per aggregate (STYLE.md)."""

from governance.models.alerts import RetirementAlert
from governance.models.api_tokens import ApiToken
from governance.models.approvals import ALL_DECISIONS, ApprovalDecision, ApprovalRequest
from governance.models.audit import AppendOnlyError, AuditChainHead, AuditEvent
from governance.models.choices import (
    OPEN_ALERT_STATUSES,
    OPEN_APPROVAL_STATUSES,
    AlertRule,
    AlertStatus,
    ApprovalStatus,
    AuditEventType,
    Decision,
    Environment,
    ReviewSchedule,
    RiskLevel,
    Role,
    Stage,
)
from governance.models.deployments import Deployment
from governance.models.metrics import MetricObservation
from governance.models.registered_models import RegisteredModel
from governance.models.tags import ModelTag, VersionTag
from governance.models.teams import Team
from governance.models.versions import ModelVersion

__all__ = [
    "ALL_DECISIONS",
    "OPEN_ALERT_STATUSES",
    "OPEN_APPROVAL_STATUSES",
    "AlertRule",
    "AlertStatus",
    "ApiToken",
    "AppendOnlyError",
    "ApprovalDecision",
    "ApprovalRequest",
    "ApprovalStatus",
    "AuditChainHead",
    "AuditEvent",
    "AuditEventType",
    "Decision",
    "Deployment",
    "Environment",
    "MetricObservation",
    "ModelTag",
    "ModelVersion",
    "RegisteredModel",
    "RetirementAlert",
    "ReviewSchedule",
    "RiskLevel",
    "Role",
    "Stage",
    "Team",
    "VersionTag",
]
