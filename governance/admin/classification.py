"""EU AI Act classification in the admin: classifications view only (confirmed on the
model's classification page through services.classification), and the regulatory dates,
reference data that only superusers edit."""

from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from governance.admin.base import HistoryAdminMixin, ReadOnlyAdminMixin, SafeInputMixin
from governance.models import RegulatoryDate, RiskClassification

MODEL_VIEWERS = "governance.view_registeredmodel"  # every role group and the auditors


@admin.register(RiskClassification)
class RiskClassificationAdmin(ReadOnlyAdminMixin, HistoryAdminMixin, SimpleHistoryAdmin):
    """Whoever sees the models in the admin sees their classification."""

    list_display = ("model", "proposed_risk_level", "is_high_risk", "annex_iii_point")
    list_display += ("art6_3_exemption", "confirmed_by", "confirmed_at")
    list_filter = ("proposed_risk_level", "is_high_risk", "annex_iii_point", "model__team")
    list_select_related = ("model", "confirmed_by")
    search_fields = ("model__name", "intended_purpose")
    date_hierarchy = "confirmed_at"

    def has_view_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return request.user.has_perm(MODEL_VIEWERS)


@admin.register(RegulatoryDate)
class RegulatoryDateAdmin(SafeInputMixin, admin.ModelAdmin):
    """Which obligations apply from when: read by everyone who sees the models, changed
    only by superusers (the dates come from the law, not from a role)."""

    list_display = ("applies_from", "obligation", "articles", "status")
    list_filter = ("status",)
    search_fields = ("obligation", "articles", "source")

    def has_view_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return request.user.has_perm(MODEL_VIEWERS)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return request.user.is_active and request.user.is_superuser
