"""POST and GET /api/v1/models/{name}/versions/{version}/metrics/: monitors push batches of
observations (all or none, never NaN) and read the series back, filtered and paged."""

import datetime
import json
from base64 import b64encode

import pytest
from django.conf import settings

from governance.models import MetricObservation
from tests.db_state import audit_mark, new_events, nothing_written
from tests.factories import MetricObservationFactory, ModelVersionFactory, RegisteredModelFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/models/customer-churn-predictor/versions/2.4.1/metrics/"
DAY_1 = datetime.datetime(2026, 11, 1, 6, 0, tzinfo=datetime.UTC)


def point(value=0.91, name="accuracy", observed_at="2026-11-01T06:00:00Z"):  # noqa: ANN001, ANN201
    return {"name": name, "value": value, "observed_at": observed_at}


def observe(version, count: int, name: str = "accuracy") -> None:  # noqa: ANN001
    for day in range(count):
        MetricObservationFactory(
            version=version, name=name, value=0.9, observed_at=DAY_1 + datetime.timedelta(days=day)
        )


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
def test_record_metrics_permissions(api_as, version, persona, status):
    response = api_as(persona).post(URL, [point()])

    assert response.status_code == status
    assert MetricObservation.objects.count() == (1 if status == 201 else 0)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 401),
        ("engineer", 200),
        ("lead", 200),
        ("risk_officer", 200),
        ("legal", 200),
        ("admin", 200),
        ("global_risk", 200),
        ("auditor", 200),
        ("superuser", 200),
        ("other_team_lead", 404),
        ("no_role", 404),
    ],
)
def test_read_metrics_permissions(api_as, version, persona, status):
    assert api_as(persona).get(URL).status_code == status


# --- recording ------------------------------------------------------------------------


def test_a_batch_object_is_recorded_with_its_source_and_one_audit_event(api_as, model, version):
    client = api_as("engineer")
    mark = audit_mark()
    body = {
        "points": [
            point(0.91),
            point(0.12, name="drift_score", observed_at="2026-11-02T06:00:00+01:00"),
        ],
        "source": "monitor-7",
    }

    response = client.post(URL, body)

    assert (response.status_code, response.json()) == (201, {"recorded": 2})
    rows = MetricObservation.objects.order_by("observed_at")
    assert [(o.version_id, o.name, o.value, o.observed_at, o.source) for o in rows] == [
        (version.pk, "accuracy", 0.91, DAY_1, "monitor-7"),
        (version.pk, "drift_score", 0.12, DAY_1 + datetime.timedelta(hours=23), "monitor-7"),
    ]
    assert [(e[0], e[1], e[2], e[3]) for e in new_events(mark)] == [
        ("model.metrics_recorded", "engineer", model.pk, version.pk)
    ]


def test_a_bare_list_of_points_is_recorded_without_a_source(api_as, version):
    response = api_as("lead").post(URL, [point(0.91), point(0.92)])

    assert (response.status_code, response.json()) == (201, {"recorded": 2})
    assert list(MetricObservation.objects.values_list("value", "source")) == [
        (0.91, ""),
        (0.92, ""),
    ]


def test_ten_thousand_points_fit_in_one_call(api_as, version):
    points = [
        point(0.123456789012345, "drift_score", f"2026-11-01T06:00:00.{n:06d}+00:00")
        for n in range(10_000)
    ]
    body = {"points": points, "source": "nightly-drift-monitor"}
    assert len(json.dumps(body)) < settings.TUTELA_API_MAX_METRICS_BODY_BYTES

    response = api_as("engineer").post(URL, body)

    assert (response.status_code, response.json()) == (201, {"recorded": 10_000})
    assert MetricObservation.objects.filter(version=version).count() == 10_000


def test_ten_thousand_and_one_points_are_refused_and_nothing_is_written(api_as, version):
    client = api_as("engineer")
    with nothing_written():
        response = client.post(URL, [point()] * 10_001)

    assert response.status_code == 400
    assert response.json()["errors"] == {"points": ["At most 10000 observations per call."]}


LIMIT = settings.TUTELA_API_MAX_METRICS_BODY_BYTES


@pytest.mark.parametrize(
    "size",
    [
        LIMIT + 1,
        2 * LIMIT,  # over Django's own cap too: still 413
    ],
)
def test_a_body_over_the_metrics_limit_is_413_and_nothing_is_written(api_as, version, size):
    client = api_as("engineer")
    body = json.dumps([point()]).ljust(size)
    with nothing_written():
        response = client.post(URL, body)

    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"


NAN_LITERAL = '[{"name": "accuracy", "value": NaN, "observed_at": "2026-11-01T06:00:00Z"}]'
INFINITY_LITERAL = NAN_LITERAL.replace("NaN", "-Infinity")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (NAN_LITERAL, None),
        (INFINITY_LITERAL, None),
        ('[{"name": "accuracy", "value": 1e999, "observed_at": "2026-11-01T06:00:00Z"}]', "0"),
        ([point("NaN")], "0"),
        ([point("0.9")], "0"),
        ([point(True)], "0"),
        ([point(None)], "0"),
        ([point(10**400)], "0"),
        ([point(name=5)], "0"),
        ([point(name="")], "0"),
        ([point(name="accuracy\x00")], "0"),
        ([point(observed_at="2026-11-01T06:00:00")], "0"),
        ([point(observed_at="yesterday")], "0"),
        ([point(observed_at="2026-13-01T06:00:00Z")], "0"),
        ([point(observed_at=1764000000)], "0"),
        ([point(), {**point(), "unit": "%"}], "1"),
        ([point(), "accuracy=0.9"], "1"),
        ([], "points"),
        ({"points": []}, "points"),
        ({"points": "accuracy=0.9"}, "points"),
        ({"point": [point()]}, "point"),
        ({"points": [point()], "source": 7}, "source"),
        ({"points": [point()], "source": "line\nbreak"}, "source"),
        ({"points": [point()], "source": "s" * 201}, "source"),
        ('"accuracy"', "points"),
        ("null", "points"),
        ("[1, 2", None),
    ],
)
def test_a_bad_batch_is_refused_whole_and_nothing_is_written(api_as, version, body, field):
    client = api_as("engineer")
    with nothing_written():
        response = client.post(URL, body)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    if field is not None:
        expected = f"points[{field}]" if field.isdigit() else field
        assert list(response.json()["errors"]) == [expected]


@pytest.mark.parametrize("observed_at", ["0001-01-01T00:30:00+01:00", "9999-12-31T23:30:00-01:00"])
def test_a_moment_outside_the_storable_years_is_refused(api_as, version, observed_at):
    client = api_as("engineer")
    with nothing_written():
        response = client.post(URL, [point(observed_at=observed_at)])

    assert response.status_code == 400


def test_a_moment_with_an_offset_postgresql_refuses_is_stored_in_utc(api_as, version):
    response = api_as("engineer").post(URL, [point(observed_at="2026-11-02T04:41:00+22:41")])

    assert response.status_code == 201
    assert MetricObservation.objects.get().observed_at == DAY_1


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/models/customer-churn-predictor/versions/9.9.9/metrics/",
        "/api/v1/models/no-such-model/versions/2.4.1/metrics/",
    ],
)
def test_metrics_of_an_unknown_version_are_404_and_nothing_is_written(api_as, version, url):
    client = api_as("engineer")
    with nothing_written():
        response = client.post(url, [point()])

    assert response.status_code == 404


def test_metrics_of_another_teams_version_are_404_even_with_a_bad_body(api_as, version):
    client = api_as("other_team_lead")
    with nothing_written():
        response = client.post(URL, [point("NaN")])

    assert response.status_code == 404


def test_a_form_body_is_415(api_as, version):
    client = api_as("engineer")
    response = client.client.post(URL, {"name": "accuracy"}, headers=client.headers)

    assert response.status_code == 415


# --- reading --------------------------------------------------------------------------


def test_observations_are_listed_oldest_first(api_as, version):
    MetricObservationFactory(version=version, value=0.8, observed_at=DAY_1, source="m")
    MetricObservationFactory(
        version=version, value=0.7, observed_at=DAY_1 - datetime.timedelta(days=1)
    )
    MetricObservationFactory(version=ModelVersionFactory(model=version.model), observed_at=DAY_1)

    response = api_as("risk_officer").get(URL)

    assert response.status_code == 200
    results = response.json()["results"]
    assert [(r["value"], r["observed_at"], r["source"]) for r in results] == [
        (0.7, "2026-10-31T06:00:00Z", ""),
        (0.8, "2026-11-01T06:00:00Z", "m"),
    ]
    assert set(results[0]) == {"name", "value", "observed_at", "source", "recorded_at"}


@pytest.mark.parametrize(
    ("query", "days"),
    [
        ("", [0, 1, 2, 3]),
        ("?name=accuracy", [0, 1, 2, 3]),
        ("?name=drift_score", []),
        ("?since=2026-11-02T06:00:00Z", [1, 2, 3]),
        ("?until=2026-11-03T06:00:00Z", [0, 1]),
        ("?since=2026-11-02T07:00:00%2B01:00&until=2026-11-04T00:00:00Z", [1, 2]),
        ("?since=2026-11-01T06:01:00-23:59", [1, 2, 3]),
    ],
)
def test_observations_are_filtered_by_name_and_time(api_as, version, query, days):
    observe(version, 4)

    response = api_as("lead").get(URL + query)

    assert response.status_code == 200
    moments = [r["observed_at"] for r in response.json()["results"]]
    assert moments == [f"2026-11-0{day + 1}T06:00:00Z" for day in days]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?since=yesterday", "since"),
        ("?since=2026-11-02T06:00:00", "since"),
        ("?until=2026-11-02T06:00:00+01:00", "until"),
        ("?until=0001-01-01T00:00:00%2B01:00", "until"),
        ("?since=2026-02-30T06:00:00Z", "since"),
        ("?name=" + "a" * 101, "name"),
        ("?name=acc%00uracy", "name"),
    ],
)
def test_a_bad_filter_is_400(api_as, version, query, field):
    response = api_as("lead").get(URL + query)

    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


def test_an_unencoded_plus_in_a_time_zone_gets_a_hint(api_as, version):
    response = api_as("lead").get(URL + "?since=2026-11-02T06:00:00+01:00")

    assert "write + as %2B in a URL" in " ".join(response.json()["errors"]["since"])


def test_observations_page_with_a_cursor_in_time_order(api_as, version):
    observe(version, 5)
    client = api_as("lead")

    first = client.get(URL + "?page_size=2").json()
    second = client.get(first["next"]).json()
    third = client.get(second["next"]).json()

    pages = [[r["observed_at"][8:10] for r in page["results"]] for page in (first, second, third)]
    assert pages == [["01", "02"], ["03", "04"], ["05"]]
    assert third["next"] is None


@pytest.mark.parametrize("cursor", ["garbage", b64encode(b"p=not-a-date").decode()])
def test_a_hand_made_cursor_is_404(api_as, version, cursor):
    observe(version, 2)

    response = api_as("lead").get(f"{URL}?cursor={cursor}")

    assert response.status_code == 404


@pytest.mark.parametrize(
    "position", ["99999-01-01", "0001-01-01T00:00:00+13:00", "9999-12-31T23:59:59-13:00"]
)
def test_a_cursor_at_a_moment_out_of_range_is_not_a_server_error(api_as, version, position):
    observe(version, 2)
    cursor = b64encode(f"p={position}".encode()).decode()

    response = api_as("lead").get(f"{URL}?cursor={cursor}")

    # Out of range for the database (404), or an empty page where it stores such moments.
    assert response.status_code in (200, 404)


@pytest.mark.parametrize("rows", [2, 20])
def test_listing_observations_takes_a_fixed_number_of_queries(
    api_as, version, django_assert_max_num_queries, rows
):
    observe(version, rows)
    client = api_as("engineer")

    with django_assert_max_num_queries(7):
        response = client.get(URL)

    assert len(response.json()["results"]) == rows


def test_observations_of_a_version_of_another_model_are_not_listed(api_as, version):
    other = ModelVersionFactory(
        model=RegisteredModelFactory(team=version.model.team), version="2.4.1"
    )
    observe(other, 3)

    response = api_as("lead").get(URL)

    assert response.json()["results"] == []
