"""What monitors, serving platforms and services report: deployments, metrics, alerts and the
audit trail. All view only; the one state change (acknowledging an alert) is an action."""

import json

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from governance.admin.actions import service_action
from governance.admin.base import HistoryAdminMixin, ReadOnlyAdminMixin
from governance.models import AuditEvent, Deployment, MetricObservation, RetirementAlert
from governance.services.alerts import alert_acknowledge


def _pretty_json(value: object) -> str:
    return format_html("<pre>{}</pre>", json.dumps(value, indent=2, sort_keys=True))


@admin.register(Deployment)
class DeploymentAdmin(ReadOnlyAdminMixin, HistoryAdminMixin, SimpleHistoryAdmin):
    """Reported by the serving platform through deployment_record (REST API)."""

    list_display = ("endpoint", "environment", "version", "active", "reported_by", "reported_at")
    list_filter = ("environment", "active", "version__model__team")
    list_select_related = ("version__model", "reported_by")
    search_fields = ("endpoint", "version__model__name", "version__version")
    date_hierarchy = "reported_at"


@admin.register(MetricObservation)
class MetricObservationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Pushed by monitors through metrics_record; never edited."""

    list_display = ("version", "name", "value", "observed_at", "source")
    list_filter = ("name", "version__model__team")
    list_select_related = ("version__model",)
    search_fields = ("version__model__name", "version__version", "name", "source")
    date_hierarchy = "observed_at"


@service_action(description="Acknowledge selected alerts", done="Acknowledged")
def acknowledge(request: HttpRequest, alert: RetirementAlert, data: dict) -> None:
    alert_acknowledge(actor=request.user, alert_id=alert.pk)


@admin.register(RetirementAlert)
class RetirementAlertAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Raised by the retirement engine and shadow-deployment checks; acknowledged here."""

    actions = [acknowledge]
    list_display = ("version", "rule", "status", "opened_at", "acknowledged_by", "resolved_at")
    list_filter = ("rule", "status", "version__model__team")
    list_select_related = ("version__model", "acknowledged_by")
    search_fields = ("version__model__name", "version__version")
    date_hierarchy = "opened_at"
    exclude = ("reasons",)
    readonly_fields = ("reasons_pretty",)

    @admin.display(description="reasons")
    def reasons_pretty(self, alert: RetirementAlert) -> str:
        return _pretty_json(alert.reasons)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The append-only audit trail: view only for everyone, superusers included."""

    list_display = ("sequence", "created_at", "event_type", "actor", "model", "version", "request")
    list_filter = ("event_type", "model__team")
    list_select_related = ("model", "version__model", "request__version__model")
    search_fields = ("actor", "model__name", "hash", "details")
    date_hierarchy = "created_at"
    fields = (
        "sequence",
        "created_at",
        "event_type",
        "actor",
        "actor_user",
        "model",
        "version",
        "request",
        "details_pretty",
        "prev_hash",
        "hash",
    )
    readonly_fields = ("details_pretty",)

    @admin.display(description="details")
    def details_pretty(self, event: AuditEvent) -> str:
        try:
            return _pretty_json(event.details_data)
        except ValueError:  # a tampered row still renders; verify_audit names it
            return event.details
