"""team_create: only global governance admins (and superusers) shape the organisation."""

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError

from governance.exceptions import Conflict
from governance.models import Team
from governance.services.teams import team_create
from tests.db_state import audit_mark, history, new_events, nothing_written
from tests.factories import UserFactory, grant


@pytest.fixture
def global_admin(db: None) -> User:
    admin = UserFactory(username="global_admin")
    grant(admin, "governance_admin")
    return admin


def test_global_governance_admin_creates_a_team(global_admin):
    mark = audit_mark()

    team = team_create(
        actor=global_admin, slug="credit-risk", name="Credit risk", description="Scorecards."
    )

    team = Team.objects.get(pk=team.pk)
    assert (team.slug, team.name, team.description) == ("credit-risk", "Credit risk", "Scorecards.")
    assert new_events(mark) == [
        (
            "team.created",
            "global_admin",
            None,
            None,
            None,
            {"team": "credit-risk", "name": "Credit risk"},
        )
    ]
    assert history(team) == [("+", "global_admin", "created")]


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("superuser", True),
        ("admin", False),  # governance_admin of one team only
        ("lead", False),
        ("engineer", False),
        ("risk_officer", False),
        ("global_risk", False),
        ("no_role", False),
    ],
)
def test_who_may_create_a_team(personas, persona, allowed):
    def call() -> Team:
        return team_create(actor=personas[persona], slug="credit-risk", name="Credit risk")

    if allowed:
        assert call().slug == "credit-risk"
        return
    with nothing_written(), pytest.raises(PermissionDenied) as refused:
        call()
    assert str(refused.value) == (
        "To create or rename teams you need one of these roles on everything: governance_admin."
    )


def test_taken_slug_is_a_conflict(global_admin, team):
    with nothing_written(), pytest.raises(Conflict) as refused:
        team_create(actor=global_admin, slug="fraud", name="Fraud again")

    assert str(refused.value) == "A team 'fraud' already exists."


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"slug": "Credit Risk"}, "slug"),
        ({"slug": "credit/risk"}, "slug"),
        ({"slug": "credit\x00"}, "slug"),
        ({"slug": ""}, "slug"),
        ({"slug": "c" * 101}, "slug"),
        ({"name": ""}, "name"),
        ({"name": "two\nlines"}, "name"),
        ({"name": "n" * 201}, "name"),
        ({"description": "bell\x07"}, "description"),
    ],
)
def test_create_refuses_bad_input_naming_the_field(global_admin, fields, field):
    with nothing_written(), pytest.raises(ValidationError) as refused:
        team_create(actor=global_admin, **{"slug": "credit-risk", "name": "Credit", **fields})

    assert list(refused.value.message_dict) == [field]
