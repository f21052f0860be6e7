from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from governance.admin.base import (
    GovernanceAdminMixin,
    HistoryAdminMixin,
    ServiceFormAdminMixin,
)
from governance.admin.object_roles import RoleObjectPermissionsAdminMixin
from governance.admin.tags import TaggedModelForm, TagsAdminMixin
from governance.models import RegisteredModel
from governance.services.registered_models import EDITABLE_FIELDS, model_register, model_update

ADD_FIELDS = ("name", "team", "owner", "risk_level", "description", "auto_deprecate")
POLICY_FIELDS = ("grace_period_days",)
FIXED_FIELDS = ("name", "team", "created_at")  # model_update does not change these


@admin.register(RegisteredModel)
class RegisteredModelAdmin(
    GovernanceAdminMixin,
    TagsAdminMixin,
    ServiceFormAdminMixin,
    RoleObjectPermissionsAdminMixin,
    HistoryAdminMixin,
    SimpleHistoryAdmin,
):
    """Registered through model_register, edited through model_update (which checks who
    may change the risk level and the policy flags); name and team are fixed. Tags are saved
    by the same call."""

    form = TaggedModelForm
    role_scope = "model_id"
    list_display = (
        "name",
        "team",
        "owner",
        "risk_level",
        "auto_deprecate",
        "grace_period_days",
        "created_at",
    )
    list_filter = ("team", "risk_level", "auto_deprecate")
    list_select_related = ("team", "owner")
    search_fields = ("name", "description", "team__slug", "owner__username")
    date_hierarchy = "created_at"
    autocomplete_fields = ("team", "owner")
    history_list_display = ("risk_level",)

    def get_fields(
        self, request: HttpRequest, obj: RegisteredModel | None = None
    ) -> tuple[str, ...]:
        tags = self.tags_field(request, obj)
        if obj is None:
            return (*ADD_FIELDS, *POLICY_FIELDS, tags)
        return (*FIXED_FIELDS, *EDITABLE_FIELDS, tags)

    def get_readonly_fields(
        self, request: HttpRequest, obj: RegisteredModel | None = None
    ) -> tuple[str, ...]:
        return () if obj is None else (*FIXED_FIELDS, "tag_list")

    def service_save(
        self, request: HttpRequest, obj: RegisteredModel | None, form: TaggedModelForm
    ) -> RegisteredModel:
        if obj is not None:
            changes, tags = form.changed_values(EDITABLE_FIELDS), form.tag_changes()
            if not changes and not tags:
                return obj
            return model_update(actor=request.user, model_id=obj.pk, changes=changes, tags=tags)
        return model_register(
            actor=request.user,
            name=form.value("name"),
            team_id=form.value("team").pk,
            owner_id=form.value("owner").pk,
            risk_level=form.value("risk_level"),
            description=form.value("description"),
            auto_deprecate=form.value("auto_deprecate"),
            grace_period_days=form.value("grace_period_days"),
            tags=form.tags_to_register(),
        )
