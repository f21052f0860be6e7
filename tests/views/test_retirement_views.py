"""The retirement engine in the browser: the "Mark reviewed" button on a production
version's page (risk officers only, POST with CSRF) and the notifications on the dashboard
(shown to their recipient, marked read, in a fixed number of queries)."""

import pytest
from django.test import Client

from governance.models import AuditEvent, Notification, RetirementAlert, Role, Stage
from governance.services.retirement import retirement_evaluate
from tests.db_state import nothing_written
from tests.factories import RegisteredModelFactory, UserFactory, grant
from tests.retirement_support import days_ago, production
from tests.web import sign_in, text

pytestmark = pytest.mark.django_db

VERSION = "/models/customer-churn-predictor/versions/2.4.1/"
REVIEWED = VERSION + "reviewed/"


@pytest.fixture
def overdue(model):  # noqa: ANN001, ANN201
    return production(model, last_reviewed_at=days_ago(100), next_review_at=days_ago(9))


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 302),  # to the login page
        ("no_role", 404),
        ("other_team_lead", 404),
        ("engineer", 403),
        ("lead", 403),
        ("legal", 403),
        ("admin", 403),
        ("auditor", 403),
        ("superuser", 403),
        ("risk_officer", 302),  # back to the version page
        ("global_risk", 302),
    ],
)
def test_mark_reviewed_permissions(client, personas, overdue, persona, status):
    response = sign_in(client, personas, persona).post(REVIEWED)

    assert response.status_code == status
    overdue.refresh_from_db()
    assert (overdue.next_review_at > days_ago(0)) is (status == 302 and persona != "anonymous")


def test_a_recorded_review_says_when_the_next_one_is_due(client, personas, overdue):
    response = sign_in(client, personas, "risk_officer").post(REVIEWED, follow=True)

    overdue.refresh_from_db()
    assert response.redirect_chain == [(VERSION, 302)]
    assert f"the next one is due {overdue.next_review_at:%Y-%m-%d}" in text(response)


def test_a_version_out_of_production_is_not_reviewed(client, personas, model):
    production(model, stage=Stage.STAGING, next_review_at=None)
    sign_in(client, personas, "risk_officer")

    with nothing_written():
        response = client.post(REVIEWED, follow=True)

    assert "Nothing was recorded." in text(response)
    assert "only production versions are reviewed on a schedule" in text(response)


def test_mark_reviewed_needs_a_post_with_csrf(personas, overdue):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas["risk_officer"])

    assert client.get(REVIEWED).status_code == 405
    with nothing_written():
        assert client.post(REVIEWED).status_code == 403


@pytest.mark.parametrize(("persona", "button"), [("risk_officer", True), ("lead", False)])
def test_the_button_is_offered_to_risk_officers(client, personas, overdue, persona, button):
    page = text(sign_in(client, personas, persona).get(VERSION))

    assert ("Mark reviewed" in page) is button
    assert f'next due <time datetime="{overdue.next_review_at:%Y-%m-%d}' in page


def _alerts_for(team, owner, count: int) -> None:  # noqa: ANN001
    versions = [
        production(RegisteredModelFactory(team=team, owner=owner), trained_days_ago=100)
        for _ in range(count)
    ]
    retirement_evaluate(version_ids=[version.pk for version in versions])


def test_the_dashboard_shows_my_unread_notifications(client, personas, team):
    _alerts_for(team, personas["lead"], 1)

    page = text(sign_in(client, personas, "lead2").get("/"))
    others = text(sign_in(Client(), personas, "engineer").get("/"))

    notifications = page.split('id="notifications"')[1].split("</section>")[0]
    assert "(1 unread)" in notifications
    assert "Maximum age. Trained on" in notifications
    assert 'href="/models/' in notifications
    assert "No unread notifications." in others


def test_marking_notifications_read_empties_the_block(client, personas, team):
    _alerts_for(team, personas["lead"], 2)
    sign_in(client, personas, "lead2")
    events = AuditEvent.objects.count()

    response = client.post("/notifications/read/", follow=True)

    assert "Marked 2 notifications as read." in text(response)
    assert "No unread notifications." in text(response)
    assert Notification.objects.filter(read_at__isnull=True).count() == 2  # lead's are unread
    assert AuditEvent.objects.count() == events


def test_marking_read_needs_a_post(client, personas):
    assert sign_in(client, personas, "lead").get("/notifications/read/").status_code == 405


@pytest.mark.parametrize("count", [2, 20])
def test_the_dashboard_queries_do_not_grow_with_notifications(
    client, personas, team, django_assert_max_num_queries, count
):
    reader = UserFactory(username="reader")
    grant(reader, Role.ML_LEAD, team)
    _alerts_for(team, personas["lead"], count)
    sign_in(client, {"reader": reader}, "reader")

    with django_assert_max_num_queries(15):
        response = client.get("/")

    assert response.context["dashboard"].notifications.total == count
    assert RetirementAlert.objects.count() == count
