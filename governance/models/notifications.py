from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from governance.models.alerts import RetirementAlert
from governance.models.incidents import SeriousIncident


class Notification(models.Model):
    """An in-app message about an alert, or about a serious incident's reporting deadline
    (services.incident_reminders), for one person: one per (recipient, alert or incident,
    key), so an unchanged alert never notifies (or mails) the same person twice."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications"
    )
    alert = models.ForeignKey(
        RetirementAlert,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notifications",
    )
    incident = models.ForeignKey(
        SeriousIncident,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notifications",
    )
    key = models.CharField(
        max_length=80,
        help_text="The alert's fingerprint, plus the day for review and incident reminders "
        "(once a day).",
    )
    message = models.TextField()
    link = models.CharField(
        max_length=300, help_text="The model page (the incident register for incidents)."
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "alert", "key"], name="one_notification_per_alert_key"
            ),
            models.UniqueConstraint(
                fields=["recipient", "incident", "key"], name="one_notification_per_incident_key"
            ),
            models.CheckConstraint(
                condition=Q(alert__isnull=False, incident__isnull=True)
                | Q(alert__isnull=True, incident__isnull=False),
                name="notification_about_alert_or_incident",
            ),
        ]
        indexes = [
            # The dashboard's "unread, newest first" for one person.
            models.Index(
                fields=["recipient", "-created_at"],
                condition=Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"to {self.recipient_id}: {self.message[:60]}"
