"""Shadow deployments: active deployments of versions not approved for their environment,
or of deprecated and retired versions, open one alert per version; the alert resolves when
the condition is gone. The sweep and deployment_record share the check."""

import pytest

from governance.models import AlertStatus, Environment, RetirementAlert, Stage
from governance.selectors.retirement import active_deployment_ids
from governance.services.deployments import deployment_record
from governance.services.retirement import shadow_deployments_check
from governance.services.versions import version_deprecate
from tests.db_state import audit_mark, new_events, nothing_written
from tests.factories import DeploymentFactory, ModelVersionFactory, RegisteredModelFactory
from tests.retirement_support import actions, notified, production

pytestmark = pytest.mark.django_db


def check(capture, **kwargs):  # noqa: ANN001, ANN003, ANN201
    with capture(execute=True):
        return shadow_deployments_check(deployment_ids=active_deployment_ids(), **kwargs)


def test_an_unapproved_deployment_found_by_the_sweep_opens_an_alert(
    model, django_capture_on_commit_callbacks, mailoutbox
):
    staging = ModelVersionFactory(model=model, version="2.5.0", stage=Stage.STAGING)
    DeploymentFactory(version=staging, endpoint="churn-api", environment=Environment.PRODUCTION)
    mark = audit_mark()

    findings = check(django_capture_on_commit_callbacks)

    alert = RetirementAlert.objects.get()
    assert actions(findings) == [("shadow_deployment", "opened")]
    assert alert.reasons == [
        {
            "message": "customer-churn-predictor 2.5.0 (staging) serves churn-api in production "
            "without approval for that environment.",
            "endpoint": "churn-api",
            "environment": "production",
            "stage": "staging",
        }
    ]
    assert [event[:2] for event in new_events(mark)] == [("alert.opened", "system:retirement")]
    assert notified() == [("lead", "shadow_deployment"), ("lead2", "shadow_deployment")]
    assert len(mailoutbox) == 2


def test_a_deprecated_version_still_serving_becomes_a_shadow(
    personas, model, django_capture_on_commit_callbacks
):
    version = production(model)
    deployment_record(
        actor=personas["engineer"],
        version_id=version.pk,
        endpoint="churn-api",
        environment="production",
    )
    assert not RetirementAlert.objects.exists()
    version_deprecate(actor=personas["lead"], version_id=version.pk, reason="Replaced.")

    findings = check(django_capture_on_commit_callbacks)

    assert actions(findings) == [("shadow_deployment", "opened")]
    assert RetirementAlert.objects.get().reasons[0]["stage"] == "deprecated"


def test_the_alert_resolves_when_the_shadow_deployment_ends(
    model, django_capture_on_commit_callbacks
):
    staging = ModelVersionFactory(model=model, version="2.5.0", stage=Stage.STAGING)
    deployment = DeploymentFactory(version=staging, environment=Environment.PRODUCTION)
    check(django_capture_on_commit_callbacks)
    deployment.active = False
    deployment.save(update_fields=["active"])
    mark = audit_mark()

    assert active_deployment_ids() == [deployment.pk]  # its version still has an open alert
    findings = check(django_capture_on_commit_callbacks)

    assert actions(findings) == [("shadow_deployment", "resolved")]
    assert RetirementAlert.objects.get().status == AlertStatus.RESOLVED
    assert new_events(mark)[0][5]["reason"] == "no active deployment is a shadow any more"
    assert active_deployment_ids() == []


def test_the_sweep_resolves_the_alert_of_a_replaced_shadow_deployment(
    personas, model, django_capture_on_commit_callbacks
):
    staging = ModelVersionFactory(model=model, version="2.5.0", stage=Stage.STAGING)
    report = {"actor": personas["engineer"], "environment": "production"}
    deployment_record(version_id=staging.pk, endpoint="churn-api", **report)
    approved = production(model, version="2.4.0")

    deployment_record(
        actor=personas["engineer"],
        version_id=approved.pk,
        endpoint="churn-api",
        environment="production",
    )

    # The staging version serves nothing any more; the next check resolves its alert.
    assert RetirementAlert.objects.get().status == AlertStatus.OPEN
    findings = check(django_capture_on_commit_callbacks)
    assert actions(findings) == [("shadow_deployment", "resolved")]


def test_a_second_shadow_endpoint_updates_the_alert(personas, model):
    staging = ModelVersionFactory(model=model, version="2.5.0", stage=Stage.STAGING)
    report = {"actor": personas["engineer"], "version_id": staging.pk, "environment": "production"}
    deployment_record(endpoint="churn-api", **report)

    deployment_record(endpoint="churn-batch", **report)

    alert = RetirementAlert.objects.get()
    assert [reason["endpoint"] for reason in alert.reasons] == ["churn-batch", "churn-api"]


def test_a_quiet_check_writes_nothing(model, django_capture_on_commit_callbacks):
    staging = ModelVersionFactory(model=model, version="2.5.0", stage=Stage.STAGING)
    DeploymentFactory(version=staging, environment=Environment.PRODUCTION)
    check(django_capture_on_commit_callbacks)

    with nothing_written():
        findings = check(django_capture_on_commit_callbacks)

    assert actions(findings) == [("shadow_deployment", "unchanged")]


def test_a_dry_run_opens_nothing(model, django_capture_on_commit_callbacks):
    staging = ModelVersionFactory(model=model, version="2.5.0", stage=Stage.STAGING)
    DeploymentFactory(version=staging, environment=Environment.PRODUCTION)

    with nothing_written():
        findings = check(django_capture_on_commit_callbacks, dry_run=True)

    assert actions(findings) == [("shadow_deployment", "would open")]


@pytest.mark.parametrize("count", [2, 20])
def test_a_quiet_shadow_batch_costs_the_same_queries_whatever_its_size(
    team, django_capture_on_commit_callbacks, django_assert_num_queries, count
):
    for _ in range(count):
        staging = ModelVersionFactory(model=RegisteredModelFactory(team=team), stage=Stage.STAGING)
        DeploymentFactory(version=staging, environment=Environment.PRODUCTION)
    check(django_capture_on_commit_callbacks)
    ids = active_deployment_ids()

    # The deployments' versions, the versions, their active deployments, their alerts.
    with django_assert_num_queries(4):
        again = shadow_deployments_check(deployment_ids=ids)

    assert [finding.action for finding in again] == ["unchanged"] * count
