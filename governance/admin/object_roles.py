"""guardian's object-permission pages on teams and models, limited to roles and routed
through the role services, so every grant and revoke writes its audit event."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from guardian.admin import AdminUserObjectPermissionsForm, GuardedModelAdminMixin
from guardian.shortcuts import get_user_perms

from governance.admin.base import require_pk, valid_pk
from governance.exceptions import REFUSALS, refusal_message
from governance.roles import ROLE_BY_CODENAME
from governance.services.roles import role_grant, role_revoke

GROUPS_REFUSED = (
    "Roles are held by people, not groups: grant the role to a user here (Manage user) or "
    "with the User admin's “Grant a role…” action. Group object permissions are not managed "
    "in Tutela."
)


class RoleObjectPermissionsForm(AdminUserObjectPermissionsForm):
    """The roles a user holds on one team or model; saving grants and revokes the difference
    through the role services, in one transaction."""

    actor: Any  # the person managing roles, bound per request by the admin
    scope: str  # "team_id" or "model_id"

    def get_obj_perms_field_label(self) -> str:
        return "Roles"

    def get_obj_perms_field_choices(self) -> list[tuple[str, str]]:
        return [(codename, role.label) for codename, role in ROLE_BY_CODENAME.items()]

    def get_obj_perms_field_initial(self) -> list[str]:
        return [c for c in get_user_perms(self.user, self.obj) if c in ROLE_BY_CODENAME]

    def save_obj_perms(self) -> None:
        wanted = set(self.cleaned_data[self.get_obj_perms_field_name()])
        held = set(self.get_obj_perms_field_initial())
        target = {"actor": self.actor, "user_id": self.user.pk, self.scope: self.obj.pk}
        with transaction.atomic():
            for codename in sorted(held - wanted):
                role_revoke(role=ROLE_BY_CODENAME[codename].value, **target)
            for codename in sorted(wanted - held):
                role_grant(role=ROLE_BY_CODENAME[codename].value, **target)


class RoleObjectPermissionsAdminMixin(GuardedModelAdminMixin):
    """guardian's pages, showing and editing only the act_as_<role> permissions."""

    obj_perms_manage_template = "admin/governance/obj_perms_manage.html"
    role_scope: str

    def get_obj_perms_manage_user_form(self, request: HttpRequest) -> type[forms.Form]:
        attrs = {"actor": request.user, "scope": self.role_scope}
        return type("RoleObjectPermissionsForm", (RoleObjectPermissionsForm,), attrs)

    def get_obj_perms_base_context(self, request: HttpRequest, obj: models.Model) -> dict:
        context = super().get_obj_perms_base_context(request, obj)
        context["model_perms"] = [
            p for p in context["model_perms"] if p.codename in ROLE_BY_CODENAME
        ]
        return context

    def obj_perms_manage_view(self, request: HttpRequest, object_pk: str) -> HttpResponse:
        require_pk(self.model, object_pk)
        return super().obj_perms_manage_view(request, object_pk)

    def obj_perms_manage_user_view(
        self, request: HttpRequest, object_pk: str, user_id: str
    ) -> HttpResponse:
        require_pk(self.model, object_pk)
        require_pk(get_user_model(), user_id)
        try:
            return super().obj_perms_manage_user_view(request, object_pk, user_id)
        except REFUSALS as error:
            self.message_user(
                request, f"{refusal_message(error)} Nothing was changed.", messages.ERROR
            )
            return HttpResponseRedirect(request.path)

    def obj_perms_manage_group_view(
        self, request: HttpRequest, object_pk: str, group_id: str
    ) -> HttpResponse:
        self.message_user(request, GROUPS_REFUSED, messages.ERROR)
        if not valid_pk(self.model, object_pk):
            return redirect("admin:index")
        info = self.opts.app_label, self.opts.model_name
        return redirect(reverse("admin:{}_{}_permissions".format(*info), args=[object_pk]))
