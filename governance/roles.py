"""Which roles a person holds: globally (a Django group named after the role) or for one
team's or one model's objects (a guardian object permission ``act_as_<role>``).

Superuser status, model-wide Django permissions and group object permissions never count
as a role.
"""

from dataclasses import dataclass
from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Value
from guardian.models import UserObjectPermission

from governance.actors import SystemActor
from governance.models import RegisteredModel, Role, Team

ROLE_BY_CODENAME = {role.permission_codename: role for role in Role}
User = AbstractBaseUser | AnonymousUser | SystemActor


def _is_person(user: User) -> bool:
    """Tasks (SystemActor) and anonymous or inactive users hold no roles."""
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def global_roles(user: User) -> frozenset[Role]:
    """Roles held for everything."""
    return access(user).roles.everywhere


def has_read_access(user: User) -> bool:
    """The model-level view permission (the auditors group's), held directly or through a
    group: what ModelBackend.has_perm answers."""
    return access(user).read_access


def forget_cached_roles(user: User) -> None:
    for cached in ("_tutela_access", "_tutela_visibility"):
        if hasattr(user, cached):
            delattr(user, cached)


def scoped_roles(user: User, *, team_id: int, model_id: int | None = None) -> frozenset[Role]:
    """Roles granted on the team (and the model, if given) through object permissions."""
    roles, empty = access(user).roles, frozenset()
    on_model = roles.by_model.get(model_id, empty) if model_id is not None else empty
    return roles.by_team.get(team_id, empty) | on_model


def roles_on_model(user: User, model: RegisteredModel) -> frozenset[Role]:
    return access(user).roles.on_model(model)


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
    return access(user).roles


@dataclass(frozen=True)
class Access:
    """Everything about a person that decides what they may see and do."""

    roles: RoleMap
    read_access: bool


NO_ACCESS = Access(RoleMap(frozenset(), {}, {}), read_access=False)


def access(user: User) -> Access:
    """One query whatever the number of grants; cached on the user object for the request
    (an API call or a page asks about roles many times: visibility, policies, header)."""
    if not _is_person(user):
        return NO_ACCESS
    cached = getattr(user, "_tutela_access", None)
    if cached is None:
        cached = _load_access(user.pk)
        user._tutela_access = cached
    return cached


def _load_access(user_id: int) -> Access:
    everywhere: set[Role] = set()
    by_team: dict[int, set[Role]] = {}
    by_model: dict[int, set[Role]] = {}
    read_access = False
    with connection.cursor() as cursor:
        cursor.execute(*_access_query(user_id))
        for kind, name, scope, pk in cursor.fetchall():
            if kind == "role":
                everywhere.add(Role(name))
            elif kind == "read":
                read_access = True
            else:
                target = by_team if scope == "team" else by_model
                target.setdefault(int(pk), set()).add(ROLE_BY_CODENAME[name])
    roles = RoleMap(
        frozenset(everywhere),
        {pk: frozenset(held) for pk, held in by_team.items()},
        {pk: frozenset(held) for pk, held in by_model.items()},
    )
    return Access(roles, read_access)


@cache
def _access_sql() -> str:
    """Global roles (groups named after a role), the auditors' view permission (directly or
    through a group) and the role grants (guardian object permissions of the person only,
    as role_grant writes them), as one UNION. Plain SQL: the ORM would spend more time
    compiling three querysets than the database spends answering them."""
    table = lambda model: connection.ops.quote_name(model._meta.db_table)  # noqa: E731
    person = get_user_model()
    user_groups = table(person.groups.through)
    user_permissions = table(person.user_permissions.through)
    group, permission = table(Group), table(Permission)
    group_permissions = table(Group.permissions.through)
    content_type, grants = table(ContentType), table(UserObjectPermission)
    role_names = ", ".join(["%s"] * len(Role.values))
    codenames = ", ".join(["%s"] * len(ROLE_BY_CODENAME))
    return f"""
        SELECT 'role', g.name, NULL, NULL FROM {group} g
          JOIN {user_groups} ug ON ug.group_id = g.id
         WHERE ug.user_id = %s AND g.name IN ({role_names})
        UNION ALL
        SELECT 'read', p.codename, NULL, NULL FROM {permission} p
          JOIN {content_type} ct ON ct.id = p.content_type_id
         WHERE ct.app_label = 'governance' AND p.codename = 'view_registeredmodel'
           AND (p.id IN (SELECT up.permission_id FROM {user_permissions} up
                          WHERE up.user_id = %s)
                OR p.id IN (SELECT gp.permission_id FROM {group_permissions} gp
                              JOIN {user_groups} ug ON ug.group_id = gp.group_id
                             WHERE ug.user_id = %s))
        UNION ALL
        SELECT 'grant', p.codename, ct.model, uop.object_pk FROM {grants} uop
          JOIN {permission} p ON p.id = uop.permission_id
          JOIN {content_type} ct ON ct.id = uop.content_type_id
         WHERE uop.user_id = %s AND p.codename IN ({codenames})
    """


def _access_query(user_id: int) -> tuple[str, list]:
    params = [user_id, *Role.values, user_id, user_id, user_id, *ROLE_BY_CODENAME]
    return _access_sql(), params
