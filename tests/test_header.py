"""The page header names who is signed in and every role they hold."""

import pytest

from governance.models import Role
from tests.factories import RegisteredModelFactory, grant


def header(client, user) -> str:  # noqa: ANN001
    client.force_login(user)
    page = client.get("/").content.decode()
    return page.split('class="who-roles">')[1].split("</span>")[0]


@pytest.mark.parametrize(
    ("persona", "shown"),
    [
        ("engineer", "ml_engineer on fraud"),
        ("global_risk", "risk_officer"),
        ("no_role", "no role"),
    ],
)
def test_header_lists_the_roles_held(client, personas, persona, shown):
    assert header(client, personas[persona]) == shown


def test_header_names_team_and_model_grants_together(client, personas, other_team):
    scorer = RegisteredModelFactory(name="fraud-scorer", team=other_team)
    grant(personas["engineer"], Role.LEGAL, scorer)
    grant(personas["engineer"], Role.RISK_OFFICER)

    assert header(client, personas["engineer"]) == (
        "risk_officer, legal on fraud-scorer, ml_engineer on fraud"
    )
