"""The dashboard's serious-incident block: open incidents of the models a person may see whose
reporting deadline is past or due soon (TUTELA_INCIDENT_DUE_SOON_DAYS), earliest deadline
first, with the total and how many are overdue. Its query is counted with the others in
tests/views/test_dashboard.py."""

import datetime

import pytest
from django.utils import timezone

from governance.services.incident_reminders import incident_reminders_send
from governance.services.incidents import incident_report_to_authority
from tests.factories import ModelVersionFactory, RegisteredModelFactory, SeriousIncidentFactory
from tests.web import sign_in, text

DAY = datetime.timedelta(days=1)


def due(version, days_left: int, severity: str = "other"):  # noqa: ANN001, ANN201
    days = {"other": 15, "death": 10, "widespread_infringement": 2}[severity]
    aware = timezone.localdate() + (days_left - days) * DAY
    return SeriousIncidentFactory(version=version, severity=severity, aware_at=aware)


def block(response) -> str:  # noqa: ANN001
    return text(response).split('id="incidents"')[1].split("</section>")[0]


@pytest.fixture
def marketing(other_team, personas):  # noqa: ANN001, ANN201
    model = RegisteredModelFactory(
        name="campaign-uplift", team=other_team, owner=personas["other_team_lead"]
    )
    return ModelVersionFactory(model=model, version="9.9.9")


def test_overdue_and_due_soon_incidents_show_earliest_deadline_first(client, personas, version):
    soon = due(version, 2, "death")
    overdue = due(version, -3, "widespread_infringement")
    due(version, 3)  # on track: not yet

    response = sign_in(client, personas, "engineer").get("/")

    incidents = response.context["dashboard"].incidents
    assert [row.incident.pk for row in incidents.rows] == [overdue.pk, soon.pk]
    assert (incidents.total, incidents.overdue) == (2, 1)
    shown = block(response)
    assert "(2, 1 overdue)" in shown
    assert "overdue by 3 days" in shown and "due in 2 days" in shown
    assert "Widespread infringement" in shown and "Death of a person" in shown
    detail = f"/models/customer-churn-predictor/versions/2.4.1/incidents/{overdue.pk}/"
    assert f'href="{detail}"' in shown
    assert "product guidance, not legal advice" in shown


def test_a_reported_incident_leaves_the_block(client, personas, version):
    incident = due(version, -1)
    incident_report_to_authority(
        actor=personas["legal"],
        incident_id=incident.pk,
        reported_at=timezone.localdate(),
        reference="R",
    )

    response = sign_in(client, personas, "engineer").get("/")

    assert response.context["dashboard"].incidents.total == 0
    assert "No serious incident is due for reporting." in block(response)


@pytest.mark.parametrize(
    ("persona", "sees_fraud", "sees_marketing"),
    [
        ("no_role", False, False),
        ("other_team_lead", False, True),
        ("engineer", True, False),
        ("legal", True, False),
        ("auditor", True, True),
        ("global_risk", True, True),
    ],
)
def test_the_block_shows_only_visible_models(
    client, personas, version, marketing, persona, sees_fraud, sees_marketing
):
    due(version, 0)
    due(marketing, -1)

    shown = block(sign_in(client, personas, persona).get("/"))

    assert ("customer-churn-predictor" in shown) is sees_fraud
    assert ("campaign-uplift" in shown) is sees_marketing


def test_the_due_soon_window_is_a_setting(client, personas, version, settings):
    settings.TUTELA_INCIDENT_DUE_SOON_DAYS = 5
    due(version, 5)

    response = sign_in(client, personas, "engineer").get("/")

    assert response.context["dashboard"].incidents.total == 1
    assert "is 5 days away or less" in block(response)


def test_a_long_block_shows_its_first_rows_and_the_total(client, personas, version):
    for days_left in range(-22, 1):
        due(version, days_left)

    response = sign_in(client, personas, "engineer").get("/")

    incidents = response.context["dashboard"].incidents
    assert (len(incidents.rows), incidents.total, incidents.overdue) == (20, 23, 22)
    assert "Showing 20 of 23." in block(response)


def test_an_incident_reminder_links_to_the_incident_page(
    client, personas, version, django_capture_on_commit_callbacks
):
    incident = due(version, -1)
    with django_capture_on_commit_callbacks(execute=True):
        incident_reminders_send(incident_ids=[incident.pk])

    page = text(sign_in(client, personas, "lead").get("/"))

    notes = page.split('id="notifications"')[1].split("</section>")[0]
    link = f"/models/customer-churn-predictor/versions/2.4.1/incidents/{incident.pk}/"
    assert f'<a href="{link}">Incident page</a>' in notes
