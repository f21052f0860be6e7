"""Which roles a person holds: globally (a Django group named after the role) or for one
team's or one model's objects (a guardian object permission ``act_as_<role>``).

Superuser status, model-wide Django permissions and group object permissions never count
as a role.
"""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, Value
from guardian.models import UserObjectPermission

from governance.actors import SystemActor
from governance.models import RegisteredModel, Role, Team

ROLE_BY_CODENAME = {role.permission_codename: role for role in Role}
User = AbstractBaseUser | AnonymousUser | SystemActor


def _is_person(user: User) -> bool:
    """Tasks (SystemActor) and anonymous or inactive users hold no roles."""
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def global_roles(user: User) -> frozenset[Role]:
    """Roles held for everything; cached on the user object for the request."""
    if not _is_person(user):
        return frozenset()
    cached = getattr(user, "_tutela_global_roles", None)
    if cached is None:
        names = user.groups.filter(name__in=Role.values).values_list("name", flat=True)
        cached = frozenset(Role(name) for name in names)
        user._tutela_global_roles = cached
    return cached


def forget_cached_roles(user: User) -> None:
    for cached in ("_tutela_global_roles", "_tutela_role_map", "_tutela_visibility"):
        if hasattr(user, cached):
            delattr(user, cached)


def _scope_filter(team_id: int, model_id: int | None) -> Q:
    scope = Q(content_type=ContentType.objects.get_for_model(Team), object_pk=str(team_id))
    if model_id is not None:
        model_type = ContentType.objects.get_for_model(RegisteredModel)
        scope |= Q(content_type=model_type, object_pk=str(model_id))
    return scope & Q(permission__codename__in=ROLE_BY_CODENAME)


def scoped_roles(user: User, *, team_id: int, model_id: int | None = None) -> frozenset[Role]:
    """Roles granted on the team (and the model, if given) through object permissions."""
    if not _is_person(user):
        return frozenset()
    # Only the person's own object permissions count: role_grant writes nothing else, so
    # a group object permission would be a role nobody granted through the audit trail.
    permissions = UserObjectPermission.objects.filter(_scope_filter(team_id, model_id), user=user)
    codenames = permissions.values_list("permission__codename", flat=True)
    return frozenset(ROLE_BY_CODENAME[codename] for codename in codenames)


def roles_on_model(user: User, model: RegisteredModel) -> frozenset[Role]:
    # A page that already loaded the person's role map (visibility does) answers from it.
    cached = getattr(user, "_tutela_role_map", None)
    if cached is not None:
        return cached.on_model(model)
    return global_roles(user) | scoped_roles(user, team_id=model.team_id, model_id=model.pk)


def roles_on_team(user: User, team: Team) -> frozenset[Role]:
    return global_roles(user) | scoped_roles(user, team_id=team.pk)


def held_roles_summary(user: User) -> list[str]:
    """Every role a person holds, for the page header: "ml_lead", "risk_officer on fraud"."""
    if not _is_person(user):
        return []
    roles = role_map(user)  # the grants the page's visibility and role checks load anyway
    # Team and model names in one UNION query (none at all for people without grants).
    names: dict[tuple[str, int], str] = {}
    if roles.by_team or roles.by_model:
        # order_by(): SQLite refuses the models' default ordering inside a UNION.
        teams = (
            Team.objects.order_by()
            .filter(pk__in=roles.by_team)
            .values_list(Value("team"), "pk", "slug")
        )
        models = (
            RegisteredModel.objects.order_by()
            .filter(pk__in=roles.by_model)
            .values_list(Value("model"), "pk", "name")
        )
        names = {(kind, pk): name for kind, pk, name in teams.union(models, all=True)}
    scoped = [
        f"{role.value} on {names.get((kind, pk), '?')}"
        for kind, grants in (("team", roles.by_team), ("model", roles.by_model))
        for pk, held in grants.items()
        for role in held
    ]
    return sorted(role.value for role in roles.everywhere) + sorted(scoped)


@dataclass(frozen=True)
class RoleMap:
    """Every role a person holds, loaded once, for pages that ask about many models."""

    everywhere: frozenset[Role]
    by_team: dict[int, frozenset[Role]]
    by_model: dict[int, frozenset[Role]]

    def on_model(self, model: RegisteredModel) -> frozenset[Role]:
        empty: frozenset[Role] = frozenset()
        return (
            self.everywhere
            | self.by_team.get(model.team_id, empty)
            | self.by_model.get(model.pk, empty)
        )


def role_map(user: User) -> RoleMap:
    """Two queries at most (groups, object permissions), whatever the number of models;
    cached on the user object for the request, like global_roles."""
    if not _is_person(user):
        return RoleMap(frozenset(), {}, {})
    cached = getattr(user, "_tutela_role_map", None)
    if cached is None:
        cached = _load_role_map(user)
        user._tutela_role_map = cached
    return cached


def _load_role_map(user: User) -> RoleMap:
    grants = UserObjectPermission.objects.filter(
        user=user, permission__codename__in=ROLE_BY_CODENAME
    ).values_list("permission__codename", "content_type__model", "object_pk")
    by_team: dict[int, set[Role]] = {}
    by_model: dict[int, set[Role]] = {}
    for codename, kind, pk in grants:
        target = by_team if kind == "team" else by_model
        target.setdefault(int(pk), set()).add(ROLE_BY_CODENAME[codename])
    return RoleMap(
        global_roles(user),
        {pk: frozenset(roles) for pk, roles in by_team.items()},
        {pk: frozenset(roles) for pk, roles in by_model.items()},
    )
