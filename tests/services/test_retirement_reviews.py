"""Review schedule: an overdue review opens one alert and reminds the owner, the team's leads
and risk officers at most once a day; a risk officer's "reviewed" moves the next review and
resolves the alert (version_mark_reviewed, risk officers only)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from governance.actors import RETIREMENT
from governance.exceptions import DomainError
from governance.models import AlertStatus, Notification, RetirementAlert, ReviewSchedule, Stage
from governance.selectors.retirement import review_due_version_ids
from governance.services.alerts import alert_acknowledge
from governance.services.retirement import review_reminders_send
from governance.services.review_schedule import version_mark_reviewed
from tests.db_state import audit_mark, history, new_events, nothing_written
from tests.factories import RegisteredModelFactory
from tests.retirement_support import DAY, actions, days_ago, notified, production

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue(model):  # noqa: ANN001, ANN201
    """Reviewed 40 days ago on a monthly schedule: due 10 days ago."""
    return production(
        model,
        review_schedule=ReviewSchedule.MONTHLY,
        last_reviewed_at=days_ago(40),
        next_review_at=days_ago(10),
    )


def remind(version, capture, **kwargs):  # noqa: ANN001, ANN003, ANN201
    with capture(execute=True):
        return review_reminders_send(version_ids=[version.pk], **kwargs)


REMINDED = [
    ("lead", "review_overdue"),
    ("lead2", "review_overdue"),
    ("risk_officer", "review_overdue"),
]


def test_an_overdue_review_opens_an_alert_and_reminds_who_can_review(
    model, overdue, django_capture_on_commit_callbacks, mailoutbox
):
    mark = audit_mark()

    findings = remind(overdue, django_capture_on_commit_callbacks)

    alert = RetirementAlert.objects.get()
    assert (alert.rule, alert.status) == ("review_overdue", AlertStatus.OPEN)
    assert actions(findings) == [("review_overdue", "opened")]
    assert [event[:2] for event in new_events(mark)] == [("alert.opened", "system:retirement")]
    assert notified() == REMINDED
    assert len(mailoutbox) == 3
    assert "Review due since" in mailoutbox[0].body and "Please review it." in mailoutbox[0].body


def test_reminders_go_out_at_most_once_a_day(
    overdue, django_capture_on_commit_callbacks, mailoutbox
):
    remind(overdue, django_capture_on_commit_callbacks)

    with nothing_written():
        same_day = remind(overdue, django_capture_on_commit_callbacks)
    mark = audit_mark()
    next_day = remind(overdue, django_capture_on_commit_callbacks, now=days_ago(-1))

    assert actions(same_day) == [("review_overdue", "unchanged")]
    assert actions(next_day) == [("review_overdue", "reminded")]
    assert new_events(mark) == []  # a reminder is no new alert
    assert (Notification.objects.count(), len(mailoutbox)) == (6, 6)


def test_an_acknowledged_overdue_review_stays_quiet(
    personas, overdue, django_capture_on_commit_callbacks, mailoutbox
):
    remind(overdue, django_capture_on_commit_callbacks)
    alert_acknowledge(actor=personas["risk_officer"], alert_id=RetirementAlert.objects.get().pk)

    with nothing_written():
        remind(overdue, django_capture_on_commit_callbacks, now=days_ago(-1))


def test_a_review_not_yet_due_opens_nothing(model, django_capture_on_commit_callbacks):
    version = production(model, next_review_at=days_ago(-1))

    with nothing_written():
        assert actions(remind(version, django_capture_on_commit_callbacks)) == []
    assert review_due_version_ids(now=days_ago(0)) == []


def test_the_risk_officer_marks_a_version_reviewed(
    personas, overdue, django_capture_on_commit_callbacks
):
    remind(overdue, django_capture_on_commit_callbacks)
    alert = RetirementAlert.objects.get()
    mark = audit_mark()

    version_mark_reviewed(actor=personas["risk_officer"], version_id=overdue.pk)

    overdue.refresh_from_db()
    assert days_ago(0.01) < overdue.last_reviewed_at <= days_ago(0)
    assert overdue.next_review_at == overdue.last_reviewed_at + 30 * DAY
    events = new_events(mark)
    assert [event[:2] for event in events] == [
        ("model.reviewed", "risk_officer"),
        ("alert.resolved", "risk_officer"),
    ]
    assert events[0][5] == {
        "version": "2.4.1",
        "review_schedule": "monthly",
        "next_review_at": overdue.next_review_at.isoformat(),
    }
    assert history(overdue)[-1] == ("~", "risk_officer", "reviewed")
    alert.refresh_from_db()
    assert alert.status == AlertStatus.RESOLVED


def test_a_review_alert_resolves_once_the_version_is_reviewed_or_leaves_production(
    overdue, django_capture_on_commit_callbacks
):
    remind(overdue, django_capture_on_commit_callbacks)
    overdue.stage, overdue.next_review_at = Stage.DEPRECATED, None
    overdue.save(update_fields=["stage", "next_review_at"])

    assert review_due_version_ids(now=days_ago(0)) == [overdue.pk]
    findings = remind(overdue, django_capture_on_commit_callbacks)

    assert actions(findings) == [("review_overdue", "resolved")]
    assert review_due_version_ids(now=days_ago(0)) == []


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("risk_officer", True),
        ("global_risk", True),
        ("lead", False),
        ("engineer", False),
        ("legal", False),
        ("admin", False),
        ("other_team_lead", False),
        ("no_role", False),
        ("superuser", False),
        ("auditor", False),
    ],
)
def test_only_risk_officers_mark_a_version_reviewed(personas, overdue, persona, allowed):
    if allowed:
        version_mark_reviewed(actor=personas[persona], version_id=overdue.pk)
        return
    with nothing_written(), pytest.raises(PermissionDenied, match="record a review"):
        version_mark_reviewed(actor=personas[persona], version_id=overdue.pk)


def test_the_system_cannot_mark_a_version_reviewed(overdue):
    with nothing_written(), pytest.raises(PermissionDenied):
        version_mark_reviewed(actor=RETIREMENT, version_id=overdue.pk)


def test_only_production_versions_are_marked_reviewed(personas, model):
    staging = production(model, version="3.0.0", stage=Stage.STAGING)

    with nothing_written(), pytest.raises(DomainError) as caught:
        version_mark_reviewed(actor=personas["risk_officer"], version_id=staging.pk)

    assert caught.value.message == (
        "customer-churn-predictor 3.0.0 is staging; only production versions are reviewed on "
        "a schedule."
    )


@pytest.mark.parametrize("count", [2, 20])
def test_a_quiet_reminder_batch_costs_the_same_queries_whatever_its_size(
    team, personas, django_capture_on_commit_callbacks, django_assert_num_queries, count
):
    versions = [
        production(
            RegisteredModelFactory(team=team, owner=personas["lead"]),
            last_reviewed_at=days_ago(100),
            next_review_at=days_ago(9),
        )
        for _ in range(count)
    ]
    ids = [version.pk for version in versions]
    with django_capture_on_commit_callbacks(execute=True):
        review_reminders_send(version_ids=ids)

    with django_assert_num_queries(3):  # versions, their alerts, today's reminders
        again = review_reminders_send(version_ids=ids)

    assert {finding.action for finding in again} == {"unchanged"}


def test_daily_reminders_cost_the_same_queries_for_2_and_20_versions(
    team, personas, django_capture_on_commit_callbacks
):
    def reminded_next_day(count: int) -> int:
        versions = [
            production(
                RegisteredModelFactory(team=team, owner=personas["lead"]),
                last_reviewed_at=days_ago(100),
                next_review_at=days_ago(9),
            )
            for _ in range(count)
        ]
        ids = [version.pk for version in versions]
        with django_capture_on_commit_callbacks(execute=True):
            review_reminders_send(version_ids=ids)
        with CaptureQueriesContext(connection) as queries:
            findings = review_reminders_send(version_ids=ids, now=days_ago(-1))
        assert [f.action for f in findings] == ["reminded"] * count
        return len(queries)

    assert reminded_next_day(2) == reminded_next_day(20)
