"""deployment_record: the serving platform's report is always recorded; a version serving
an environment it is not approved for is a shadow model and opens an alert."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from governance.actors import RETIREMENT
from governance.exceptions import Conflict
from governance.models import AlertRule, AlertStatus, Deployment, RetirementAlert, Stage
from governance.services.deployments import deployment_record
from tests.db_state import audit_mark, history, new_events, nothing_written
from tests.factories import ModelVersionFactory

pytestmark = pytest.mark.django_db

REPORTED_AT = datetime.datetime(2026, 11, 27, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture
def production_version(model):
    return ModelVersionFactory(model=model, version="2.4.0", stage=Stage.PRODUCTION, complete=True)


def report(actor, version, endpoint="churn-api", environment="production", **kwargs):  # noqa: ANN001, ANN201
    return deployment_record(
        actor=actor,
        version_id=version.pk,
        endpoint=endpoint,
        environment=environment,
        **kwargs,
    )


def test_deployment_of_the_production_version_is_recorded_as_approved(
    personas, model, production_version
):
    mark = audit_mark()

    deployment = report(personas["engineer"], production_version, reported_at=REPORTED_AT)

    deployment.refresh_from_db()
    assert (deployment.endpoint, deployment.environment, deployment.version) == (
        "churn-api",
        "production",
        production_version,
    )
    assert (deployment.active, deployment.reported_at, deployment.reported_by) == (
        True,
        REPORTED_AT,
        personas["engineer"],
    )
    assert new_events(mark) == [
        (
            "model.deployed",
            "engineer",
            model.pk,
            production_version.pk,
            None,
            {
                "version": "2.4.0",
                "endpoint": "churn-api",
                "environment": "production",
                "approved": True,
                "replaces": None,
            },
        )
    ]
    assert history(deployment) == [("+", "engineer", "reported")]
    assert not RetirementAlert.objects.exists()


def test_reported_at_defaults_to_now(personas, production_version):
    before = datetime.datetime.now(datetime.UTC)

    deployment = report(personas["lead"], production_version)

    assert before <= deployment.reported_at <= datetime.datetime.now(datetime.UTC)


def test_unapproved_deployment_is_recorded_and_opens_a_shadow_alert(personas, model, version):
    mark = audit_mark()

    deployment = report(personas["engineer"], version)

    assert Deployment.objects.get().pk == deployment.pk
    assert deployment.active
    alert = RetirementAlert.objects.get()
    message = (
        "customer-churn-predictor 2.4.1 (development) serves churn-api in production "
        "without approval for that environment."
    )
    reasons = [
        {
            "message": message,
            "endpoint": "churn-api",
            "environment": "production",
            "stage": "development",
        }
    ]
    assert (alert.version, alert.rule, alert.status, alert.reasons) == (
        version,
        AlertRule.SHADOW_DEPLOYMENT,
        AlertStatus.OPEN,
        reasons,
    )
    events = new_events(mark)
    assert [event[0] for event in events] == ["model.deployed", "alert.opened"]
    assert events[0][5]["approved"] is False
    assert events[1] == (
        "alert.opened",
        "engineer",
        model.pk,
        version.pk,
        None,
        {"alert": alert.pk, "rule": "shadow_deployment", "reasons": reasons},
    )


def test_reporting_the_same_shadow_deployment_again_does_not_duplicate_the_alert(personas, version):
    first = report(personas["engineer"], version)
    mark = audit_mark()

    second = report(personas["engineer"], version)

    assert RetirementAlert.objects.count() == 1
    assert [event[0] for event in new_events(mark)] == ["model.deployed"]
    first.refresh_from_db()
    assert (first.active, second.active) == (False, True)
    assert Deployment.objects.filter(active=True).get() == second


def test_a_new_report_for_the_endpoint_ends_the_previous_deployment(
    personas, model, production_version
):
    successor = ModelVersionFactory(model=model, version="2.5.0", stage=Stage.STAGING)
    first = report(personas["engineer"], production_version, reported_at=REPORTED_AT)
    later = REPORTED_AT + datetime.timedelta(hours=2)
    mark = audit_mark()

    second = report(personas["lead"], successor, reported_at=later)

    first.refresh_from_db()
    assert (first.active, first.ended_at) == (False, later)
    assert (second.active, second.ended_at) == (True, None)
    assert history(first) == [("+", "engineer", "reported"), ("~", "lead", "replaced")]
    deployed = new_events(mark)[0]
    assert deployed[0] == "model.deployed"
    assert deployed[5]["replaces"] == production_version.pk


def test_the_same_endpoint_in_another_environment_stays_active(personas, production_version):
    in_production = report(personas["engineer"], production_version, environment="production")

    in_staging = report(personas["engineer"], production_version, environment="staging")

    in_production.refresh_from_db()
    assert (in_production.active, in_staging.active) == (True, True)


def test_another_endpoint_stays_active(personas, production_version):
    first = report(personas["engineer"], production_version, endpoint="churn-api")

    report(personas["engineer"], production_version, endpoint="churn-batch")

    first.refresh_from_db()
    assert first.active
    assert Deployment.objects.filter(active=True).count() == 2


@pytest.mark.parametrize(
    ("stage", "environment", "approved"),
    [
        (Stage.PRODUCTION, "production", True),
        (Stage.STAGING, "production", False),
        (Stage.DEVELOPMENT, "production", False),
        (Stage.DEPRECATED, "production", False),
        (Stage.RETIRED, "production", False),
        (Stage.PRODUCTION, "staging", True),
        (Stage.STAGING, "staging", True),
        (Stage.DEVELOPMENT, "staging", False),
        (Stage.DEPRECATED, "staging", False),
        (Stage.DEVELOPMENT, "development", True),
        (Stage.STAGING, "development", True),
        (Stage.PRODUCTION, "development", True),
        (Stage.RETIRED, "development", False),
    ],
)
def test_approval_for_an_environment_follows_the_stage(
    personas, model, stage, environment, approved
):
    candidate = ModelVersionFactory(model=model, version="3.0.0", stage=stage)
    mark = audit_mark()

    report(personas["engineer"], candidate, environment=environment)

    assert new_events(mark)[0][5]["approved"] is approved
    assert RetirementAlert.objects.filter(rule=AlertRule.SHADOW_DEPLOYMENT).exists() is (
        not approved
    )


@pytest.mark.parametrize(
    "persona", ["risk_officer", "legal", "admin", "no_role", "other_team_lead", "superuser"]
)
def test_only_engineers_and_leads_of_the_model_may_report(personas, version, persona):
    with nothing_written(), pytest.raises(PermissionDenied, match="report on a model"):
        report(personas[persona], version)


def test_the_system_may_not_report_deployments(version):
    with nothing_written(), pytest.raises(PermissionDenied):
        report(RETIREMENT, version)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"environment": "prod"}, "environment"),
        ({"environment": "Production"}, "environment"),
        ({"endpoint": "churn\napi"}, "endpoint"),
        ({"endpoint": ""}, "endpoint"),
        ({"endpoint": "e" * 201}, "endpoint"),
        ({"reported_at": datetime.datetime(2026, 11, 27, 10, 0)}, "reported_at"),
        ({"reported_at": "2026-11-27T10:00:00Z"}, "reported_at"),
    ],
)
def test_bad_reports_are_refused_naming_the_field(personas, production_version, changes, field):
    arguments = {"endpoint": "churn-api", "environment": "production"} | changes

    with nothing_written(), pytest.raises(ValidationError) as caught:
        report(personas["engineer"], production_version, **arguments)

    assert list(caught.value.message_dict) == [field]


def test_a_refused_report_leaves_the_previous_deployment_active(personas, production_version):
    first = report(personas["engineer"], production_version)

    with nothing_written(), pytest.raises(ValidationError):
        report(personas["engineer"], production_version, endpoint="churn-api\x00")

    first.refresh_from_db()
    assert first.active


def test_a_simultaneous_report_for_the_same_endpoint_is_a_conflict(
    personas, production_version, monkeypatch
):
    """Two reports racing for one endpoint: the loser's insert hits the one-active-deployment
    constraint, which becomes a Conflict (never a 500), and nothing of it is kept."""
    report(personas["engineer"], production_version)
    # As if the other report committed after this one looked for the active deployment.
    monkeypatch.setattr("governance.services.deployments._previous", lambda *args: None)

    with nothing_written(), pytest.raises(Conflict, match="send this report again"):
        report(personas["engineer"], production_version)
