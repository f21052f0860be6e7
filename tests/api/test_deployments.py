"""GET and POST /api/v1/deployments/: every report of the serving platform is recorded; one
of a version not approved for its environment raises a shadow-model alert."""

import datetime
from base64 import b64encode

import pytest

from governance.models import AlertRule, AlertStatus, Deployment, RetirementAlert, Stage
from tests.db_state import audit_mark, new_events, nothing_written
from tests.factories import DeploymentFactory, ModelVersionFactory, RegisteredModelFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/deployments/"
REPORTED_AT = datetime.datetime(2026, 11, 27, 10, 0, tzinfo=datetime.UTC)


def report(**changes: object) -> dict:
    body = {
        "endpoint": "churn-api",
        "environment": "production",
        "model": "customer-churn-predictor",
        "version": "2.4.1",
    }
    return {**body, **changes}


@pytest.fixture
def production_version(model):
    return ModelVersionFactory(model=model, version="2.4.0", stage=Stage.PRODUCTION, complete=True)


# --- permissions ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 401),
        ("engineer", 201),
        ("lead", 201),
        ("risk_officer", 403),
        ("legal", 403),
        ("admin", 403),
        ("global_risk", 403),
        ("auditor", 403),
        ("superuser", 403),
        ("other_team_lead", 404),
        ("no_role", 404),
    ],
)
def test_report_deployment_permissions(api_as, production_version, persona, status):
    response = api_as(persona).post(URL, report(version="2.4.0"))

    assert response.status_code == status
    assert Deployment.objects.count() == (1 if status == 201 else 0)


@pytest.mark.parametrize(
    ("persona", "status", "listed"),
    [
        ("anonymous", 401, None),
        ("engineer", 200, 1),
        ("lead", 200, 1),
        ("risk_officer", 200, 1),
        ("legal", 200, 1),
        ("admin", 200, 1),
        ("global_risk", 200, 2),
        ("auditor", 200, 2),
        ("superuser", 200, 2),
        ("other_team_lead", 200, 1),
        ("no_role", 200, 0),
    ],
)
def test_list_deployments_permissions(api_as, version, other_team, persona, status, listed):
    DeploymentFactory(version=version)
    DeploymentFactory(version=ModelVersionFactory(model=RegisteredModelFactory(team=other_team)))

    response = api_as(persona).get(URL)

    assert response.status_code == status
    if listed is not None:
        assert len(response.json()["results"]) == listed


# --- reporting ------------------------------------------------------------------------


def test_a_deployment_of_the_production_version_is_approved_and_raises_no_alert(
    api_as, model, production_version
):
    client = api_as("engineer")
    mark = audit_mark()

    response = client.post(URL, report(version="2.4.0", reported_at="2026-11-27T11:00:00+01:00"))

    assert response.status_code == 201
    deployment = Deployment.objects.get()
    assert response.json() == {
        "id": deployment.pk,
        "endpoint": "churn-api",
        "environment": "production",
        "model": "customer-churn-predictor",
        "version": "2.4.0",
        "stage": "production",
        "approved": True,
        "active": True,
        "reported_by": "engineer",
        "reported_at": "2026-11-27T10:00:00Z",
        "ended_at": None,
        "alert": None,
    }
    assert deployment.reported_at == REPORTED_AT
    assert [event[0] for event in new_events(mark)] == ["model.deployed"]
    assert not RetirementAlert.objects.exists()


def test_a_report_time_is_kept_in_utc_whatever_its_offset(api_as, production_version):
    body = report(version="2.4.0", reported_at="2026-11-28T08:41:00+22:41")

    response = api_as("engineer").post(URL, body)

    assert response.json()["reported_at"] == "2026-11-27T10:00:00Z"
    assert Deployment.objects.get().reported_at == REPORTED_AT


def test_a_deployment_of_an_unapproved_version_is_recorded_and_raises_a_shadow_alert(
    api_as, model, version
):
    client = api_as("lead")
    mark = audit_mark()

    response = client.post(URL, report())

    assert response.status_code == 201
    alert = RetirementAlert.objects.get()
    assert (alert.version, alert.rule, alert.status) == (
        version,
        AlertRule.SHADOW_DEPLOYMENT,
        AlertStatus.OPEN,
    )
    body = response.json()
    assert (body["stage"], body["approved"], body["alert"]) == ("development", False, alert.pk)
    assert Deployment.objects.get().version == version
    assert [event[0] for event in new_events(mark)] == ["model.deployed", "alert.opened"]


def test_a_staging_version_is_approved_for_staging_but_not_production(api_as, model):
    ModelVersionFactory(model=model, version="2.5.0", stage=Stage.STAGING, complete=True)
    client = api_as("engineer")

    staging = client.post(URL, report(version="2.5.0", environment="staging")).json()
    production = client.post(URL, report(version="2.5.0", environment="production")).json()

    assert (staging["approved"], staging["alert"]) == (True, None)
    assert (production["approved"], production["alert"]) == (
        False,
        RetirementAlert.objects.get().pk,
    )


def test_a_new_report_for_an_endpoint_ends_the_previous_one(api_as, version, production_version):
    client = api_as("engineer")
    first = client.post(URL, report(version="2.4.0", reported_at="2026-11-27T10:00:00Z")).json()

    client.post(URL, report(version="2.4.1", reported_at="2026-11-28T10:00:00Z"))

    ended = client.get(URL + "?active=false").json()["results"]
    assert [(d["id"], d["active"], d["ended_at"]) for d in ended] == [
        (first["id"], False, "2026-11-28T10:00:00Z")
    ]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        (report(model="no-such-model"), 404, None),
        (report(version="9.9.9"), 404, None),
        (report(model="customer\x00churn"), 400, "model"),
        (report(version="v" * 65), 400, "version"),
        (report(environment="prod"), 400, "environment"),
        (report(environment=None), 400, "environment"),
        (report(endpoint=""), 400, "endpoint"),
        (report(endpoint="churn\napi"), 400, "endpoint"),
        (report(endpoint="e" * 201), 400, "endpoint"),
        (report(endpoint=["churn-api"]), 400, "endpoint"),
        (report(reported_at="2026-11-27T10:00:00"), 400, "reported_at"),
        (report(reported_at="last tuesday"), 400, "reported_at"),
        (report(reported_at="0001-01-01T00:00:00+01:00"), 400, "reported_at"),
        (report(reported_at=1764237600), 400, "reported_at"),
        ({"endpoint": "churn-api"}, 400, None),
        ([report()], 400, None),
        ("not json", 400, None),
    ],
)
def test_a_bad_report_is_refused_and_nothing_is_written(api_as, version, body, status, field):
    client = api_as("engineer")
    with nothing_written():
        response = client.post(URL, body)

    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    if field is not None:
        assert list(response.json()["errors"]) == [field]


def test_a_report_on_another_teams_model_is_404(api_as, version):
    client = api_as("other_team_lead")
    with nothing_written():
        response = client.post(URL, report())

    assert response.status_code == 404


# --- listing --------------------------------------------------------------------------


def test_deployments_are_listed_latest_report_first(api_as, version, production_version):
    older = DeploymentFactory(version=production_version, reported_at=REPORTED_AT)
    newer = DeploymentFactory(
        version=version, reported_at=REPORTED_AT + datetime.timedelta(hours=1), active=False
    )

    results = api_as("risk_officer").get(URL).json()["results"]

    assert [(d["id"], d["version"], d["approved"]) for d in results] == [
        (newer.pk, "2.4.1", False),
        (older.pk, "2.4.0", True),
    ]


@pytest.mark.parametrize(
    ("query", "endpoints"),
    [
        ("", ["dev-old", "other", "staging", "prod"]),
        ("?model=customer-churn-predictor", ["prod", "staging", "dev-old"]),
        ("?model=fraud-detector", ["other"]),
        ("?model=no-such-model", []),
        ("?environment=staging", ["staging"]),
        ("?active=true", ["prod", "staging", "other"]),
        ("?active=false", ["dev-old"]),
        ("?environment=development&active=false", ["dev-old"]),
    ],
)
def test_deployments_are_filtered(api_as, model, version, query, endpoints):
    other = ModelVersionFactory(
        model=RegisteredModelFactory(name="fraud-detector", team=model.team)
    )
    hours = iter(range(10, 0, -1))

    def deploy(endpoint: str, environment: str, version, **kwargs: object) -> None:  # noqa: ANN001
        at = REPORTED_AT - datetime.timedelta(hours=next(hours))
        DeploymentFactory(
            endpoint=endpoint, environment=environment, version=version, reported_at=at, **kwargs
        )

    deploy("dev-old", "development", version, active=False)
    deploy("other", "production", other)
    deploy("staging", "staging", version)
    deploy("prod", "production", version)

    results = api_as("lead").get(URL + query).json()["results"]

    assert sorted(d["endpoint"] for d in results) == sorted(endpoints)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?environment=prod", "environment"),
        ("?active=yes", "active"),
        ("?model=" + "m" * 101, "model"),
        ("?model=a%00b", "model"),
    ],
)
def test_a_bad_filter_is_400(api_as, version, query, field):
    response = api_as("lead").get(URL + query)

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


def test_deployments_page_with_a_cursor(api_as, version):
    for hour in range(5):
        DeploymentFactory(version=version, reported_at=REPORTED_AT + datetime.timedelta(hours=hour))
    client = api_as("lead")

    first = client.get(URL + "?page_size=2").json()
    second = client.get(first["next"]).json()
    third = client.get(second["next"]).json()

    pages = [[d["reported_at"][11:13] for d in page["results"]] for page in (first, second, third)]
    assert pages == [["14", "13"], ["12", "11"], ["10"]]


@pytest.mark.parametrize("cursor", ["garbage", b64encode(b"p=not-a-date").decode()])
def test_a_hand_made_cursor_is_404(api_as, version, cursor):
    DeploymentFactory(version=version)

    response = api_as("lead").get(f"{URL}?cursor={cursor}")

    assert response.status_code == 404


@pytest.mark.parametrize(
    "position", ["99999-01-01", "0001-01-01T00:00:00+13:00", "9999-12-31T23:59:59-13:00"]
)
def test_a_cursor_at_a_moment_out_of_range_is_not_a_server_error(api_as, version, position):
    DeploymentFactory(version=version)
    cursor = b64encode(f"p={position}".encode()).decode()

    response = api_as("lead").get(f"{URL}?cursor={cursor}")

    # Out of range for the database (404), or an empty page where it stores such moments.
    assert response.status_code in (200, 404)


@pytest.mark.parametrize("rows", [2, 20])
def test_listing_deployments_takes_a_fixed_number_of_queries(
    api_as, model, django_assert_max_num_queries, rows
):
    DeploymentFactory.create_batch(rows, version__model=model)
    client = api_as("lead")

    with django_assert_max_num_queries(6):
        response = client.get(URL + "?page_size=50")

    assert len(response.json()["results"]) == rows
