"""alert_acknowledge: a lead or risk officer of the model has seen an open alert; it stays
quiet until its reasons change."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from governance.actors import RETIREMENT
from governance.exceptions import DomainError
from governance.models import AlertStatus, RetirementAlert
from governance.services.alerts import alert_acknowledge
from governance.services.deployments import deployment_record
from tests.db_state import audit_mark, new_events, nothing_written
from tests.factories import RetirementAlertFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def alert(version):
    return RetirementAlertFactory(version=version, rule="max_age")


@pytest.mark.parametrize("persona", ["lead", "risk_officer", "global_risk"])
def test_lead_or_risk_officer_acknowledges_an_open_alert(personas, model, version, alert, persona):
    actor = personas[persona]
    before = datetime.datetime.now(datetime.UTC)
    mark = audit_mark()

    alert_acknowledge(actor=actor, alert_id=alert.pk)

    alert.refresh_from_db()
    assert (alert.status, alert.acknowledged_by) == (AlertStatus.ACKNOWLEDGED, actor)
    assert before <= alert.acknowledged_at <= datetime.datetime.now(datetime.UTC)
    assert new_events(mark) == [
        (
            "alert.acknowledged",
            persona,
            model.pk,
            version.pk,
            None,
            {"alert": alert.pk, "rule": "max_age"},
        )
    ]


@pytest.mark.parametrize(
    "persona", ["engineer", "legal", "admin", "no_role", "other_team_lead", "superuser"]
)
def test_only_leads_and_risk_officers_of_the_model_acknowledge(personas, alert, persona):
    with nothing_written(), pytest.raises(PermissionDenied, match="acknowledge an alert"):
        alert_acknowledge(actor=personas[persona], alert_id=alert.pk)

    alert.refresh_from_db()
    assert (alert.status, alert.acknowledged_by, alert.acknowledged_at) == (
        AlertStatus.OPEN,
        None,
        None,
    )


def test_the_system_cannot_acknowledge(alert):
    with nothing_written(), pytest.raises(PermissionDenied):
        alert_acknowledge(actor=RETIREMENT, alert_id=alert.pk)


@pytest.mark.parametrize("status", [AlertStatus.ACKNOWLEDGED, AlertStatus.RESOLVED])
def test_only_open_alerts_can_be_acknowledged(personas, version, status):
    closed = RetirementAlertFactory(version=version, status=status)

    with nothing_written(), pytest.raises(DomainError) as caught:
        alert_acknowledge(actor=personas["lead"], alert_id=closed.pk)

    assert caught.value.message == (
        f"This alert is {status}; only open alerts can be acknowledged."
    )
    closed.refresh_from_db()
    assert closed.status == status


def test_acknowledging_twice_is_refused(personas, alert):
    alert_acknowledge(actor=personas["lead"], alert_id=alert.pk)

    with nothing_written(), pytest.raises(DomainError, match="This alert is acknowledged"):
        alert_acknowledge(actor=personas["risk_officer"], alert_id=alert.pk)

    alert.refresh_from_db()
    assert alert.acknowledged_by == personas["lead"]


def test_acknowledging_an_unknown_alert_is_refused(personas):
    with nothing_written(), pytest.raises(RetirementAlert.DoesNotExist):
        alert_acknowledge(actor=personas["lead"], alert_id=999_999)


def _report_shadow(personas, version, endpoint: str) -> None:  # noqa: ANN001
    deployment_record(
        actor=personas["engineer"],
        version_id=version.pk,
        endpoint=endpoint,
        environment="production",
    )


def test_an_acknowledged_alert_stays_quiet_while_its_reasons_are_unchanged(personas, version):
    _report_shadow(personas, version, "churn-api")
    alert = RetirementAlert.objects.get()
    alert_acknowledge(actor=personas["lead"], alert_id=alert.pk)
    mark = audit_mark()

    _report_shadow(personas, version, "churn-api")

    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED
    assert [event[0] for event in new_events(mark)] == ["model.deployed"]


def test_an_acknowledged_alert_opens_again_when_its_reasons_change(personas, version):
    _report_shadow(personas, version, "churn-api")
    alert = RetirementAlert.objects.get()
    alert_acknowledge(actor=personas["lead"], alert_id=alert.pk)
    mark = audit_mark()

    _report_shadow(personas, version, "churn-batch")

    assert RetirementAlert.objects.get().pk == alert.pk
    alert.refresh_from_db()
    assert (alert.status, alert.acknowledged_by, alert.acknowledged_at) == (
        AlertStatus.OPEN,
        None,
        None,
    )
    assert alert.reasons[0]["endpoint"] == "churn-batch"
    assert [event[0] for event in new_events(mark)] == ["model.deployed", "alert.opened"]
