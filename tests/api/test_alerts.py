"""/api/v1/alerts/ and /api/v1/alerts/{id}/acknowledge/: who sees and acknowledges alerts,
the filters, and the query count of the list."""

import pytest

from governance.models import (
    AlertRule,
    AlertStatus,
    AuditEventType,
    Environment,
    ModelVersion,
    RetirementAlert,
)
from governance.services.deployments import deployment_record
from tests.db_state import audit_mark, new_events, nothing_written
from tests.factories import ModelVersionFactory, RegisteredModelFactory, RetirementAlertFactory

LIST = "/api/v1/alerts/"


def acknowledge_url(alert: RetirementAlert) -> str:
    return f"/api/v1/alerts/{alert.pk}/acknowledge/"


def ids(response) -> list[int]:  # noqa: ANN001
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def shadow_alert(version: ModelVersion, personas) -> RetirementAlert:
    """2.4.1 is still in development but the serving platform reports it in production."""
    deployment_record(
        actor=personas["engineer"],
        version_id=version.pk,
        endpoint="churn-scoring",
        environment=Environment.PRODUCTION,
    )
    return RetirementAlert.objects.get(version=version, rule=AlertRule.SHADOW_DEPLOYMENT)


@pytest.mark.parametrize(
    ("persona", "status", "count"),
    [
        ("anonymous", 401, None),
        ("no_role", 200, 0),
        ("other_team_lead", 200, 0),
        ("auditor", 200, 1),
        ("superuser", 200, 1),
        ("global_risk", 200, 1),
        ("engineer", 200, 1),
        ("lead", 200, 1),
    ],
)
def test_list_permissions(api_as, shadow_alert, persona, status, count) -> None:
    response = api_as(persona).get(LIST)

    assert response.status_code == status
    if count is not None:
        assert ids(response) == [shadow_alert.pk] * count


def test_list_shows_the_shadow_deployment_alert(api_as, shadow_alert) -> None:
    [row] = api_as("lead").get(LIST).json()["results"]

    assert (row["rule"], row["status"]) == ("shadow_deployment", "open")
    assert (row["model"], row["version"]) == ("customer-churn-predictor", "2.4.1")
    [reason] = row["reasons"]
    assert (reason["endpoint"], reason["environment"], reason["stage"]) == (
        "churn-scoring",
        "production",
        "development",
    )
    assert (row["acknowledged_by"], row["acknowledged_at"]) == (None, None)


@pytest.fixture
def three_alerts(shadow_alert, team, personas) -> dict[str, RetirementAlert]:
    other = RegisteredModelFactory(name="card-fraud", team=team, owner=personas["lead"])
    return {
        "shadow": shadow_alert,
        "age": RetirementAlertFactory(version=ModelVersionFactory(model=other)),
        "drift": RetirementAlertFactory(
            version=ModelVersionFactory(model=other),
            rule=AlertRule.DRIFT_CEILING,
            status=AlertStatus.ACKNOWLEDGED,
        ),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["drift", "age", "shadow"]),  # newest first
        ("?status=open", ["age", "shadow"]),
        ("?status=acknowledged", ["drift"]),
        ("?status=resolved", []),
        ("?rule=max_age", ["age"]),
        ("?model=card-fraud", ["drift", "age"]),
        ("?model=customer-churn-predictor&rule=shadow_deployment", ["shadow"]),
        ("?model=unknown", []),
    ],
)
def test_filters(api_as, three_alerts, query, expected) -> None:
    response = api_as("auditor").get(LIST + query)

    assert response.status_code == 200
    assert ids(response) == [three_alerts[key].pk for key in expected]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=closed", "status"),
        ("rule=shadow", "rule"),
        ("model=a%00b", "model"),
        ("model=" + "m" * 101, "model"),
    ],
)
def test_bad_filters_are_refused(api_as, shadow_alert, query, field) -> None:
    response = api_as("auditor").get(f"{LIST}?{query}")

    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_list_pages_with_a_cursor(api_as, three_alerts) -> None:
    client = api_as("auditor")

    first = client.get(f"{LIST}?page_size=2")
    second = client.get(first.json()["next"])

    assert ids(first) == [three_alerts["drift"].pk, three_alerts["age"].pk]
    assert ids(second) == [three_alerts["shadow"].pk]


@pytest.mark.parametrize("rows", [2, 20])
def test_list_query_count_does_not_grow_with_rows(
    api_as, model, personas, django_assert_max_num_queries, rows
) -> None:
    for _ in range(rows):
        RetirementAlertFactory(
            version=ModelVersionFactory(model=model),
            status=AlertStatus.ACKNOWLEDGED,
            acknowledged_by=personas["lead"],
        )
    client = api_as("engineer")
    client.get(LIST)  # the token's last-used time is written on first use only

    # token, global roles, read access, role grants; the page
    with django_assert_max_num_queries(5):
        response = client.get(LIST)

    assert len(response.json()["results"]) == rows
    assert {row["acknowledged_by"] for row in response.json()["results"]} == {"lead"}


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 401),
        ("no_role", 404),
        ("other_team_lead", 404),
        ("auditor", 403),
        ("superuser", 403),
        ("engineer", 403),
        ("legal", 403),
        ("admin", 403),
        ("lead", 200),
        ("risk_officer", 200),
        ("global_risk", 200),
    ],
)
def test_acknowledge_permissions(api_as, shadow_alert, persona, status) -> None:
    response = api_as(persona).post(acknowledge_url(shadow_alert))

    assert response.status_code == status, response.content
    shadow_alert.refresh_from_db()
    expected = AlertStatus.ACKNOWLEDGED if status == 200 else AlertStatus.OPEN
    assert shadow_alert.status == expected


def test_acknowledge_records_who_and_writes_the_audit_event(api_as, shadow_alert) -> None:
    client = api_as("risk_officer")
    mark = audit_mark()

    response = client.post(acknowledge_url(shadow_alert))

    body = response.json()
    assert (body["status"], body["acknowledged_by"]) == ("acknowledged", "risk_officer")
    assert body["acknowledged_at"] is not None
    [(event_type, actor, _model, version_id, _request, details)] = new_events(mark)
    assert (event_type, actor, version_id) == (
        AuditEventType.ALERT_ACKNOWLEDGED,
        "risk_officer",
        shadow_alert.version_id,
    )
    assert details == {"alert": shadow_alert.pk, "rule": "shadow_deployment"}


def test_acknowledged_alert_cannot_be_acknowledged_again(api_as, shadow_alert) -> None:
    client = api_as("lead")
    client.post(acknowledge_url(shadow_alert))

    with nothing_written():
        response = client.post(acknowledge_url(shadow_alert))

    assert response.status_code == 409
    assert "only open alerts" in response.json()["detail"]


def test_acknowledge_ignores_a_body(api_as, shadow_alert) -> None:
    response = api_as("lead").post(acknowledge_url(shadow_alert), {"status": "resolved"})

    assert response.status_code == 200
    assert response.json()["status"] == "acknowledged"


@pytest.mark.parametrize("pk", ["424242", "9" * 30])
def test_unknown_alert_is_not_found(api_as, pk) -> None:
    client = api_as("lead")

    with nothing_written():
        response = client.post(f"/api/v1/alerts/{pk}/acknowledge/")

    assert response.status_code == 404
