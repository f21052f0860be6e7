"""The serious-incident register of a model version (EU AI Act Art. 73, with Art. 3(49) and
Art. 20). Written only by services.incidents; the reporting deadline comes from
governance.incident_rules. Product guidance, not legal advice."""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import F, Q

from governance.models.approvals import ApprovalRequest
from governance.models.history import governed_history
from governance.models.versions import ModelVersion
from governance.validators import validate_single_line, validate_text

DESCRIPTION_LIMIT = 10_000
CORRECTIVE_ACTION_LIMIT = 10_000
REFERENCE_LIMIT = 200


class IncidentSeverity(models.TextChoices):
    """A serious incident (Art. 3(49)) by the reporting clock Art. 73 gives it. Art. 3(49)(a)
    is split in two: a death has 10 days (Art. 73(4)), serious harm to health 15 (73(2))."""

    DEATH = "death", "Death of a person"
    HEALTH_HARM = "serious_harm_to_health", "Serious harm to a person's health"
    CRITICAL_INFRASTRUCTURE = (
        "critical_infrastructure",
        "Serious and irreversible disruption of critical infrastructure",
    )
    WIDESPREAD_INFRINGEMENT = "widespread_infringement", "Widespread infringement"
    OTHER = "other", "Other serious incident"


class IncidentStatus(models.TextChoices):
    """open -> reported (to the market surveillance authority) -> closed."""

    OPEN = "open"
    REPORTED = "reported", "Reported to authority"
    CLOSED = "closed"


REPORTED_STATUSES = (IncidentStatus.REPORTED, IncidentStatus.CLOSED)


class SeriousIncident(models.Model):
    """One serious incident of a version: what happened, when Tutela's user became aware of
    it, its class and the reporting deadline that class gives, the report to the authority,
    the corrective action and its closing."""

    version = models.ForeignKey(ModelVersion, on_delete=models.PROTECT, related_name="incidents")
    description = models.TextField(
        validators=[validate_text, MaxLengthValidator(DESCRIPTION_LIMIT)]
    )
    occurred_at = models.DateField(null=True, blank=True, help_text="When it happened, if known.")
    aware_at = models.DateField(help_text="When the provider (or deployer) became aware of it.")
    severity = models.CharField(max_length=32, choices=IncidentSeverity.choices)
    report_deadline = models.DateField(
        help_text="The last day to report it to the authority: aware_at plus the days Art. 73 "
        "gives its class (incident_rules.report_deadline)."
    )
    status = models.CharField(
        max_length=16, choices=IncidentStatus.choices, default=IncidentStatus.OPEN
    )
    reported_at = models.DateField(
        null=True, blank=True, help_text="When it was reported to the authority."
    )
    authority_reference = models.CharField(
        max_length=REFERENCE_LIMIT,
        blank=True,
        validators=[validate_single_line],
        help_text="The authority's reference of the report.",
    )
    corrective_action = models.TextField(
        blank=True, validators=[validate_text, MaxLengthValidator(CORRECTIVE_ACTION_LIMIT)]
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    revoked_request = models.ForeignKey(
        ApprovalRequest,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The production approval revoked to suspend the version when the incident "
        "was recorded (Art. 20), if it was.",
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who recorded the incident in Tutela.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = governed_history()

    class Meta:
        ordering = ["-aware_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(severity__in=IncidentSeverity.values), name="incident_severity_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=IncidentStatus.values), name="incident_status_valid"
            ),
            # Reported and closed incidents carry the report's date and reference; open
            # ones carry neither.
            models.CheckConstraint(
                condition=(
                    Q(status=IncidentStatus.OPEN, reported_at__isnull=True, authority_reference="")
                    | (
                        Q(status__in=REPORTED_STATUSES, reported_at__isnull=False)
                        & ~Q(authority_reference="")
                    )
                ),
                name="incident_report_present_when_reported",
            ),
            models.CheckConstraint(
                condition=Q(status=IncidentStatus.CLOSED, closed_at__isnull=False)
                | (~Q(status=IncidentStatus.CLOSED) & Q(closed_at__isnull=True)),
                name="incident_closed_at_when_closed",
            ),
            models.CheckConstraint(
                condition=Q(report_deadline__gte=F("aware_at")),
                name="incident_deadline_after_awareness",
            ),
            models.CheckConstraint(
                condition=Q(occurred_at__isnull=True) | Q(occurred_at__lte=F("aware_at")),
                name="incident_occurred_before_awareness",
            ),
            models.CheckConstraint(
                condition=Q(reported_at__isnull=True) | Q(reported_at__gte=F("aware_at")),
                name="incident_reported_after_awareness",
            ),
        ]
        indexes = [
            # The dashboard and the daily reminders: open incidents by deadline.
            models.Index(fields=["status", "report_deadline"], name="incident_deadline_idx"),
        ]

    def __str__(self) -> str:
        return f"Incident #{self.pk} on {self.version}"
