"""Add and change pages of teams, models and versions call the services with the logged-in
user as actor: the audit event is written, refusals become form errors, nothing else saves."""

import pytest
from django.contrib.auth.models import Permission, User
from django.http import HttpResponse

from governance.models import (
    AuditEvent,
    AuditEventType,
    ModelVersion,
    RegisteredModel,
    RiskLevel,
    Role,
    Stage,
    Team,
)
from tests.admin_support import events, governance_admin, login, superuser, url
from tests.factories import ModelVersionFactory, RegisteredModelFactory, TeamFactory, UserFactory


def _errors(response: HttpResponse) -> str:
    """Every error the admin form shows, as one string."""
    form = response.context["adminform"].form
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


def _permissions(*codenames: str) -> list[Permission]:
    return list(
        Permission.objects.filter(content_type__app_label="governance", codename__in=codenames)
    )


def _model_data(team: Team, owner: User, **overrides: object) -> dict:
    return {
        "name": "fraud-scorer",
        "team": team.pk,
        "owner": owner.pk,
        "risk_level": RiskLevel.HIGH,
        "description": "Scores card payments.",
        "grace_period_days": 30,
        **overrides,
    }


def _version_data(model: RegisteredModel, **overrides: object) -> dict:
    return {
        "model": model.pk,
        "version": "1.0.0",
        "intended_use": "Flag risky payments for review.",
        "out_of_scope_uses": '["Credit scoring"]',
        "primary_users": "[]",
        "hyperparameters": "{}",
        "evaluation_metrics": '{"accuracy": 0.93}',
        "performance_by_group": "{}",
        "known_limitations": "[]",
        "ethical_considerations": "[]",
        "fairness_assessment": "{}",
        "review_schedule": "quarterly",
        "retirement_criteria": '{"max_age_days": 90}',
        **overrides,
    }


def _card_data(version: ModelVersion, **overrides: object) -> dict:
    data = _version_data(version.model, expected_revision=version.card_revision)
    del data["model"], data["version"]
    data["intended_use"] = version.intended_use
    return {**data, **overrides}


@pytest.mark.django_db
def test_governance_admin_creates_a_team_through_the_service(client):
    admin_user = governance_admin()
    login(client, admin_user)

    response = client.post(url("team", "add"), {"slug": "payments", "name": "Payments"})

    team = Team.objects.get(slug="payments")
    assert response.status_code == 302
    [event] = events(AuditEventType.TEAM_CREATED)
    assert (event.actor_user, event.details_data) == (
        admin_user,
        {"team": "payments", "name": "Payments"},
    )
    assert team.history.get().history_user == admin_user


@pytest.mark.django_db
def test_team_creation_refused_by_policy_shows_the_error_and_writes_nothing(client):
    user = UserFactory(username="clerk", is_staff=True)
    user.user_permissions.add(*_permissions("add_team", "view_team"))
    login(client, user)

    response = client.post(url("team", "add"), {"slug": "payments", "name": "Payments"})

    assert response.status_code == 200
    assert "you need one of these roles on everything: governance_admin" in _errors(response)
    assert not Team.objects.filter(slug="payments").exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_duplicate_team_slug_is_a_form_error(client):
    TeamFactory(slug="payments")
    login(client, governance_admin())

    response = client.post(url("team", "add"), {"slug": "payments", "name": "Other"})

    assert "A team 'payments' already exists." in _errors(response)
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_team_cannot_be_edited_after_creation(client):
    team = TeamFactory(slug="payments", name="Payments")
    login(client, superuser())

    page = client.get(url("team", "change", team.pk))
    client.post(url("team", "change", team.pk), {"slug": "renamed", "name": "Renamed"})

    team.refresh_from_db()
    assert (team.slug, team.name) == ("payments", "Payments")
    assert page.context["adminform"].form.fields == {}
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_lead_registers_a_model_through_the_service(client, team):
    lead = superuser(Role.ML_LEAD)
    login(client, lead)

    response = client.post(url("registeredmodel", "add"), _model_data(team, lead))

    assert response.status_code == 302
    model = RegisteredModel.objects.get(name="fraud-scorer")
    assert (model.team, model.owner, model.risk_level) == (team, lead, RiskLevel.HIGH)
    [event] = events(AuditEventType.MODEL_REGISTERED)
    assert (event.model, event.actor_user) == (model, lead)


@pytest.mark.django_db
def test_superuser_status_is_no_role_for_registering_a_model(client, team):
    root = superuser()
    login(client, root)

    response = client.post(url("registeredmodel", "add"), _model_data(team, root))

    assert response.status_code == 200
    assert "To register a model you need one of these roles on fraud" in _errors(response)
    assert not RegisteredModel.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_invalid_model_name_is_shown_on_its_field(client, team):
    lead = superuser(Role.ML_LEAD)
    login(client, lead)

    response = client.post(
        url("registeredmodel", "add"), _model_data(team, lead, name="bad name/x")
    )

    assert response.status_code == 200
    assert "no slashes, spaces or control characters" in str(
        response.context["adminform"].form.errors["name"]
    )
    assert not RegisteredModel.objects.exists()


@pytest.mark.django_db
def test_risk_officer_raises_risk_through_the_service_and_name_stays_fixed(client, model):
    officer = superuser(Role.RISK_OFFICER)
    login(client, officer)
    data = _model_data(
        model.team, model.owner, name="renamed", risk_level=RiskLevel.CRITICAL, description=""
    )

    response = client.post(url("registeredmodel", "change", model.pk), data)

    assert response.status_code == 302, _errors(response)
    model.refresh_from_db()
    assert (model.name, model.risk_level) == ("customer-churn-predictor", RiskLevel.CRITICAL)
    [event] = events(AuditEventType.MODEL_RISK_CHANGED)
    assert event.details_data["after"] == {"risk_level": "critical"}


@pytest.mark.django_db
def test_superuser_without_a_role_cannot_change_model_policy(client, model):
    login(client, superuser())
    data = _model_data(
        model.team, model.owner, risk_level=model.risk_level, description="", grace_period_days=5
    )

    response = client.post(url("registeredmodel", "change", model.pk), data)

    assert response.status_code == 200
    assert "change the model's policy" in _errors(response)
    model.refresh_from_db()
    assert model.grace_period_days == 30


@pytest.mark.django_db
def test_engineer_registers_a_version_through_the_service(client):
    model = RegisteredModelFactory(name="fraud-scorer")
    engineer = superuser(Role.ML_ENGINEER)
    login(client, engineer)

    response = client.post(url("modelversion", "add"), _version_data(model))

    assert response.status_code == 302
    version = ModelVersion.objects.get(model=model, version="1.0.0")
    assert version.stage == Stage.DEVELOPMENT
    assert version.evaluation_metrics == {"accuracy": 0.93}
    assert version.history.get().history_user == engineer
    [event] = events(AuditEventType.VERSION_REGISTERED)
    assert (event.version, event.details_data["card_hash"]) == (version, version.card_hash())


@pytest.mark.django_db
def test_invalid_version_string_is_refused_without_writing(client):
    model = RegisteredModelFactory(name="fraud-scorer")
    login(client, superuser(Role.ML_ENGINEER))

    response = client.post(
        url("modelversion", "add"), _version_data(model, version="not a version")
    )

    assert response.status_code == 200
    assert "version" in response.context["adminform"].form.errors
    assert not ModelVersion.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_card_edit_goes_through_the_service_and_leaves_stage_alone(client, version):
    login(client, superuser(Role.ML_LEAD))
    data = _card_data(version, intended_use="Score churn weekly.", stage=Stage.PRODUCTION)

    response = client.post(url("modelversion", "change", version.pk), data)

    assert response.status_code == 302
    version.refresh_from_db()
    assert (version.intended_use, version.card_revision) == ("Score churn weekly.", 2)
    assert version.stage == Stage.DEVELOPMENT
    [event] = events(AuditEventType.CARD_UPDATED)
    assert "intended_use" in event.details_data["changes"]


@pytest.mark.django_db
def test_card_edit_on_a_stale_revision_is_refused(client, version):
    login(client, superuser(Role.ML_LEAD))
    data = _card_data(version, intended_use="Score churn weekly.", expected_revision=0)

    response = client.post(url("modelversion", "change", version.pk), data)

    assert response.status_code == 200
    assert "since you opened it" in _errors(response)
    version.refresh_from_db()
    assert version.card_revision == 1


@pytest.mark.django_db
def test_malformed_card_json_is_a_form_error(client, version):
    login(client, superuser(Role.ML_LEAD))
    data = _card_data(version, evaluation_metrics='{"accuracy": "high"}', primary_users="{not json")

    response = client.post(url("modelversion", "change", version.pk), data)

    assert response.status_code == 200
    assert "primary_users" in response.context["adminform"].form.errors
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_set_artifact_fields_are_read_only(client):
    version = ModelVersionFactory(code_revision="3f2c9a1")
    login(client, superuser(Role.ML_LEAD))

    page = client.get(url("modelversion", "change", version.pk))

    assert "code_revision" in page.context["adminform"].readonly_fields
    assert "artifact_uri" in page.context["adminform"].form.fields
