"""model_register and model_update: who may, what is recorded, what is refused."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from governance.actors import RETIREMENT
from governance.exceptions import Conflict
from governance.models import RegisteredModel, Team
from governance.services.registered_models import model_register, model_update
from tests.db_state import audit_mark, history, new_events, nothing_written
from tests.factories import UserFactory, grant


def _register(personas: dict, team: Team, actor: str = "engineer", **kwargs) -> RegisteredModel:
    fields = {
        "name": "fraud-detector",
        "team_id": team.pk,
        "owner_id": personas["lead"].pk,
        "risk_level": "high",
        **kwargs,
    }
    return model_register(actor=personas[actor], **fields)


# --- model_register ------------------------------------------------------------------


def test_engineer_registers_a_model_for_the_team(personas, team):
    mark = audit_mark()

    model = _register(personas, team, description="Flags card fraud.")

    model = RegisteredModel.objects.get(pk=model.pk)
    assert (model.name, model.team, model.owner, model.risk_level) == (
        "fraud-detector",
        team,
        personas["lead"],
        "high",
    )
    assert (model.description, model.auto_deprecate, model.grace_period_days) == (
        "Flags card fraud.",
        False,
        30,
    )
    assert new_events(mark) == [
        (
            "model.registered",
            "engineer",
            model.pk,
            None,
            None,
            {"name": "fraud-detector", "team": "fraud", "owner": "lead", "risk_level": "high"},
        )
    ]
    assert history(model) == [("+", "engineer", "registered")]


def test_model_registered_with_its_retirement_policy(personas, team):
    model = _register(personas, team, actor="lead", auto_deprecate=True, grace_period_days=7)

    model.refresh_from_db()
    assert (model.auto_deprecate, model.grace_period_days) == (True, 7)


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("engineer", True),
        ("lead", True),
        ("risk_officer", False),
        ("legal", False),
        ("admin", False),
        ("global_risk", False),
        ("other_team_lead", False),
        ("no_role", False),
        ("superuser", False),
    ],
)
def test_who_may_register_a_model(personas, team, persona, allowed):
    if allowed:
        assert _register(personas, team, actor=persona).team == team
        return
    with nothing_written(), pytest.raises(PermissionDenied) as refused:
        _register(personas, team, actor=persona)
    assert str(refused.value) == (
        "To register a model you need one of these roles on fraud: ml_engineer, ml_lead."
    )


def test_role_on_one_model_does_not_let_you_register_models_for_its_team(personas, team, model):
    engineer_of_one_model = UserFactory(username="model-engineer")
    grant(engineer_of_one_model, "ml_engineer", model)
    personas = {**personas, "model-engineer": engineer_of_one_model}

    with nothing_written(), pytest.raises(PermissionDenied):
        _register(personas, team, actor="model-engineer")


def test_system_cannot_register_a_model(personas, team):
    with nothing_written(), pytest.raises(PermissionDenied):
        model_register(
            actor=RETIREMENT,
            name="fraud-detector",
            team_id=team.pk,
            owner_id=personas["lead"].pk,
            risk_level="low",
        )


def test_taken_name_is_a_conflict(personas, team, other_team, model):
    with nothing_written(), pytest.raises(Conflict) as refused:
        _register(personas, team, name="customer-churn-predictor")

    assert str(refused.value) == "A model named 'customer-churn-predictor' already exists."


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "Fraud Detector"}, "name"),
        ({"name": "fraud/detector"}, "name"),
        ({"name": "fraud\ndetector"}, "name"),
        ({"name": "fraud\x00"}, "name"),
        ({"name": ""}, "name"),
        ({"name": "-fraud"}, "name"),
        ({"name": "f" * 101}, "name"),
        ({"risk_level": "extreme"}, "risk_level"),
        ({"risk_level": "HIGH"}, "risk_level"),
        ({"grace_period_days": 0}, "grace_period_days"),
        ({"grace_period_days": 366}, "grace_period_days"),
        ({"description": "bell\x07"}, "description"),
        ({"description": "x" * 10_001}, "description"),
        ({"owner_id": 999_999}, "owner"),
        ({"owner_id": "lead"}, "owner"),
    ],
)
def test_register_refuses_bad_input_naming_the_field(personas, team, fields, field):
    with nothing_written(), pytest.raises(ValidationError) as refused:
        _register(personas, team, **fields)

    assert list(refused.value.message_dict) == [field]


def test_inactive_owner_is_refused(personas, team):
    gone = UserFactory(username="gone", is_active=False)

    with nothing_written(), pytest.raises(ValidationError) as refused:
        _register(personas, team, owner_id=gone.pk)

    assert refused.value.message_dict == {"owner": ["Choose an active user as the owner."]}


# --- model_update --------------------------------------------------------------------


def test_lead_edits_the_description(personas, model):
    mark = audit_mark()

    updated = model_update(
        actor=personas["lead"], model_id=model.pk, changes={"description": "Monthly churn."}
    )

    updated.refresh_from_db()
    assert updated.description == "Monthly churn."
    assert new_events(mark) == [
        (
            "model.updated",
            "lead",
            model.pk,
            None,
            None,
            {"before": {"description": ""}, "after": {"description": "Monthly churn."}},
        )
    ]
    assert history(updated)[-1] == ("~", "lead", "updated")


def test_owner_change_is_recorded_by_username(personas, model):
    mark = audit_mark()

    model_update(
        actor=personas["admin"], model_id=model.pk, changes={"owner": personas["lead2"].pk}
    )

    model.refresh_from_db()
    assert model.owner == personas["lead2"]
    assert new_events(mark)[0][5] == {"before": {"owner": "lead"}, "after": {"owner": "lead2"}}


def test_risk_change_is_its_own_event(personas, model):
    mark = audit_mark()

    model_update(
        actor=personas["risk_officer"],
        model_id=model.pk,
        changes={"risk_level": "critical", "grace_period_days": 14},
    )

    model.refresh_from_db()
    assert (model.risk_level, model.grace_period_days) == ("critical", 14)
    assert new_events(mark) == [
        (
            "model.risk_changed",
            "risk_officer",
            model.pk,
            None,
            None,
            {
                "before": {"grace_period_days": 30, "risk_level": "medium"},
                "after": {"grace_period_days": 14, "risk_level": "critical"},
            },
        )
    ]
    assert history(model)[-1] == ("~", "risk_officer", "updated")


EDIT_MESSAGE = "To edit the model you need one of these roles on {m}: governance_admin, ml_lead."
RISK_MESSAGE = (
    "To change the risk level you need one of these roles on {m}: governance_admin, risk_officer."
)
POLICY_MESSAGE = (
    "To change the model's policy you need one of these roles on {m}: "
    "governance_admin, risk_officer."
)


@pytest.mark.parametrize(
    ("changes", "persona", "refusal"),
    [
        ({"description": "New."}, "lead", None),
        ({"description": "New."}, "lead2", None),
        ({"description": "New."}, "admin", None),
        ({"description": "New."}, "engineer", EDIT_MESSAGE),
        ({"description": "New."}, "risk_officer", EDIT_MESSAGE),
        ({"description": "New."}, "legal", EDIT_MESSAGE),
        ({"description": "New."}, "other_team_lead", EDIT_MESSAGE),
        ({"description": "New."}, "superuser", EDIT_MESSAGE),
        ({"risk_level": "high"}, "risk_officer", None),
        ({"risk_level": "high"}, "global_risk", None),
        ({"risk_level": "low"}, "admin", None),
        ({"risk_level": "high"}, "lead", RISK_MESSAGE),
        ({"risk_level": "low"}, "lead", RISK_MESSAGE),
        ({"risk_level": "high"}, "engineer", RISK_MESSAGE),
        ({"risk_level": "high"}, "legal", RISK_MESSAGE),
        ({"risk_level": "high"}, "no_role", RISK_MESSAGE),
        ({"auto_deprecate": True}, "risk_officer", None),
        ({"grace_period_days": 60}, "admin", None),
        ({"auto_deprecate": True}, "lead", POLICY_MESSAGE),
        ({"grace_period_days": 60}, "lead", POLICY_MESSAGE),
        ({"grace_period_days": 60}, "engineer", POLICY_MESSAGE),
        ({"risk_level": "high", "description": "New."}, "risk_officer", EDIT_MESSAGE),
        ({"risk_level": "high", "description": "New."}, "lead", RISK_MESSAGE),
        ({"risk_level": "high", "description": "New."}, "admin", None),
    ],
)
def test_who_may_change_what_on_a_model(personas, model, changes, persona, refusal):
    if refusal is None:
        model_update(actor=personas[persona], model_id=model.pk, changes=changes)
        model.refresh_from_db()
        assert {field: getattr(model, field) for field in changes} == changes
        return
    with nothing_written(), pytest.raises(PermissionDenied) as refused:
        model_update(actor=personas[persona], model_id=model.pk, changes=changes)
    assert str(refused.value) == refusal.format(m="customer-churn-predictor")


@pytest.mark.parametrize(
    "changes",
    [{}, {"description": ""}, {"risk_level": "medium", "auto_deprecate": False}],
)
def test_update_that_changes_nothing_writes_nothing(personas, model, changes):
    with nothing_written():
        model_update(actor=personas["admin"], model_id=model.pk, changes=changes)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "renamed"}, "name"),
        ({"team": 2}, "team"),
        ({"created_at": None}, "created_at"),
        ({"risk_level": "extreme"}, "risk_level"),
        ({"grace_period_days": 0}, "grace_period_days"),
        ({"grace_period_days": 400}, "grace_period_days"),
        ({"description": "nul\x00"}, "description"),
        ({"owner": 999_999}, "owner"),
    ],
)
def test_update_refuses_bad_input_naming_the_field(personas, model, changes, field):
    with nothing_written(), pytest.raises(ValidationError) as refused:
        model_update(actor=personas["admin"], model_id=model.pk, changes=changes)

    assert list(refused.value.message_dict) == [field]


def test_inactive_owner_is_refused_on_update(personas, model):
    gone = UserFactory(username="gone", is_active=False)

    with nothing_written(), pytest.raises(ValidationError) as refused:
        model_update(actor=personas["lead"], model_id=model.pk, changes={"owner": gone.pk})

    assert refused.value.message_dict == {"owner": ["Choose an active user as the owner."]}


def test_an_unchanged_update_is_still_refused_to_people_without_the_role(personas, model):
    with nothing_written(), pytest.raises(PermissionDenied):
        model_update(
            actor=personas["no_role"], model_id=model.pk, changes={"risk_level": model.risk_level}
        )


def test_changes_that_are_not_an_object_are_refused(personas, model):
    with nothing_written(), pytest.raises(ValidationError) as refused:
        model_update(actor=personas["admin"], model_id=model.pk, changes=["risk_level"])

    assert refused.value.message_dict == {"changes": ["Expected an object of model fields."]}
