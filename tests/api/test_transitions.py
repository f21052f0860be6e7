"""POST /api/v1/models/{name}/versions/{version}/transitions/: an approval request where the
policy needs one, a direct stage change where it does not; who may ask, and bad input."""

from datetime import timedelta

import pytest
from django.utils import timezone

from governance.models import ApprovalRequest, AuditEventType, ModelVersion, RiskLevel, Stage
from governance.models.approvals import NOTE_LIMIT
from tests.db_state import audit_mark, new_events, nothing_written
from tests.factories import ModelVersionFactory, RegisteredModelFactory
from tests.workflows import request_promotion


def transitions_url(version: ModelVersion) -> str:
    return f"/api/v1/models/{version.model.name}/versions/{version.version}/transitions/"


def ask(client, version: ModelVersion, target: str, justification: str = "Ready."):  # noqa: ANN001, ANN201
    return client.post(
        transitions_url(version), {"target_stage": target, "justification": justification}
    )


@pytest.fixture
def staging_version(model) -> ModelVersion:
    return ModelVersionFactory(model=model, version="2.4.1", stage=Stage.STAGING, complete=True)


@pytest.fixture
def production_version(model) -> ModelVersion:
    return ModelVersionFactory(model=model, version="2.3.0", stage=Stage.PRODUCTION, complete=True)


@pytest.fixture
def deprecated_version(model) -> ModelVersion:
    """Deprecated yesterday: within the 30-day grace period, so it can be rolled back."""
    return ModelVersionFactory(
        model=model,
        version="2.2.0",
        stage=Stage.DEPRECATED,
        stage_changed_at=timezone.now() - timedelta(days=1),
        complete=True,
    )


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 401),
        ("no_role", 404),
        ("other_team_lead", 404),
        ("auditor", 403),
        ("superuser", 403),
        ("risk_officer", 403),
        ("legal", 403),
        ("admin", 403),
        ("global_risk", 403),
        ("engineer", 201),
        ("lead", 201),
    ],
)
def test_staging_request_permissions(api_as, version, persona, status) -> None:
    response = ask(api_as(persona), version, Stage.STAGING)

    assert response.status_code == status, response.content
    assert ApprovalRequest.objects.filter(version=version).exists() == (status == 201)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 401),
        ("no_role", 404),
        ("other_team_lead", 404),
        ("auditor", 403),
        ("engineer", 403),
        ("risk_officer", 403),
        ("legal", 403),
        ("lead", 201),
        ("lead2", 201),
    ],
)
def test_production_request_permissions(api_as, staging_version, persona, status) -> None:
    response = ask(api_as(persona), staging_version, Stage.PRODUCTION)

    assert response.status_code == status, response.content


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 401),
        ("no_role", 404),
        ("other_team_lead", 404),
        ("auditor", 403),
        ("engineer", 403),
        ("legal", 403),
        ("admin", 403),
        ("lead", 201),
        ("risk_officer", 201),
        ("global_risk", 201),
    ],
)
def test_deprecate_permissions(api_as, production_version, persona, status) -> None:
    response = ask(api_as(persona), production_version, Stage.DEPRECATED, "Drifted.")

    assert response.status_code == status, response.content
    production_version.refresh_from_db()
    expected = Stage.DEPRECATED if status == 201 else Stage.PRODUCTION
    assert production_version.stage == expected


def test_request_returns_the_approval_request_with_its_required_roles(
    api_as, staging_version
) -> None:
    response = ask(api_as("lead"), staging_version, Stage.PRODUCTION, "Beats 2.3.0 on AUC.")

    assert response.status_code == 201
    body = response.json()
    made = ApprovalRequest.objects.get(version=staging_version)
    assert body["kind"] == "approval_request"
    assert body["id"] == made.pk
    assert (body["model"], body["version"]) == ("customer-churn-predictor", "2.4.1")
    assert (body["from_stage"], body["target_stage"]) == ("staging", "production")
    assert (body["status"], body["requester"]) == ("pending", "lead")
    assert body["justification"] == "Beats 2.3.0 on AUC."
    assert body["required_roles"] == ["ml_lead", "risk_officer"]
    assert body["missing_roles"] == ["ml_lead", "risk_officer"]
    assert body["decisions"] == []


def test_request_for_a_high_risk_model_needs_legal_too(api_as, personas, team) -> None:
    model = RegisteredModelFactory(
        name="card-fraud", team=team, owner=personas["lead"], risk_level=RiskLevel.HIGH
    )
    version = ModelVersionFactory(model=model, version="1.0.0", stage=Stage.STAGING, complete=True)

    response = ask(api_as("lead"), version, Stage.PRODUCTION)

    assert response.status_code == 201
    assert response.json()["required_roles"] == ["legal", "ml_lead", "risk_officer"]


def test_request_writes_the_audit_event(api_as, version) -> None:
    client = api_as("engineer")
    mark = audit_mark()

    ask(client, version, Stage.STAGING)

    [(event_type, actor, *_rest, details)] = new_events(mark)
    assert (event_type, actor) == (AuditEventType.APPROVAL_REQUESTED, "engineer")
    assert (details["from"], details["to"]) == ("development", "staging")


def test_deprecate_is_a_direct_stage_change(api_as, production_version) -> None:
    client = api_as("lead")
    mark = audit_mark()

    response = ask(client, production_version, Stage.DEPRECATED, "Drift above 0.3.")

    assert response.status_code == 201
    body = response.json()
    assert body["kind"] == "stage_change"
    assert (body["model"], body["version"]) == ("customer-churn-predictor", "2.3.0")
    assert (body["from_stage"], body["to_stage"]) == ("production", "deprecated")
    assert body["reason"] == "Drift above 0.3."
    assert not ApprovalRequest.objects.exists()
    [(event_type, actor, *_rest, details)] = new_events(mark)
    assert (event_type, actor) == (AuditEventType.DEPRECATED, "lead")
    assert details["reason"] == "Drift above 0.3."


def test_lead_retires_a_development_version_directly(api_as, version) -> None:
    response = ask(api_as("lead"), version, Stage.RETIRED, "Abandoned: worse than 2.3.0.")

    assert response.status_code == 201
    assert response.json()["to_stage"] == "retired"
    version.refresh_from_db()
    assert version.stage == Stage.RETIRED


def test_engineer_may_not_retire_a_version(api_as, version) -> None:
    client = api_as("engineer")

    with nothing_written():
        response = client.post(
            transitions_url(version), {"target_stage": "retired", "justification": "Old."}
        )

    assert response.status_code == 403


def test_production_request_for_a_deprecated_version_is_a_rollback(
    api_as, deprecated_version
) -> None:
    response = ask(api_as("lead"), deprecated_version, Stage.PRODUCTION, "2.3.0 misbehaves.")

    assert response.status_code == 201
    body = response.json()
    assert (body["kind"], body["from_stage"], body["target_stage"]) == (
        "approval_request",
        "deprecated",
        "production",
    )
    assert body["required_roles"] == ["ml_lead", "risk_officer"]


def test_rollback_after_the_grace_period_is_a_conflict(api_as, deprecated_version) -> None:
    ModelVersion.objects.filter(pk=deprecated_version.pk).update(
        stage_changed_at=timezone.now() - timedelta(days=31)
    )
    client = api_as("lead")

    with nothing_written():
        response = ask(client, deprecated_version, Stage.PRODUCTION)

    assert response.status_code == 409
    assert "grace period" in response.json()["detail"]


@pytest.mark.parametrize(
    ("stage", "target"),
    [
        (Stage.DEVELOPMENT, Stage.PRODUCTION),
        (Stage.DEVELOPMENT, Stage.DEPRECATED),
        (Stage.STAGING, Stage.DEVELOPMENT),
        (Stage.STAGING, Stage.STAGING),
        (Stage.PRODUCTION, Stage.STAGING),
        (Stage.PRODUCTION, Stage.RETIRED),
        (Stage.RETIRED, Stage.PRODUCTION),
        (Stage.RETIRED, Stage.DEPRECATED),
    ],
)
def test_moves_outside_the_lifecycle_are_conflicts(api_as, model, stage, target) -> None:
    version = ModelVersionFactory(model=model, version="3.0.0", stage=stage, complete=True)
    client = api_as("lead")

    with nothing_written():
        response = ask(client, version, target)

    assert response.status_code == 409, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert f"it cannot move to {target}" in response.json()["detail"]


def test_second_open_request_is_a_conflict(api_as, personas, staging_version) -> None:
    request_promotion(staging_version, personas, Stage.PRODUCTION)
    client = api_as("lead2")

    with nothing_written():
        response = ask(client, staging_version, Stage.PRODUCTION)

    assert response.status_code == 409
    assert "already open" in response.json()["detail"]


def test_production_request_with_an_incomplete_card_names_the_missing_fields(api_as, model) -> None:
    version = ModelVersionFactory(model=model, version="0.9.0", stage=Stage.STAGING)
    client = api_as("lead")

    with nothing_written():
        response = ask(client, version, Stage.PRODUCTION)

    assert response.status_code == 409
    assert "intended_use" in response.json()["missing"]


def test_unknown_version_is_not_found(api_as, model) -> None:
    response = api_as("lead").post(
        f"/api/v1/models/{model.name}/versions/9.9.9/transitions/",
        {"target_stage": "staging", "justification": "Ready."},
    )

    assert response.status_code == 404


def test_hidden_version_is_not_found_before_the_body_is_read(api_as, version) -> None:
    response = api_as("other_team_lead").post(transitions_url(version), {"target_stage": 7})

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"target_stage": "live", "justification": "Ready."}, "target_stage"),
        ({"target_stage": "", "justification": "Ready."}, "target_stage"),
        ({"target_stage": None, "justification": "Ready."}, "target_stage"),
        ({"target_stage": ["staging"], "justification": "Ready."}, "target_stage"),
        ({"justification": "Ready."}, "target_stage"),
        ({"target_stage": "staging"}, "justification"),
        ({"target_stage": "staging", "justification": ""}, "justification"),
        ({"target_stage": "staging", "justification": "   "}, "justification"),
        ({"target_stage": "staging", "justification": 42}, "justification"),
        ({"target_stage": "staging", "justification": {"why": "x"}}, "justification"),
        ({"target_stage": "staging", "justification": "Ready.\x00"}, "justification"),
        ({"target_stage": "staging", "justification": "x" * (NOTE_LIMIT + 1)}, "justification"),
        ({"target_stage": "retired", "justification": "\x00"}, "justification"),
        (["staging", "Ready."], "non_field_errors"),
        ("null", "non_field_errors"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(api_as, version, body, field) -> None:
    client = api_as("lead")

    with nothing_written():
        response = client.post(transitions_url(version), body)

    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    version.refresh_from_db()
    assert version.stage == Stage.DEVELOPMENT


def test_malformed_json_is_refused(api_as, version) -> None:
    client = api_as("lead")

    with nothing_written():
        response = client.post(transitions_url(version), '{"target_stage": ')

    assert response.status_code == 400
