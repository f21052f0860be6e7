"""People and role groups. A role is a group membership or an object permission, so the
User admin never edits groups or permissions directly: roles change only through the role
services (Grant a role… / Revoke a role…), which write the audit event."""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import AbstractBaseUser, Group
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from guardian.models import UserObjectPermission

from governance.admin.actions import confirmed_action
from governance.admin.base import SafeInputMixin
from governance.bootstrap import ROLE_GROUPS
from governance.models import RegisteredModel, Role, Team
from governance.roles import ROLE_BY_CODENAME
from governance.services.roles import role_grant, role_revoke

User = get_user_model()
ROLES_HELP = (
    "Roles change only with the “Grant a role…” and “Revoke a role…” actions of the user "
    "list, or on a team's or model's Object permissions page; each change is audited."
)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)
    team = forms.ModelChoiceField(
        queryset=Team.objects.all(),
        required=False,
        help_text="Leave team and model empty for a role on everything.",
    )
    model = forms.ModelChoiceField(
        queryset=RegisteredModel.objects.all(), required=False, label="Registered model"
    )


def _scope(data: dict) -> dict[str, int | None]:
    team, model = data["team"], data["model"]
    return {"team_id": team.pk if team else None, "model_id": model.pk if model else None}


@confirmed_action(form=RoleForm, description="Grant a role…", done="Role granted")
def grant_role(request: HttpRequest, user: AbstractBaseUser, data: dict) -> None:
    role_grant(actor=request.user, user_id=user.pk, role=data["role"], **_scope(data))


@confirmed_action(form=RoleForm, description="Revoke a role…", done="Role revoked")
def revoke_role(request: HttpRequest, user: AbstractBaseUser, data: dict) -> None:
    role_revoke(actor=request.user, user_id=user.pk, role=data["role"], **_scope(data))


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class TutelaUserAdmin(SafeInputMixin, UserAdmin):
    """Django's user admin with groups and permissions read-only: a group is a global role."""

    actions = [grant_role, revoke_role]
    filter_horizontal = ()
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name", "email")}),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Roles", {"fields": ("roles_held",), "description": ROLES_HELP}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )

    def get_readonly_fields(
        self, request: HttpRequest, obj: AbstractBaseUser | None = None
    ) -> tuple[str, ...]:
        fixed = ("groups", "user_permissions", "roles_held")
        # Anyone who may change users could otherwise make themselves superuser, or switch
        # every role of a person off and on again (an inactive person holds no role) without
        # a role event: only superusers change these two.
        return fixed if request.user.is_superuser else (*fixed, "is_superuser", "is_active")

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        # Setting someone else's password would let an admin sign in and decide as them,
        # defeating segregation of duties: superusers only (people change their own at
        # /accounts/password_change/).
        if not request.user.is_superuser and str(request.user.pk) != str(id):
            raise PermissionDenied("Only superusers set other people's passwords.")
        return super().user_change_password(request, id, form_url)

    def has_delete_permission(
        self, request: HttpRequest, obj: AbstractBaseUser | None = None
    ) -> bool:
        # Deleting a person would drop their roles without role.revoked events; people
        # leave by being deactivated (is_active off) and having their roles revoked.
        return False

    @admin.display(description="roles held")
    def roles_held(self, user: AbstractBaseUser) -> str:
        global_roles = [
            f"{name} (everything)"
            for name in user.groups.values_list("name", flat=True)
            if name in Role.values
        ]
        grants = UserObjectPermission.objects.filter(
            user=user, permission__codename__in=ROLE_BY_CODENAME
        ).select_related("permission", "content_type")
        scoped = [
            f"{ROLE_BY_CODENAME[grant.permission.codename].value} on "
            f"{grant.content_type.model} {grant.content_object}"
            for grant in grants
        ]
        return "; ".join(sorted(global_roles) + sorted(scoped)) or "none"


@admin.register(Group)
class RoleGroupAdmin(SafeInputMixin, GroupAdmin):
    """The role groups (and auditors) keep their names and cannot be deleted; members are
    managed from the user list through the role services."""

    def get_readonly_fields(
        self, request: HttpRequest, obj: Group | None = None
    ) -> tuple[str, ...]:
        return ("name",) if obj is not None and obj.name in ROLE_GROUPS else ()

    def has_delete_permission(self, request: HttpRequest, obj: Group | None = None) -> bool:
        if obj is not None and obj.name in ROLE_GROUPS:
            return False
        return super().has_delete_permission(request, obj)
