from django.db import IntegrityError, transaction

from governance import audit, policies
from governance.actors import Actor
from governance.exceptions import Conflict
from governance.models import AuditEventType, Team
from governance.services.common import save_governed


@transaction.atomic
def team_create(*, actor: Actor, slug: str, name: str, description: str = "") -> Team:
    """Create a team; only governance admins shape the organisation."""
    policies.require_can_manage_teams(actor)
    team = Team(slug=slug, name=name, description=description)
    # Validate before the slug is used in a query: PostgreSQL refuses NUL bytes there.
    team.full_clean(validate_unique=False, validate_constraints=False)
    if Team.objects.filter(slug=slug).exists():
        raise Conflict(f"A team '{slug}' already exists.")
    try:
        with transaction.atomic():
            save_governed(team, actor=actor, reason="created")
    except IntegrityError:
        raise Conflict(f"A team '{slug}' already exists.") from None
    audit.record(
        event_type=AuditEventType.TEAM_CREATED,
        actor=actor,
        details={"team": team.slug, "name": team.name},
    )
    return team
