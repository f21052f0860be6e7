"""Serious-incident API: list and record a version's incidents, report one to the authority,
update its corrective action, close it; literal persona tables, problem details for every
refusal, nothing written on bad input, and suspend through the revoke path."""

import datetime

import pytest
from django.utils import timezone

from governance.models import ApprovalStatus, SeriousIncident, Stage
from governance.services.incidents import incident_report_to_authority
from tests.db_state import nothing_written
from tests.factories import SeriousIncidentFactory
from tests.workflows import promote

LIST = "/api/v1/models/customer-churn-predictor/versions/2.4.1/incidents/"
DAY = datetime.timedelta(days=1)
PROBLEM = "application/problem+json"


def today() -> datetime.date:
    return timezone.localdate()


def body(**fields: object) -> dict:
    return {
        "description": "Payments of 1,200 customers were held for two days.",
        "severity": "critical_infrastructure",
        "aware_at": (today() - DAY).isoformat(),
        **fields,
    }


def url(incident: SeriousIncident, action: str) -> str:
    return f"/api/v1/incidents/{incident.pk}/{action}/"


@pytest.fixture
def incident(version, personas) -> SeriousIncident:
    return SeriousIncidentFactory(version=version, reported_by=personas["engineer"])


@pytest.fixture
def reported(incident, personas) -> SeriousIncident:
    return incident_report_to_authority(
        actor=personas["legal"], incident_id=incident.pk, reported_at=today(), reference="R-1"
    )


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 401),
        ("no_role", 404),
        ("other_team_lead", 404),
        ("engineer", 200),
        ("legal", 200),
        ("auditor", 200),
        ("global_risk", 200),
    ],
)
def test_list_permissions(api_as, incident, persona, status):
    response = api_as(persona).get(LIST)

    assert response.status_code == status
    if status == 200:
        assert [row["id"] for row in response.json()] == [incident.pk]


def test_the_list_gives_each_incident_with_its_deadline(api_as, incident, reported):
    overdue = SeriousIncidentFactory(
        version=incident.version, severity="death", aware_at=today() - 11 * DAY
    )

    rows = api_as("auditor").get(LIST).json()

    assert [row["id"] for row in rows] == [reported.pk, overdue.pk]
    first, second = rows
    assert (first["status"], first["deadline_state"], first["authority_reference"]) == (
        "reported",
        None,
        "R-1",
    )
    assert second == {
        "id": overdue.pk,
        "model": "customer-churn-predictor",
        "version": "2.4.1",
        "description": overdue.description,
        "severity": "death",
        "occurred_at": None,
        "aware_at": (today() - 11 * DAY).isoformat(),
        "report_deadline": (today() - DAY).isoformat(),
        "deadline_state": "overdue",
        "status": "open",
        "reported_at": None,
        "authority_reference": "",
        "corrective_action": "",
        "closed_at": None,
        "revoked_request": None,
        "reported_by": "lead",
        "created_at": second["created_at"],
    }


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 401),
        ("no_role", 404),
        ("other_team_lead", 404),
        ("auditor", 403),
        ("legal", 403),
        ("admin", 403),
        ("superuser", 403),
        ("engineer", 201),
        ("lead", 201),
        ("risk_officer", 201),
    ],
)
def test_record_permissions(api_as, version, persona, status):
    client = api_as(persona)

    response = client.post(LIST, body())

    assert response.status_code == status, response.content
    assert SeriousIncident.objects.exists() is (status == 201)
    if status != 201:
        assert response["Content-Type"] == PROBLEM


def test_recording_answers_with_the_incident_and_its_deadline(api_as, version):
    response = api_as("engineer").post(LIST, body(occurred_at=(today() - 2 * DAY).isoformat()))

    data = response.json()
    assert (data["severity"], data["status"], data["reported_by"]) == (
        "critical_infrastructure",
        "open",
        "engineer",
    )
    assert data["report_deadline"] == (today() + DAY).isoformat()  # 2 days after awareness
    assert data["deadline_state"] == "due_soon"
    assert data["occurred_at"] == (today() - 2 * DAY).isoformat()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"aware_at": (today() + DAY).isoformat()}, "aware_at"),
        ({"aware_at": "2026-11-27T10:00:00Z"}, "aware_at"),
        ({"aware_at": None}, "aware_at"),
        ({"severity": "minor"}, "severity"),
        ({"description": ""}, "description"),
        ({"description": 7}, "description"),
        ({"description": "a\x00b"}, "description"),
        ({"occurred_at": (today() + DAY).isoformat()}, "occurred_at"),
        ({"suspend": "maybe"}, "suspend"),
        ({"corrective_action": "c" * 10_001}, "corrective_action"),
    ],
)
def test_bad_input_is_a_problem_by_field_and_nothing_is_written(api_as, version, fields, field):
    client = api_as("engineer")

    with nothing_written():
        response = client.post(LIST, body(**fields))

    assert response.status_code == 400, response.content
    assert response["Content-Type"] == PROBLEM
    assert list(response.json()["errors"]) == [field]


def test_a_list_body_is_refused(api_as, version):
    client = api_as("engineer")

    with nothing_written():
        response = client.post(LIST, [body()])

    assert response.status_code == 400


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 401),
        ("no_role", 404),
        ("other_team_lead", 404),
        ("auditor", 403),
        ("engineer", 403),
        ("lead", 403),
        ("admin", 403),
        ("risk_officer", 200),
        ("legal", 200),
        ("global_risk", 200),
    ],
)
def test_report_permissions(api_as, incident, persona, status):
    client = api_as(persona)

    response = client.post(url(incident, "report"), {"reported_at": str(today()), "reference": "X"})

    assert response.status_code == status, response.content
    incident.refresh_from_db()
    assert incident.status == ("reported" if status == 200 else "open")


def test_reporting_again_is_a_conflict(api_as, reported):
    client = api_as("legal")

    with nothing_written():
        response = client.post(
            url(reported, "report"), {"reported_at": str(today()), "reference": "Y"}
        )

    assert response.status_code == 409
    assert response.json()["detail"] == (
        f"Incident #{reported.pk} was already reported to the authority on {today()}."
    )


def test_a_report_without_reference_is_refused(api_as, incident):
    client = api_as("legal")

    with nothing_written():
        response = client.post(
            url(incident, "report"), {"reported_at": str(today()), "reference": " "}
        )

    assert response.status_code == 400
    assert response.json()["errors"] == {"reference": ["This field may not be blank."]}


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 401),
        ("no_role", 404),
        ("auditor", 403),
        ("engineer", 403),
        ("lead", 403),
        ("risk_officer", 200),
        ("legal", 200),
    ],
)
def test_close_permissions(api_as, reported, persona, status):
    client = api_as(persona)

    response = client.post(url(reported, "close"), {"corrective_action": "Retrained."})

    assert response.status_code == status, response.content
    reported.refresh_from_db()
    assert reported.status == ("closed" if status == 200 else "reported")
    if status == 200:
        assert response.json()["closed_at"] is not None


def test_closing_an_open_incident_is_a_conflict(api_as, incident):
    client = api_as("legal")

    with nothing_written():
        response = client.post(url(incident, "close"), {"corrective_action": "Retrained."})

    assert response.status_code == 409
    assert "has not been reported to the authority yet" in response.json()["detail"]


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 401),
        ("no_role", 404),
        ("auditor", 403),
        ("admin", 403),
        ("engineer", 200),
        ("lead", 200),
        ("risk_officer", 200),
        ("legal", 200),
    ],
)
def test_corrective_action_permissions(api_as, incident, persona, status):
    client = api_as(persona)

    response = client.post(url(incident, "corrective-action"), {"corrective_action": "Fixed."})

    assert response.status_code == status, response.content
    incident.refresh_from_db()
    assert (incident.corrective_action == "Fixed.") is (status == 200)


def test_an_unknown_incident_is_not_found(api_as, version):
    response = api_as("legal").post("/api/v1/incidents/999999/close/", {"corrective_action": "x"})

    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM


def test_a_huge_incident_id_is_not_found(api_as, version):
    response = api_as("legal").post(f"/api/v1/incidents/{2**70}/report/", {})

    assert response.status_code == 404


# --- suspend -----------------------------------------------------------------------------


@pytest.fixture
def live(version, personas):  # noqa: ANN201
    promote(version, personas, Stage.STAGING)
    promote(version, personas, Stage.PRODUCTION)
    return version


def test_recording_with_suspend_takes_the_version_out_of_production(api_as, live):
    response = api_as("risk_officer").post(LIST, body(suspend=True))

    assert response.status_code == 201, response.content
    approval = live.approval_requests.get(target_stage=Stage.PRODUCTION)
    assert response.json()["revoked_request"] == approval.pk
    live.refresh_from_db()
    assert (live.stage, approval.status) == (Stage.DEPRECATED, ApprovalStatus.REVOKED)


def test_a_suspend_by_someone_who_may_not_revoke_is_refused_with_nothing_written(api_as, live):
    client = api_as("lead")

    with nothing_written():
        response = client.post(LIST, body(suspend=True))

    assert response.status_code == 403
    assert response.json()["detail"] == (
        "To suspend a version you need one of these roles on customer-churn-predictor: legal, "
        "risk_officer."
    )


def test_suspending_a_version_out_of_production_is_a_conflict(api_as, version):
    client = api_as("risk_officer")

    with nothing_written():
        response = client.post(LIST, body(suspend=True))

    assert response.status_code == 409
    assert "not in production: there is nothing to suspend" in response.json()["detail"]


@pytest.mark.parametrize("count", [2, 20])
def test_list_queries_do_not_grow_with_incidents(
    api_as, version, count, django_assert_max_num_queries
):
    for _ in range(count):
        SeriousIncidentFactory(version=version)
    client = api_as("auditor")

    with django_assert_max_num_queries(8):
        response = client.get(LIST)

    assert len(response.json()) == count
