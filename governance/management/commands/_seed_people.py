"""The demo people: created once with the ORM, their roles granted through the role service.

Shared by seed_demo and seed_scale. The leading underscore keeps Django from listing
this module as a management command.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import AbstractBaseUser, Group

from governance.actors import SEED, Actor
from governance.bootstrap import AUDITORS_GROUP
from governance.models import Role, Team
from governance.roles import forget_cached_roles, global_roles, scoped_roles
from governance.services.roles import role_grant

DEMO_PASSWORD = "tutela-demo"


@dataclass(frozen=True)
class Persona:
    """A demo login: a global role (or read-only auditor access) and what they do."""

    username: str
    role: Role | None
    does: str
    # Staff: demo users can also try the admin portal (limited by their roles).
    staff: bool = True


PERSONAS = (
    Persona("admin", Role.GOVERNANCE_ADMIN, "teams, people and roles (admin portal)"),
    Persona("engineer", Role.ML_ENGINEER, "registers versions, reports metrics and deployments"),
    Persona("lead", Role.ML_LEAD, "approves production requests as ml_lead"),
    Persona("risk", Role.RISK_OFFICER, "works the review queue as risk_officer"),
    Persona("legal", Role.LEGAL, "approves high and critical risk promotions"),
    Persona("auditor", None, "read-only: history and audit trail"),
)


class SeedLog:
    """Counts what a seed run created, so a second run can say it changed nothing."""

    def __init__(self) -> None:
        self.created: dict[str, int] = {}

    def add(self, what: str, count: int = 1) -> None:
        self.created[what] = self.created.get(what, 0) + count

    @property
    def empty(self) -> bool:
        return not self.created


def password_hash() -> str | None:
    """Hashed once and shared: PBKDF2 is slow on purpose, and this password is public."""
    return make_password(DEMO_PASSWORD) if settings.DEBUG else None


def ensure_user(
    username: str, *, staff: bool, log: SeedLog, password: str | None
) -> AbstractBaseUser:
    """Create the user if absent. An existing user keeps their password, unless they have
    none yet and DEBUG now provides one (a first run without DEBUG left it unusable)."""
    user_model = get_user_model()
    user = user_model.objects.filter(username=username).first()
    if user is not None:
        if password is not None and not user.has_usable_password():
            user.password = password
            user.save(update_fields=["password"])
            log.add("demo passwords set")
        return user
    user = user_model(username=username, email=f"{username}@example.com", is_staff=staff)
    if password is None:
        user.set_unusable_password()
    else:
        user.password = password
    user.save()
    log.add("users")
    return user


def ensure_people(
    personas: Iterable[Persona], log: SeedLog, *, password: str | None
) -> dict[str, AbstractBaseUser]:
    people = {
        persona.username: ensure_user(
            persona.username, staff=persona.staff, log=log, password=password
        )
        for persona in personas
    }
    if "auditor" in people:
        # Auditors are not a governance role, so no role service grants them; the group
        # only opens read-only admin pages.
        people["auditor"].groups.add(Group.objects.get(name=AUDITORS_GROUP))
    return people


def ensure_global_role(user: AbstractBaseUser, role: Role, *, actor: Actor, log: SeedLog) -> None:
    forget_cached_roles(user)
    if role in global_roles(user):
        return
    role_grant(actor=actor, user_id=user.pk, role=role)
    forget_cached_roles(user)
    log.add("role grants")


def ensure_team_role(
    user: AbstractBaseUser, role: Role, team: Team, *, actor: Actor, log: SeedLog
) -> None:
    forget_cached_roles(user)
    if role in scoped_roles(user, team_id=team.pk):
        return
    role_grant(actor=actor, user_id=user.pk, role=role, team_id=team.pk)
    forget_cached_roles(user)
    log.add("role grants")


def ensure_personas(log: SeedLog, *, password: str | None) -> dict[str, AbstractBaseUser]:
    """The demo logins with their global roles. The seed task appoints the first
    governance admin (nobody else could); that admin grants every other role."""
    people = ensure_people(PERSONAS, log, password=password)
    admin = people["admin"]
    ensure_global_role(admin, Role.GOVERNANCE_ADMIN, actor=SEED, log=log)
    for persona in PERSONAS:
        if persona.role is not None and persona.username != "admin":
            ensure_global_role(people[persona.username], persona.role, actor=admin, log=log)
    return people


def password_note() -> str:
    if settings.DEBUG:
        return f"password for every demo login: {DEMO_PASSWORD}"
    return (
        "DEBUG is off, so demo logins have no usable password; set one with "
        "`python manage.py changepassword <username>`."
    )
