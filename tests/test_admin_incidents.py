"""The serious-incident register in the admin: listed and readable by everyone who sees the
models there, with its history; never added, changed or deleted there (the services do)."""

import pytest
from django.contrib.admin import helpers

from governance.models import Role, SeriousIncident
from tests.admin_support import governance_admin, login, staff, superuser, url
from tests.db_state import nothing_written
from tests.factories import SeriousIncidentFactory

PERSONAS = {
    "superuser": superuser,
    "governance_admin": governance_admin,
    "risk_officer": lambda: staff("risk", Role.RISK_OFFICER),
    "legal": lambda: staff("legal", Role.LEGAL),
}


@pytest.fixture
def incident(db) -> SeriousIncident:
    return SeriousIncidentFactory(description="Held payments for two days.")


@pytest.mark.parametrize("persona", PERSONAS)
def test_incidents_are_listed_and_readable(client, incident, persona):
    login(client, PERSONAS[persona]())

    listing = client.get(url("seriousincident", "changelist"))
    page = client.get(url("seriousincident", "change", incident.pk))
    history = client.get(url("seriousincident", "history", incident.pk))

    assert (listing.status_code, page.status_code, history.status_code) == (200, 200, 200)
    assert f"Incident #{incident.pk}" in listing.content.decode()
    assert "Held payments for two days." in page.content.decode()
    assert b'name="_save"' not in page.content


@pytest.mark.parametrize("persona", PERSONAS)
def test_incidents_are_not_added_changed_or_deleted_in_the_admin(client, incident, persona):
    login(client, PERSONAS[persona]())

    with nothing_written():
        add = client.get(url("seriousincident", "add"))
        change = client.post(url("seriousincident", "change", incident.pk), {"status": "closed"})
        delete = client.post(url("seriousincident", "delete", incident.pk), {"post": "yes"})
        bulk = client.post(
            url("seriousincident", "changelist"),
            {"action": "delete_selected", helpers.ACTION_CHECKBOX_NAME: [incident.pk]},
        )

    assert (add.status_code, change.status_code, delete.status_code) == (403, 403, 403)
    assert bulk.status_code in (200, 302)
    assert SeriousIncident.objects.get().status == "open"


def test_people_without_model_access_do_not_see_incidents(client, incident):
    login(client, staff("nobody"))

    assert client.get(url("seriousincident", "changelist")).status_code == 403
