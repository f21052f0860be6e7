"""Bad input through the services: refused with a message naming the field, nothing written
and no partial audit event (DESIGN.md, issue 2 "Bad input")."""

import math

import pytest
from django.core.exceptions import ValidationError

from governance.exceptions import DomainError, InvalidTransition
from governance.models import ModelVersion, RegisteredModel
from governance.services.approvals import approval_create, approval_decide, approval_revoke
from governance.services.registered_models import model_register, model_update
from governance.services.versions import version_deprecate, version_register, version_update_card
from tests.db_state import audit_mark, new_events, nothing_written
from tests.workflows import promote, request_promotion

pytestmark = pytest.mark.django_db


def refused_fields(call, **kwargs) -> dict[str, list[str]]:  # noqa: ANN001
    """Call a service expecting a ValidationError and nothing written; return its fields."""
    with nothing_written(), pytest.raises(ValidationError) as caught:
        call(**kwargs)
    return caught.value.message_dict


def refused_domain(call, **kwargs) -> str:  # noqa: ANN001
    with nothing_written(), pytest.raises(DomainError) as caught:
        call(**kwargs)
    return caught.value.message


@pytest.fixture
def staging_request(personas, version):
    return request_promotion(version, personas, "staging")


# --- stages, roles, decisions, risk levels --------------------------------------------


@pytest.mark.parametrize("target", ["live", "Production", "", "prod"])
def test_unknown_target_stage_is_refused_naming_the_stage(personas, version, target):
    message = refused_domain(
        approval_create,
        actor=personas["engineer"],
        version_id=version.pk,
        target_stage=target,
        justification="Ready.",
    )

    assert message == (
        f"Unknown stage '{target}'. Stages: development, staging, production, deprecated, retired."
    )


def test_a_stage_that_needs_no_approval_cannot_be_requested(personas, version):
    with nothing_written(), pytest.raises(InvalidTransition, match="cannot move to deprecated"):
        approval_create(
            actor=personas["lead"],
            version_id=version.pk,
            target_stage="deprecated",
            justification="Ready.",
        )


@pytest.mark.parametrize("role", ["wizard", "ML_ENGINEER", "auditors"])
def test_unknown_decision_role_is_refused_naming_the_role(personas, staging_request, role):
    message = refused_domain(
        approval_decide,
        actor=personas["engineer2"],
        request_id=staging_request.pk,
        approve=True,
        note="",
        role=role,
    )

    assert message.startswith(f"Unknown role '{role}'. Roles: ml_engineer, ml_lead,")


@pytest.mark.parametrize("decision", ["yes", "approved", 1, 0, None])
def test_a_decision_that_is_not_approve_or_reject_is_refused(personas, staging_request, decision):
    fields = refused_fields(
        approval_decide,
        actor=personas["engineer2"],
        request_id=staging_request.pk,
        approve=decision,
        note="Fine.",
    )

    assert fields == {"decision": ["Choose approved or rejected."]}


@pytest.mark.parametrize("risk_level", ["extreme", "HIGH", "", None])
def test_unknown_risk_level_is_refused_when_registering(personas, team, risk_level):
    fields = refused_fields(
        model_register,
        actor=personas["lead"],
        name="fraud-scorer",
        team_id=team.pk,
        owner_id=personas["lead"].pk,
        risk_level=risk_level,
    )

    assert list(fields) == ["risk_level"]


def test_unknown_risk_level_is_refused_when_updating(personas, model):
    fields = refused_fields(
        model_update,
        actor=personas["risk_officer"],
        model_id=model.pk,
        changes={"risk_level": "severe"},
    )

    assert list(fields) == ["risk_level"]
    model.refresh_from_db()
    assert model.risk_level == "medium"


# --- names and versions ---------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["team/model", "churn model", "Customer-Churn", "churn\x00", "churn\n", "churn\t", "a" * 101],
)
def test_model_names_with_slashes_spaces_capitals_or_control_characters_are_refused(
    personas, team, name
):
    fields = refused_fields(
        model_register,
        actor=personas["lead"],
        name=name,
        team_id=team.pk,
        owner_id=personas["lead"].pk,
        risk_level="low",
    )

    assert list(fields) == ["name"]


@pytest.mark.parametrize(
    "value",
    ["v1", "1.0.0-", " 1.0", "1.0\n", "1.0\x00", "latest", "1.0.0-" + "a" * 59, "", None],
)
def test_versions_that_are_neither_pep440_nor_semver_are_refused(personas, model, value):
    fields = refused_fields(
        version_register, actor=personas["engineer"], model_id=model.pk, version=value
    )

    assert list(fields) == ["version"]


@pytest.mark.parametrize("value", ["2.4.1", "1.0rc1", "1.0.0-beta.2+build.5", "2024.10", "2.4"])
def test_pep440_and_semantic_versions_are_registered(personas, model, value):
    mark = audit_mark()

    registered = version_register(actor=personas["engineer"], model_id=model.pk, version=value)

    assert ModelVersion.objects.get(pk=registered.pk).version == value
    assert [event[0] for event in new_events(mark)] == ["model.version_registered"]


# --- text limits ------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["intended_use", "training_data_description"])
def test_card_text_over_10000_characters_is_refused(personas, version, field):
    fields = refused_fields(
        version_update_card,
        actor=personas["engineer"],
        version_id=version.pk,
        changes={field: "x" * 10_001},
    )

    assert fields == {field: ["Ensure this value has at most 10000 characters (it has 10001)."]}


def test_card_text_of_exactly_10000_characters_is_accepted(personas, version):
    version_update_card(
        actor=personas["engineer"], version_id=version.pk, changes={"intended_use": "x" * 10_000}
    )

    version.refresh_from_db()
    assert len(version.intended_use) == 10_000


def test_model_description_over_10000_characters_is_refused(personas, team):
    fields = refused_fields(
        model_register,
        actor=personas["lead"],
        name="fraud-scorer",
        team_id=team.pk,
        owner_id=personas["lead"].pk,
        risk_level="low",
        description="d" * 10_001,
    )

    assert list(fields) == ["description"]


def test_justification_over_5000_characters_is_refused(personas, version):
    fields = refused_fields(
        approval_create,
        actor=personas["engineer"],
        version_id=version.pk,
        target_stage="staging",
        justification="j" * 5_001,
    )

    assert fields == {
        "justification": ["Ensure this value has at most 5000 characters (it has 5001)."]
    }


def test_justification_with_control_characters_is_refused(personas, version):
    fields = refused_fields(
        approval_create,
        actor=personas["engineer"],
        version_id=version.pk,
        target_stage="staging",
        justification="Ready\x00",
    )

    assert fields == {"justification": ["Control characters are not allowed."]}


def test_notes_over_5000_characters_are_refused(personas, staging_request):
    fields = refused_fields(
        approval_decide,
        actor=personas["engineer2"],
        request_id=staging_request.pk,
        approve=False,
        note="n" * 5_001,
    )

    assert fields == {"notes": ["Ensure this value has at most 5000 characters (it has 5001)."]}


def test_notes_of_exactly_5000_characters_are_accepted(personas, staging_request):
    approval_decide(
        actor=personas["engineer2"],
        request_id=staging_request.pk,
        approve=False,
        note="n" * 5_000,
    )

    assert staging_request.decisions.get().notes == "n" * 5_000


def test_revocation_reason_over_5000_characters_is_refused(personas, version):
    promote(version, personas, "staging")
    request = promote(version, personas, "production")

    fields = refused_fields(
        approval_revoke, actor=personas["risk_officer"], request_id=request.pk, reason="r" * 5_001
    )

    assert list(fields) == ["reason"]


def test_deprecation_reason_over_5000_characters_is_refused(personas, version):
    promote(version, personas, "staging")
    promote(version, personas, "production")

    fields = refused_fields(
        version_deprecate, actor=personas["lead"], version_id=version.pk, reason="r" * 5_001
    )

    assert list(fields) == ["reason"]
    version.refresh_from_db()
    assert version.stage == "production"


# --- JSON card fields of the wrong shape --------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("out_of_scope_uses", "Credit decisions"),
        ("out_of_scope_uses", ["Credit decisions", 7]),
        ("primary_users", {"team": "Retention"}),
        ("known_limitations", [""]),
        ("evaluation_metrics", {"accuracy": "high"}),
        ("evaluation_metrics", {"accuracy": math.nan}),
        ("evaluation_metrics", {"accuracy": math.inf}),
        ("evaluation_metrics", {"accuracy": True}),
        ("evaluation_metrics", [0.91]),
        ("performance_by_group", {"age<30": 0.9}),
        ("performance_by_group", {"age<30": {"accuracy": {"mean": 0.9}}}),
        ("hyperparameters", {"optimizer": {"adam": {"beta1": 0.9}}}),
        ("hyperparameters", {"learning_rate": -math.inf}),
        ("fairness_assessment", {"method": "parity", "verdict": "fair"}),
        ("retirement_criteria", {"max_age": 90}),
        ("retirement_criteria", {"metric_floors": [{"metric": "accuracy", "min": 0.8, "days": 0}]}),
        (
            "retirement_criteria",
            {"metric_floors": [{"metric": "accuracy", "min": math.nan, "days": 7}]},
        ),
        ("training_date", "last tuesday"),
        ("review_schedule", "weekly"),
        ("artifact_sha256", "ABC"),
        ("training_pipeline", "train.py\nrm -rf /"),
    ],
)
def test_card_fields_of_the_wrong_shape_are_refused_naming_the_field(
    personas, version, field, value
):
    fields = refused_fields(
        version_update_card,
        actor=personas["engineer"],
        version_id=version.pk,
        changes={field: value},
    )

    assert list(fields) == [field]
    version.refresh_from_db()
    assert version.card_revision == 1


def test_a_card_with_wrong_fields_is_refused_at_registration(personas, model):
    fields = refused_fields(
        version_register,
        actor=personas["engineer"],
        model_id=model.pk,
        version="3.0.0",
        card={"evaluation_metrics": {"accuracy": math.nan}, "out_of_scope_uses": "Pricing"},
    )

    assert sorted(fields) == ["evaluation_metrics", "out_of_scope_uses"]
    assert not ModelVersion.objects.filter(version="3.0.0").exists()


def test_unknown_card_fields_are_refused_naming_them(personas, version):
    fields = refused_fields(
        version_update_card,
        actor=personas["engineer"],
        version_id=version.pk,
        changes={"intended_uses": "typo", "risk_level": "low"},
    )

    assert sorted(fields) == ["intended_uses", "risk_level"]


def test_a_refused_card_edit_keeps_every_field_as_it_was(personas, version):
    """One bad field refuses the whole edit: the good fields sent with it are not saved."""
    refused_fields(
        version_update_card,
        actor=personas["engineer"],
        version_id=version.pk,
        changes={"intended_use": "New purpose.", "evaluation_metrics": {"auc": "n/a"}},
    )

    version.refresh_from_db()
    assert version.intended_use.startswith("Score monthly churn risk")
    assert RegisteredModel.objects.get().versions.get().card_revision == 1
