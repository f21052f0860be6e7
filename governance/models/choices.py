"""The names that are part of the contract (DESIGN.md): stages, roles, statuses, levels."""

from django.db import models


class Stage(models.TextChoices):
    DEVELOPMENT = "development"
    STAGING = "staging"
    PRODUCTION = "production"
    DEPRECATED = "deprecated"
    RETIRED = "retired"


class Role(models.TextChoices):
    ML_ENGINEER = "ml_engineer", "ML engineer"
    ML_LEAD = "ml_lead", "ML lead"
    RISK_OFFICER = "risk_officer", "Risk officer"
    LEGAL = "legal", "Legal"
    GOVERNANCE_ADMIN = "governance_admin", "Governance admin"

    @property
    def permission_codename(self) -> str:
        """The guardian object permission that grants this role on a team or model."""
        return f"act_as_{self.value}"


class RiskLevel(models.TextChoices):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class ApprovalStatus(models.TextChoices):
    PENDING = "pending"
    IN_REVIEW = "in_review", "In review"
    APPROVED = "approved"
    REJECTED = "rejected"
    REVOKED = "revoked"


OPEN_APPROVAL_STATUSES = (ApprovalStatus.PENDING, ApprovalStatus.IN_REVIEW)


class Decision(models.TextChoices):
    APPROVED = "approved"
    REJECTED = "rejected"


class ReviewSchedule(models.TextChoices):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    SEMIANNUAL = "semiannual"
    ANNUAL = "annual"


class Environment(models.TextChoices):
    DEVELOPMENT = "development"
    STAGING = "staging"
    PRODUCTION = "production"


class AlertRule(models.TextChoices):
    MAX_AGE = "max_age", "Maximum age"
    METRIC_FLOOR = "metric_floor", "Metric below floor"
    DRIFT_CEILING = "drift_ceiling", "Drift above ceiling"
    REPLACEMENT = "replacement", "Replacement in production"
    REVIEW_OVERDUE = "review_overdue", "Review overdue"
    SHADOW_DEPLOYMENT = "shadow_deployment", "Shadow deployment"


class AlertStatus(models.TextChoices):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


OPEN_ALERT_STATUSES = (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)


class AuditEventType(models.TextChoices):
    TEAM_CREATED = "team.created"
    MODEL_REGISTERED = "model.registered"
    MODEL_UPDATED = "model.updated"
    MODEL_RISK_CHANGED = "model.risk_changed"
    VERSION_REGISTERED = "model.version_registered"
    CARD_UPDATED = "model.card_updated"
    APPROVAL_REQUESTED = "approval.requested"
    APPROVAL_DECISION = "approval.decision"
    APPROVAL_APPROVED = "approval.approved"
    APPROVAL_REJECTED = "approval.rejected"
    APPROVAL_REVOKED = "approval.revoked"
    APPROVAL_RESTARTED = "approval.restarted"
    STAGE_CHANGED = "model.stage_changed"
    DEPLOYED = "model.deployed"
    DEPRECATED = "model.deprecated"
    ROLLED_BACK = "model.rolled_back"
    REVIEWED = "model.reviewed"
    RETIRED = "model.retired"
    METRICS_RECORDED = "model.metrics_recorded"
    RETIREMENT_TRIGGERED = "retirement.triggered"
    ALERT_OPENED = "alert.opened"
    ALERT_ACKNOWLEDGED = "alert.acknowledged"
    ALERT_RESOLVED = "alert.resolved"
    ROLE_GRANTED = "role.granted"
    ROLE_REVOKED = "role.revoked"
    TAGS_CHANGED = "model.tags_changed"
    API_TOKEN_CREATED = "api_token.created"
    API_TOKEN_REVOKED = "api_token.revoked"
    MODEL_CLASSIFIED = "model.classified"
    INCIDENT_RECORDED = "incident.recorded"
    INCIDENT_REPORTED = "incident.reported"
    INCIDENT_CLOSED = "incident.closed"
    INCIDENT_UPDATED = "incident.updated"
