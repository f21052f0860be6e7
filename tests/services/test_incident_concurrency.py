"""Serious incidents under concurrency, each call on its own database connection: two
reminder runs at once remind each person once, and two people suspending the same version
at once revoke its approval once. PostgreSQL only (row locks between connections)."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from governance.models import ApprovalStatus, Notification, SeriousIncident, Stage
from governance.services.incident_reminders import incident_reminders_send
from governance.services.incidents import incident_record
from tests.factories import SeriousIncidentFactory
from tests.test_concurrency import assert_chain_intact, run_together
from tests.workflows import promote

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent writers need row locks between connections: PostgreSQL only.")


def test_two_reminder_runs_at_once_remind_each_person_once(version, mailoutbox):
    overdue = timezone.localdate() - datetime.timedelta(days=20)
    incident = SeriousIncidentFactory(version=version, aware_at=overdue)

    _, unexpected = run_together([lambda: incident_reminders_send(incident_ids=[incident.pk])] * 2)

    assert unexpected == []
    assert Notification.objects.count() == 3  # lead (owner), lead2, risk_officer
    assert len(mailoutbox) == 3


def test_two_suspensions_at_once_revoke_the_approval_once(version, personas):
    promote(version, personas, Stage.STAGING)
    promote(version, personas, Stage.PRODUCTION)

    def suspend(persona: str):  # noqa: ANN202
        return lambda: incident_record(
            actor=personas[persona],
            version_id=version.pk,
            description="Both saw it.",
            aware_at=timezone.localdate(),
            severity="death",
            suspend=True,
        )

    outcomes, unexpected = run_together([suspend("risk_officer"), suspend("global_risk")])

    assert unexpected == []
    assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"]
    assert SeriousIncident.objects.count() == 1
    version.refresh_from_db()
    assert version.stage == Stage.DEPRECATED
    approval = version.approval_requests.get(target_stage=Stage.PRODUCTION)
    assert approval.status == ApprovalStatus.REVOKED
    assert_chain_intact()
