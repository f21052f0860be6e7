from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from simple_history.admin import SimpleHistoryAdmin

from governance.admin.base import (
    GovernanceAdminMixin,
    HistoryAdminMixin,
    ServiceFormAdminMixin,
    ServiceModelForm,
)
from governance.admin.object_roles import RoleObjectPermissionsAdminMixin
from governance.models import Team
from governance.services.teams import team_create

TEAM_FIELDS = ("slug", "name", "description")


@admin.register(Team)
class TeamAdmin(
    GovernanceAdminMixin,
    ServiceFormAdminMixin,
    RoleObjectPermissionsAdminMixin,
    HistoryAdminMixin,
    SimpleHistoryAdmin,
):
    """Teams are created through team_create; no service edits them, so they are read-only
    once created. Roles on a team are managed on its object-permissions page."""

    role_scope = "team_id"
    list_display = ("slug", "name", "created_at")
    search_fields = ("slug", "name", "description")
    date_hierarchy = "created_at"
    ordering = ("slug",)

    def get_fields(self, request: HttpRequest, obj: Team | None = None) -> tuple[str, ...]:
        return TEAM_FIELDS if obj is None else (*TEAM_FIELDS, "created_at")

    def get_readonly_fields(self, request: HttpRequest, obj: Team | None = None) -> tuple:
        return () if obj is None else (*TEAM_FIELDS, "created_at")

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponse:
        # Nothing on a team is editable, so a Save button would only suggest otherwise.
        context = {**(extra_context or {}), "show_save": False, "show_save_and_continue": False}
        return super().change_view(request, object_id, form_url, context)

    def service_save(self, request: HttpRequest, obj: Team | None, form: ServiceModelForm) -> Team:
        if obj is not None:
            return obj
        return team_create(
            actor=request.user,
            slug=form.value("slug"),
            name=form.value("name"),
            description=form.value("description"),
        )
