from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from guardian.models import UserObjectPermission
from guardian.shortcuts import assign_perm, remove_perm

from governance import audit, policies
from governance.actors import Actor
from governance.exceptions import Conflict
from governance.models import AuditEventType, RegisteredModel, Role, Team
from governance.roles import forget_cached_roles
from governance.services.common import lock_model

Scope = Team | RegisteredModel | None


def _scope(team_id: int | None, model_id: int | None) -> Scope:
    if team_id is not None and model_id is not None:
        raise ValidationError({"scope": "Grant a role for one team or one model, not both."})
    if team_id is not None:
        return Team.objects.select_for_update().get(pk=team_id)
    if model_id is not None:
        return lock_model(model_id)
    return None


def _describe(scope: Scope) -> str:
    if scope is None:
        return "global"
    return f"team:{scope.slug}" if isinstance(scope, Team) else f"model:{scope.name}"


def _holds(user, role: Role, scope: Scope) -> bool:  # noqa: ANN001 - any user model
    if scope is None:
        return user.groups.filter(name=role.value).exists()
    return UserObjectPermission.objects.filter(
        user=user,
        permission__codename=role.permission_codename,
        content_type__model=scope._meta.model_name,
        content_type__app_label=scope._meta.app_label,
        object_pk=str(scope.pk),
    ).exists()


def _prepare(actor: Actor, user_id: int, role: str, team_id: int | None, model_id: int | None):  # noqa: ANN202
    if role not in Role.values:
        raise ValidationError({"role": f"Unknown role '{role}'. Roles: {', '.join(Role.values)}."})
    user = get_user_model().objects.select_for_update().get(pk=user_id)
    scope = _scope(team_id, model_id)
    policies.require_can_manage_roles(actor, scope)
    return user, Role(role), scope


def _record(event: AuditEventType, actor: Actor, user, role: Role, scope: Scope) -> None:  # noqa: ANN001
    forget_cached_roles(user)
    audit.record(
        event_type=event,
        actor=actor,
        model=scope if isinstance(scope, RegisteredModel) else None,
        details={"user": user.get_username(), "role": role.value, "scope": _describe(scope)},
    )


@transaction.atomic
def role_grant(
    *,
    actor: Actor,
    user_id: int,
    role: str,
    team_id: int | None = None,
    model_id: int | None = None,
) -> None:
    """Give a person a role for everything (the role's group) or for one team or model."""
    user, role, scope = _prepare(actor, user_id, role, team_id, model_id)
    if _holds(user, role, scope):
        raise Conflict(f"{user.get_username()} already holds {role} ({_describe(scope)}).")
    if scope is None:
        user.groups.add(Group.objects.get(name=role.value))
    else:
        assign_perm(f"governance.{role.permission_codename}", user, scope)
    _record(AuditEventType.ROLE_GRANTED, actor, user, role, scope)


@transaction.atomic
def role_revoke(
    *,
    actor: Actor,
    user_id: int,
    role: str,
    team_id: int | None = None,
    model_id: int | None = None,
) -> None:
    """Take a role away; decisions already made in it stay on record."""
    user, role, scope = _prepare(actor, user_id, role, team_id, model_id)
    if not _holds(user, role, scope):
        raise Conflict(f"{user.get_username()} does not hold {role} ({_describe(scope)}).")
    if scope is None:
        user.groups.remove(Group.objects.get(name=role.value))
    else:
        remove_perm(f"governance.{role.permission_codename}", user, scope)
    _record(AuditEventType.ROLE_REVOKED, actor, user, role, scope)
