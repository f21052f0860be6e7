"""The serious-incident register in the admin: view only, for everyone who sees the models
there. Incidents are recorded, reported and closed on the version's incident register (or
the API) through services.incidents; nothing is added, changed or deleted here."""

from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from governance.admin.base import HistoryAdminMixin, ReadOnlyAdminMixin
from governance.models import SeriousIncident

MODEL_VIEWERS = "governance.view_registeredmodel"  # every role group and the auditors


@admin.register(SeriousIncident)
class SeriousIncidentAdmin(ReadOnlyAdminMixin, HistoryAdminMixin, SimpleHistoryAdmin):
    list_display = ("__str__", "severity", "status", "aware_at", "report_deadline")
    list_display += ("reported_at", "authority_reference", "reported_by")
    list_filter = ("status", "severity", "version__model__team")
    list_select_related = ("version__model", "reported_by")
    search_fields = ("version__model__name", "version__version", "description")
    search_fields += ("authority_reference",)
    date_hierarchy = "aware_at"

    def has_view_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return request.user.has_perm(MODEL_VIEWERS)
