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
from governance.models.classification import (
    AnnexIIIPoint,
    Art63Exemption,
    OrganisationRole,
    RegulatoryDate,
    RegulatoryDateStatus,
    RiskClassification,
)
from governance.models.deployments import Deployment
from governance.models.incidents import IncidentSeverity, IncidentStatus, SeriousIncident
from governance.models.metrics import MetricObservation
from governance.models.notifications import Notification
from governance.models.registered_models import RegisteredModel
from governance.models.sweeps import SweepClaim
from governance.models.tags import ModelTag, VersionTag
from governance.models.teams import Team
from governance.models.versions import ModelVersion

__all__ = [
    "ALL_DECISIONS",
    "OPEN_ALERT_STATUSES",
    "OPEN_APPROVAL_STATUSES",
    "AlertRule",
    "AlertStatus",
    "AnnexIIIPoint",
    "ApiToken",
    "AppendOnlyError",
    "ApprovalDecision",
    "ApprovalRequest",
    "ApprovalStatus",
    "Art63Exemption",
    "AuditChainHead",
    "AuditEvent",
    "AuditEventType",
    "Decision",
    "Deployment",
    "Environment",
    "IncidentSeverity",
    "IncidentStatus",
    "MetricObservation",
    "ModelTag",
    "ModelVersion",
    "Notification",
    "OrganisationRole",
    "RegisteredModel",
    "RegulatoryDate",
    "RegulatoryDateStatus",
    "RetirementAlert",
    "ReviewSchedule",
    "RiskClassification",
    "RiskLevel",
    "Role",
    "SeriousIncident",
    "Stage",
    "SweepClaim",
    "Team",
    "VersionTag",
]
