"""Two retirement sweeps over the same batch at the same moment, each on its own database
connection (two workers, or two beats): one alert per (version, rule), one audit event, one
deprecation and one mail each, and an intact audit chain. PostgreSQL only."""

import pytest
from django.db import connection

from governance.models import (
    AuditEvent,
    AuditEventType,
    ModelVersion,
    Notification,
    RetirementAlert,
    Stage,
)
from governance.services.retirement import retirement_evaluate, review_reminders_send
from tests.factories import RegisteredModelFactory
from tests.retirement_support import days_ago, production
from tests.test_concurrency import assert_chain_intact, run_together

pytestmark = pytest.mark.django_db(transaction=True)

VERSIONS = 6


@pytest.fixture(autouse=True)
def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent sweeps need row locks between connections: PostgreSQL only.")


@pytest.mark.parametrize("auto_deprecate", [False, True])
def test_two_sweeps_at_once_open_each_alert_once(team, personas, mailoutbox, auto_deprecate):
    versions = [
        production(
            RegisteredModelFactory(
                team=team, owner=personas["lead"], auto_deprecate=auto_deprecate
            ),
            trained_days_ago=100,
        )
        for _ in range(VERSIONS)
    ]
    ids = [version.pk for version in versions]

    outcomes, unexpected = run_together([lambda: retirement_evaluate(version_ids=ids)] * 2)

    assert unexpected == []
    assert RetirementAlert.objects.count() == VERSIONS
    events = AuditEvent.objects.filter(event_type=AuditEventType.ALERT_OPENED)
    assert events.count() == VERSIONS
    deprecations = AuditEvent.objects.filter(event_type=AuditEventType.DEPRECATED).count()
    assert deprecations == (VERSIONS if auto_deprecate else 0)
    stages = set(ModelVersion.objects.filter(pk__in=ids).values_list("stage", flat=True))
    assert stages == {Stage.DEPRECATED if auto_deprecate else Stage.PRODUCTION}
    assert Notification.objects.count() == 2 * VERSIONS  # lead (owner) and lead2
    assert sorted(mail.to[0] for mail in mailoutbox) == ["lead2@example.com", "lead@example.com"]
    assert_chain_intact()
    opened = [f.action for _, findings in outcomes for f in findings if f.rule == "max_age"]
    assert opened.count("opened") == VERSIONS


def test_two_reminder_sweeps_at_once_remind_once(team, personas, mailoutbox):
    model = RegisteredModelFactory(team=team, owner=personas["lead"])
    version = production(model, last_reviewed_at=days_ago(100), next_review_at=days_ago(9))

    _, unexpected = run_together([lambda: review_reminders_send(version_ids=[version.pk])] * 2)

    assert unexpected == []
    assert RetirementAlert.objects.count() == 1
    assert Notification.objects.count() == 3  # lead, lead2, risk_officer
    assert len(mailoutbox) == 3
    assert_chain_intact()
