"""metrics_record: a monitor's batch of observations is stored whole, or not at all, with
one audit event that summarises it."""

import datetime
import math

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from governance.actors import RETIREMENT
from governance.models import MetricObservation
from governance.services.metrics import MAX_POINTS, metrics_record
from tests.db_state import audit_mark, new_events, nothing_written

pytestmark = pytest.mark.django_db

DAY_1 = datetime.datetime(2026, 11, 1, 6, 0, tzinfo=datetime.UTC)
DAY_2 = DAY_1 + datetime.timedelta(days=1)
DAY_3 = DAY_1 + datetime.timedelta(days=2)


def point(value=0.91, name="accuracy", observed_at=DAY_1):  # noqa: ANN001, ANN201
    return {"name": name, "value": value, "observed_at": observed_at}


def test_a_batch_is_stored_with_one_audit_event_summarising_it(personas, model, version):
    points = [
        point(0.91, observed_at=DAY_2),
        point(0.12, name="drift_score", observed_at=DAY_1),
        point(0.90, observed_at=DAY_3),
    ]
    mark = audit_mark()

    stored = metrics_record(
        actor=personas["engineer"], version_id=version.pk, points=points, source="monitor-7"
    )

    assert [(o.name, o.value, o.observed_at) for o in stored] == [
        ("accuracy", 0.91, DAY_2),
        ("drift_score", 0.12, DAY_1),
        ("accuracy", 0.90, DAY_3),
    ]
    rows = MetricObservation.objects.order_by("observed_at")
    assert [(o.version_id, o.name, o.value, o.source) for o in rows] == [
        (version.pk, "drift_score", 0.12, "monitor-7"),
        (version.pk, "accuracy", 0.91, "monitor-7"),
        (version.pk, "accuracy", 0.90, "monitor-7"),
    ]
    assert new_events(mark) == [
        (
            "model.metrics_recorded",
            "engineer",
            model.pk,
            version.pk,
            None,
            {
                "version": "2.4.1",
                "count": 3,
                "names": ["accuracy", "drift_score"],
                "from": "2026-11-01T06:00:00+00:00",
                "until": "2026-11-03T06:00:00+00:00",
                "source": "monitor-7",
            },
        )
    ]


def test_iso_timestamps_with_a_zone_and_integer_values_are_accepted(personas, version):
    stored = metrics_record(
        actor=personas["lead"],
        version_id=version.pk,
        points=[point(1, observed_at="2026-11-01T06:00:00Z")],
    )

    observation = MetricObservation.objects.get(pk=stored[0].pk)
    assert (observation.value, observation.observed_at) == (1.0, DAY_1)
    assert isinstance(observation.value, float)


def test_a_batch_of_the_maximum_size_is_accepted(personas, version):
    points = [point(0.9, observed_at=DAY_1 + datetime.timedelta(minutes=n)) for n in range(10_000)]

    metrics_record(actor=personas["engineer"], version_id=version.pk, points=points)

    assert MetricObservation.objects.count() == MAX_POINTS == 10_000


@pytest.mark.parametrize(
    "persona", ["risk_officer", "legal", "admin", "no_role", "other_team_lead", "superuser"]
)
def test_only_engineers_and_leads_of_the_model_may_record_metrics(personas, version, persona):
    with nothing_written(), pytest.raises(PermissionDenied, match="report on a model"):
        metrics_record(actor=personas[persona], version_id=version.pk, points=[point()])


def test_the_system_may_not_record_metrics(version):
    with nothing_written(), pytest.raises(PermissionDenied):
        metrics_record(actor=RETIREMENT, version_id=version.pk, points=[point()])


@pytest.mark.parametrize(
    "value",
    [
        math.nan,
        math.inf,
        -math.inf,
        True,
        False,
        "0.9",
        None,
        pytest.param(10**400, id="int-too-large-for-a-float"),
    ],
)
def test_a_batch_with_one_value_that_is_not_a_finite_number_is_refused_whole(
    personas, version, value
):
    points = [point(0.91), point(value, observed_at=DAY_2), point(0.90, observed_at=DAY_3)]

    with nothing_written(), pytest.raises(ValidationError) as caught:
        metrics_record(actor=personas["engineer"], version_id=version.pk, points=points)

    assert list(caught.value.message_dict) == ["points[1]"]
    assert "value must be a finite number" in caught.value.message_dict["points[1]"][0]


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (point(name="accuracy\n"), "is not a metric name"),
        (point(name="with space"), "is not a metric name"),
        (point(name="accuracy\x00"), "is not a metric name"),
        (point(name=None), "is not a metric name"),
        ({"name": "accuracy", "value": 0.9}, "expected an ISO 8601 date and time"),
        (point(observed_at=datetime.datetime(2026, 11, 1, 6, 0)), "give a time zone"),
        (point(observed_at="2026-11-01T06:00:00"), "give a time zone"),
        (point(observed_at="yesterday"), "expected an ISO 8601 date and time"),
        (point(observed_at="2026-13-45T99:00:00Z"), "expected an ISO 8601 date and time"),
        (point(observed_at=datetime.date(2026, 11, 1)), "expected an ISO 8601 date and time"),
        (point() | {"unit": "%"}, "unknown fields unit"),
        ([0.9, DAY_1], "expected an object with name, value and observed_at"),
    ],
)
def test_a_bad_point_is_refused_naming_its_position(personas, version, bad, message):
    with nothing_written(), pytest.raises(ValidationError) as caught:
        metrics_record(actor=personas["engineer"], version_id=version.pk, points=[point(), bad])

    assert list(caught.value.message_dict) == ["points[1]"]
    assert message in caught.value.message_dict["points[1]"][0]


def test_more_than_the_maximum_number_of_points_is_refused(personas, version):
    points = [point()] * 10_001

    with nothing_written(), pytest.raises(ValidationError) as caught:
        metrics_record(actor=personas["engineer"], version_id=version.pk, points=points)

    assert caught.value.message_dict == {"points": ["At most 10000 observations per call."]}


@pytest.mark.parametrize("points", [[], {"accuracy": 0.9}, "accuracy=0.9", None])
def test_points_must_be_a_non_empty_list(personas, version, points):
    with nothing_written(), pytest.raises(ValidationError) as caught:
        metrics_record(actor=personas["engineer"], version_id=version.pk, points=points)

    assert caught.value.message_dict == {"points": ["Send a non-empty list of observations."]}


@pytest.mark.parametrize("source", ["two\nlines", "nul\x00", "s" * 201, 42, None])
def test_a_bad_source_is_refused_naming_the_field(personas, version, source):
    with nothing_written(), pytest.raises(ValidationError) as caught:
        metrics_record(
            actor=personas["engineer"], version_id=version.pk, points=[point()], source=source
        )

    assert list(caught.value.message_dict) == ["source"]
