from django.conf import settings
from django.db import models
from django.db.models import Q

from governance.models.choices import OPEN_ALERT_STATUSES, AlertRule, AlertStatus
from governance.models.versions import ModelVersion


class RetirementAlert(models.Model):
    """A firing rule on a version (retirement criteria, overdue review, shadow deployment)."""

    version = models.ForeignKey(ModelVersion, on_delete=models.PROTECT, related_name="alerts")
    rule = models.CharField(max_length=32, choices=AlertRule.choices)
    reasons = models.JSONField(help_text="What fired, with the observed values.")
    fingerprint = models.CharField(
        max_length=64,
        help_text="Hash of the reasons; an acknowledged alert stays quiet until it changes.",
    )
    status = models.CharField(max_length=16, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    opened_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "rule"],
                condition=Q(status__in=OPEN_ALERT_STATUSES),
                name="one_open_alert_per_version_rule",
            ),
            models.CheckConstraint(condition=Q(rule__in=AlertRule.values), name="alert_rule_valid"),
            models.CheckConstraint(
                condition=Q(status__in=AlertStatus.values), name="alert_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_rule_display()} on {self.version} ({self.status})"
