"""seed_demo: the demo organisation, loaded through the services, once."""

from collections.abc import Iterator
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from pytest_django import DjangoDbBlocker

from governance.audit import verify_chain
from governance.cards import CARD_FIELDS
from governance.management.commands._seed_people import (
    Persona,
    SeedLog,
    ensure_people,
    password_hash,
)
from governance.models import (
    AlertRule,
    ApprovalRequest,
    ApprovalStatus,
    AuditEvent,
    Deployment,
    Environment,
    MetricObservation,
    ModelVersion,
    RegisteredModel,
    RetirementAlert,
    RiskLevel,
    Role,
    SeriousIncident,
    Stage,
    Team,
)
from governance.policies import missing_card_fields
from governance.roles import global_roles
from tests.db_state import row_counts

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[str]:
    """Seeded once for the module, inside a transaction rolled back at its end; each test
    runs in a savepoint of it, so tests cannot see each other's changes."""
    with django_db_blocker.unblock(), transaction.atomic():
        output = StringIO()
        call_command("seed_demo", stdout=output)
        yield output.getvalue()
        transaction.set_rollback(True)


def series(version: ModelVersion, name: str) -> list[float]:
    rows = MetricObservation.objects.filter(version=version, name=name).order_by("observed_at")
    return list(rows.values_list("value", flat=True))


def test_demo_covers_every_stage_and_every_risk_level(demo):
    assert set(ModelVersion.objects.values_list("stage", flat=True)) == set(Stage.values)
    assert set(RegisteredModel.objects.values_list("risk_level", flat=True)) == set(
        RiskLevel.values
    )
    assert RegisteredModel.objects.count() >= 8
    assert Team.objects.count() == 2


def test_churn_predictor_serves_production_with_every_card_field_filled(demo):
    version = ModelVersion.objects.get(model__name="customer-churn-predictor", version="2.4.1")
    assert version.stage == Stage.PRODUCTION
    assert missing_card_fields(version) == []
    assert [f for f in CARD_FIELDS if getattr(version, f) in ("", None, [], {})] == []
    assert version.to_dict()["governance"]["approved_by"] != "PENDING"


def test_promoting_the_churn_predictor_deprecated_its_older_version(demo):
    older = ModelVersion.objects.get(model__name="customer-churn-predictor", version="2.3.0")
    assert older.stage == Stage.DEPRECATED
    deprecation = AuditEvent.objects.get(version=older, event_type="model.deprecated")
    assert "replaced by 2.4.1" in deprecation.details_data["reason"]


def test_every_production_version_was_approved_in_every_required_role(demo):
    for version in ModelVersion.objects.filter(stage=Stage.PRODUCTION).select_related("model"):
        request = version.approval_requests.get(
            target_stage=Stage.PRODUCTION, status=ApprovalStatus.APPROVED
        )
        decided = set(request.decisions.values_list("role", flat=True))
        assert decided == set(request.required_roles), version


def test_open_requests_wait_in_pending_and_in_review(demo):
    statuses = set(ApprovalRequest.objects.values_list("status", flat=True))
    assert {ApprovalStatus.PENDING, ApprovalStatus.IN_REVIEW} <= statuses
    in_review = ApprovalRequest.objects.filter(status=ApprovalStatus.IN_REVIEW)
    for request in in_review:
        assert 0 < request.decisions.count() < len(request.required_roles)


def test_production_versions_have_90_days_of_daily_accuracy_and_drift(demo):
    for version in ModelVersion.objects.filter(stage=Stage.PRODUCTION):
        for name in ("accuracy", "drift_score"):
            moments = list(
                MetricObservation.objects.filter(version=version, name=name)
                .order_by("observed_at")
                .values_list("observed_at", flat=True)
            )
            assert len(moments) == 90, (version, name)
            assert {b - a for a, b in zip(moments, moments[1:], strict=False)} == {
                timedelta(days=1)
            }


def test_one_production_version_drifts_in_the_last_week(demo):
    drifting = [
        version
        for version in ModelVersion.objects.filter(stage=Stage.PRODUCTION)
        if all(value > 0.3 for value in series(version, "drift_score")[-7:])
    ]
    assert len(drifting) == 1
    accuracy = series(drifting[0], "accuracy")
    assert all(value < 0.88 for value in accuracy[-7:])
    assert all(value >= 0.88 for value in accuracy[:-14])


def test_an_unapproved_deployment_raises_a_shadow_model_alert(demo):
    alert = RetirementAlert.objects.get(rule=AlertRule.SHADOW_DEPLOYMENT)
    assert alert.version.stage == Stage.DEVELOPMENT
    assert Deployment.objects.filter(
        version=alert.version, environment=Environment.PRODUCTION, active=True
    ).exists()


def test_personas_hold_their_roles_and_the_auditor_only_reads(demo):
    users = {user.username: user for user in get_user_model().objects.all()}
    expected = {
        "engineer": {Role.ML_ENGINEER},
        "lead": {Role.ML_LEAD},
        "risk": {Role.RISK_OFFICER},
        "legal": {Role.LEGAL},
        "admin": {Role.GOVERNANCE_ADMIN},
        "auditor": set(),
    }
    assert {name: set(global_roles(users[name])) for name in expected} == expected
    assert users["admin"].is_staff and users["auditor"].is_staff
    assert users["auditor"].groups.filter(name="auditors").exists()
    assert not any(user.is_superuser for user in users.values())


def test_without_debug_demo_logins_have_no_usable_password(demo):
    assert "no usable password" in demo
    assert not get_user_model().objects.get(username="lead").has_usable_password()


def test_with_debug_demo_logins_get_the_demo_password(db, settings):
    settings.DEBUG = True
    people = ensure_people(
        [Persona("visitor", None, "looks around")], SeedLog(), password=password_hash()
    )
    assert people["visitor"].check_password("tutela-demo")


def test_a_debug_run_gives_demo_logins_without_a_password_the_demo_password(demo, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    assert get_user_model().objects.get(username="lead").check_password("tutela-demo")


def test_every_change_is_in_an_intact_audit_chain(demo):
    assert verify_chain().ok
    call_command("verify_audit", stdout=StringIO())
    assert AuditEvent.objects.filter(event_type="approval.approved").exists()


def test_second_run_changes_nothing_and_records_no_event(demo):
    before = row_counts()
    output = StringIO()
    call_command("seed_demo", stdout=output)
    assert row_counts() == before
    assert "nothing changed" in output.getvalue()


def test_the_drifting_fraud_scorer_has_an_open_serious_incident_due_soon(demo):
    incident = SeriousIncident.objects.get()
    assert (incident.version.model.name, incident.version.version) == (
        "fraud-transaction-scorer",
        "3.1.0",
    )
    assert (incident.status, incident.severity, incident.reported_by.username) == (
        "open",
        "other",
        "risk",
    )
    assert incident.report_deadline - incident.aware_at == timedelta(days=15)
    assert 0 <= (incident.report_deadline - timezone.localdate()).days <= 2
    assert AuditEvent.objects.filter(event_type="incident.recorded").count() == 1
