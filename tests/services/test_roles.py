"""role_grant and role_revoke: governance admins (global, or of the team in scope) and
superusers give and take roles for everything, one team or one model; the change counts
at once and is audited."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError

from governance.exceptions import Conflict
from governance.models import RegisteredModel, Role
from governance.roles import roles_on_model, roles_on_team
from governance.services.roles import role_grant, role_revoke
from tests.db_state import audit_mark, new_events, nothing_written
from tests.factories import RegisteredModelFactory, UserFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def newcomer(db):
    return UserFactory(username="newcomer")


@pytest.fixture
def global_admin(db):
    user = UserFactory(username="global_admin")
    grant(user, Role.GOVERNANCE_ADMIN)
    return user


@pytest.fixture
def other_model(other_team, personas):
    return RegisteredModelFactory(
        name="campaign-uplift", team=other_team, owner=personas["other_team_lead"]
    )


def fresh(user):  # noqa: ANN001, ANN201 - a new instance: no roles cached on it
    return get_user_model().objects.get(pk=user.pk)


def role_events(mark: int) -> list[tuple]:
    return [(event[0], event[1], event[2], event[5]) for event in new_events(mark)]


# --- granting -------------------------------------------------------------------------


def test_global_admin_grants_a_role_for_everything(global_admin, newcomer, model, other_model):
    assert roles_on_model(fresh(newcomer), model) == frozenset()
    mark = audit_mark()

    role_grant(actor=global_admin, user_id=newcomer.pk, role="risk_officer")

    assert list(newcomer.groups.values_list("name", flat=True)) == ["risk_officer"]
    assert roles_on_model(fresh(newcomer), model) == {Role.RISK_OFFICER}
    assert roles_on_model(fresh(newcomer), other_model) == {Role.RISK_OFFICER}
    assert role_events(mark) == [
        (
            "role.granted",
            "global_admin",
            None,
            {"user": "newcomer", "role": "risk_officer", "scope": "global"},
        )
    ]


def test_team_admin_grants_a_role_for_the_teams_models(
    personas, newcomer, team, model, other_model
):
    mark = audit_mark()

    role_grant(actor=personas["admin"], user_id=newcomer.pk, role="ml_lead", team_id=team.pk)

    assert roles_on_team(fresh(newcomer), team) == {Role.ML_LEAD}
    assert roles_on_model(fresh(newcomer), model) == {Role.ML_LEAD}
    assert roles_on_model(fresh(newcomer), other_model) == frozenset()
    assert newcomer.has_perm("governance.act_as_ml_lead", team)
    assert role_events(mark) == [
        (
            "role.granted",
            "admin",
            None,
            {"user": "newcomer", "role": "ml_lead", "scope": "team:fraud"},
        )
    ]


def test_team_admin_grants_a_role_for_one_model_of_the_team(personas, newcomer, team, model):
    sibling = RegisteredModelFactory(name="fraud-scorer", team=team, owner=personas["lead"])
    mark = audit_mark()

    role_grant(actor=personas["admin"], user_id=newcomer.pk, role="legal", model_id=model.pk)

    assert roles_on_model(fresh(newcomer), model) == {Role.LEGAL}
    assert roles_on_model(fresh(newcomer), sibling) == frozenset()
    assert roles_on_team(fresh(newcomer), team) == frozenset()
    assert role_events(mark) == [
        (
            "role.granted",
            "admin",
            model.pk,
            {"user": "newcomer", "role": "legal", "scope": "model:customer-churn-predictor"},
        )
    ]


def test_superuser_grants_any_role_anywhere(personas, newcomer, other_team):
    role_grant(actor=personas["superuser"], user_id=newcomer.pk, role="governance_admin")
    role_grant(
        actor=personas["superuser"], user_id=newcomer.pk, role="legal", team_id=other_team.pk
    )

    assert roles_on_team(fresh(newcomer), other_team) == {Role.GOVERNANCE_ADMIN, Role.LEGAL}


def test_global_admin_grants_roles_on_any_team(global_admin, newcomer, other_team):
    role_grant(actor=global_admin, user_id=newcomer.pk, role="ml_lead", team_id=other_team.pk)

    assert roles_on_team(fresh(newcomer), other_team) == {Role.ML_LEAD}


def test_the_same_role_can_be_held_globally_and_for_a_team(global_admin, newcomer, team):
    role_grant(actor=global_admin, user_id=newcomer.pk, role="ml_lead")
    role_grant(actor=global_admin, user_id=newcomer.pk, role="ml_lead", team_id=team.pk)

    assert roles_on_team(fresh(newcomer), team) == {Role.ML_LEAD}


@pytest.mark.parametrize(
    "scope", [{}, {"team_id": "team"}, {"model_id": "model"}], ids=["global", "team", "model"]
)
def test_granting_a_role_twice_is_a_conflict(global_admin, newcomer, team, model, scope):
    ids = {key: (team if value == "team" else model).pk for key, value in scope.items()}
    role_grant(actor=global_admin, user_id=newcomer.pk, role="ml_lead", **ids)

    with nothing_written(), pytest.raises(Conflict, match="newcomer already holds ml_lead"):
        role_grant(actor=global_admin, user_id=newcomer.pk, role="ml_lead", **ids)


@pytest.mark.parametrize(
    "persona", ["admin", "lead", "risk_officer", "engineer", "no_role", "global_risk"]
)
def test_only_global_admins_and_superusers_grant_global_roles(personas, newcomer, persona):
    with nothing_written(), pytest.raises(PermissionDenied, match="grant or revoke roles"):
        role_grant(actor=personas[persona], user_id=newcomer.pk, role="ml_lead")

    assert not newcomer.groups.exists()


@pytest.mark.parametrize(
    "persona", ["lead", "risk_officer", "legal", "engineer", "no_role", "other_team_lead"]
)
def test_people_who_are_not_governance_admins_cannot_grant_team_roles(
    personas, newcomer, team, persona
):
    with nothing_written(), pytest.raises(PermissionDenied, match="grant or revoke roles"):
        role_grant(actor=personas[persona], user_id=newcomer.pk, role="ml_lead", team_id=team.pk)


def test_team_admin_cannot_grant_on_another_team_or_its_models(
    personas, newcomer, other_team, other_model
):
    with nothing_written():
        with pytest.raises(PermissionDenied, match="on marketing"):
            role_grant(
                actor=personas["admin"], user_id=newcomer.pk, role="legal", team_id=other_team.pk
            )
        with pytest.raises(PermissionDenied, match="on campaign-uplift"):
            role_grant(
                actor=personas["admin"],
                user_id=newcomer.pk,
                role="legal",
                model_id=other_model.pk,
            )


def test_admin_of_one_model_cannot_grant_on_its_team(personas, newcomer, team, model):
    model_admin = UserFactory(username="model_admin")
    grant(model_admin, Role.GOVERNANCE_ADMIN, model)

    role_grant(actor=model_admin, user_id=newcomer.pk, role="ml_lead", model_id=model.pk)
    with nothing_written(), pytest.raises(PermissionDenied):
        role_grant(actor=model_admin, user_id=newcomer.pk, role="ml_lead", team_id=team.pk)


def test_an_inactive_superuser_cannot_grant_roles(personas, newcomer):
    superuser = personas["superuser"]
    superuser.is_active = False
    superuser.save()

    with nothing_written(), pytest.raises(PermissionDenied):
        role_grant(actor=superuser, user_id=newcomer.pk, role="ml_lead")


@pytest.mark.parametrize("role", ["wizard", "ML_LEAD", "", None, "act_as_ml_lead", "auditors"])
def test_unknown_roles_are_refused_naming_the_field(global_admin, newcomer, role):
    with nothing_written(), pytest.raises(ValidationError) as caught:
        role_grant(actor=global_admin, user_id=newcomer.pk, role=role)

    assert list(caught.value.message_dict) == ["role"]
    assert "Unknown role" in caught.value.message_dict["role"][0]


def test_a_role_is_granted_for_a_team_or_a_model_not_both(global_admin, newcomer, team, model):
    with nothing_written(), pytest.raises(ValidationError) as caught:
        role_grant(
            actor=global_admin,
            user_id=newcomer.pk,
            role="ml_lead",
            team_id=team.pk,
            model_id=model.pk,
        )

    assert list(caught.value.message_dict) == ["scope"]


def test_granting_for_a_model_that_does_not_exist_is_refused(global_admin, newcomer):
    with nothing_written(), pytest.raises(RegisteredModel.DoesNotExist):
        role_grant(actor=global_admin, user_id=newcomer.pk, role="ml_lead", model_id=999_999)


# --- revoking -------------------------------------------------------------------------


def test_global_admin_revokes_a_global_role(global_admin, newcomer, model):
    grant(newcomer, Role.RISK_OFFICER)
    mark = audit_mark()

    role_revoke(actor=global_admin, user_id=newcomer.pk, role="risk_officer")

    assert not newcomer.groups.exists()
    assert roles_on_model(fresh(newcomer), model) == frozenset()
    assert role_events(mark) == [
        (
            "role.revoked",
            "global_admin",
            None,
            {"user": "newcomer", "role": "risk_officer", "scope": "global"},
        )
    ]


def test_team_admin_revokes_a_team_role(personas, team, model):
    mark = audit_mark()

    role_revoke(
        actor=personas["admin"], user_id=personas["lead2"].pk, role="ml_lead", team_id=team.pk
    )

    assert roles_on_model(fresh(personas["lead2"]), model) == frozenset()
    assert role_events(mark) == [
        ("role.revoked", "admin", None, {"user": "lead2", "role": "ml_lead", "scope": "team:fraud"})
    ]


def test_revoking_a_model_role_keeps_the_team_role(personas, newcomer, team, model):
    grant(newcomer, Role.ML_LEAD, team)
    grant(newcomer, Role.LEGAL, model)
    mark = audit_mark()

    role_revoke(actor=personas["admin"], user_id=newcomer.pk, role="legal", model_id=model.pk)

    assert roles_on_model(fresh(newcomer), model) == {Role.ML_LEAD}
    assert role_events(mark)[0][2] == model.pk


def test_revoking_a_team_role_leaves_a_global_grant_of_the_same_role(
    global_admin, newcomer, team, model
):
    grant(newcomer, Role.ML_LEAD)
    grant(newcomer, Role.ML_LEAD, team)

    role_revoke(actor=global_admin, user_id=newcomer.pk, role="ml_lead", team_id=team.pk)

    assert roles_on_model(fresh(newcomer), model) == {Role.ML_LEAD}


@pytest.mark.parametrize(
    "scope", [{}, {"team_id": "team"}, {"model_id": "model"}], ids=["global", "team", "model"]
)
def test_revoking_a_role_not_held_is_a_conflict(global_admin, newcomer, team, model, scope):
    ids = {key: (team if value == "team" else model).pk for key, value in scope.items()}

    with nothing_written(), pytest.raises(Conflict, match="newcomer does not hold ml_lead"):
        role_revoke(actor=global_admin, user_id=newcomer.pk, role="ml_lead", **ids)


@pytest.mark.parametrize("persona", ["lead", "risk_officer", "engineer", "no_role", "lead2"])
def test_people_who_are_not_governance_admins_cannot_revoke(personas, team, persona):
    with nothing_written(), pytest.raises(PermissionDenied, match="grant or revoke roles"):
        role_revoke(
            actor=personas[persona], user_id=personas["lead2"].pk, role="ml_lead", team_id=team.pk
        )

    assert Role.ML_LEAD in roles_on_team(fresh(personas["lead2"]), team)


def test_team_admin_cannot_revoke_a_global_role(personas):
    with nothing_written(), pytest.raises(PermissionDenied):
        role_revoke(
            actor=personas["admin"], user_id=personas["global_risk"].pk, role="risk_officer"
        )
