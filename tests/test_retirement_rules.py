"""The retirement rules as pure functions, at their boundaries: 89/90/91 days, 6 vs 7
consecutive days and a gap day, drift exactly at the ceiling, replacement on and off."""

import datetime

import pytest
from django.test import override_settings

from governance.models import AlertRule, ModelVersion, RegisteredModel, ReviewSchedule, Stage
from governance.retirement_rules import (
    Criteria,
    Floor,
    Newer,
    criteria_of,
    drift_firing,
    max_age_firing,
    metric_floor_firing,
    replacement_firing,
    review_overdue_firing,
    shadow_firing,
)

TODAY = datetime.date(2026, 11, 28)
NOW = datetime.datetime(2026, 11, 28, 12, 0, tzinfo=datetime.UTC)
SECOND = datetime.timedelta(seconds=1)
ACCURACY_FLOOR = Floor("accuracy", 0.88, 7)


def days_before(days: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=days)


def run(values: list[float], *, last: datetime.date = TODAY) -> list[tuple]:
    """Consecutive daily values ending on last."""
    first = last - datetime.timedelta(days=len(values) - 1)
    return [(first + datetime.timedelta(days=n), value) for n, value in enumerate(values)]


@pytest.mark.parametrize(("age", "fires"), [(89, False), (90, False), (91, True)])
def test_max_age_fires_only_past_the_limit(age, fires):
    firing = max_age_firing(days_before(age), 90, TODAY)

    assert (firing is not None) is fires


def test_max_age_names_the_training_date_and_the_day_it_passed_the_limit():
    firing = max_age_firing(datetime.date(2026, 8, 1), 90, TODAY)

    assert firing.rule == AlertRule.MAX_AGE
    assert firing.reasons == [
        {
            "message": "Trained on 2026-08-01; over the 90-day age limit since 2026-10-31.",
            "training_date": "2026-08-01",
            "max_age_days": 90,
            "over_limit_since": "2026-10-31",
        }
    ]


def test_max_age_reasons_stay_the_same_from_one_day_to_the_next():
    trained = datetime.date(2026, 6, 1)

    today = max_age_firing(trained, 90, TODAY)
    tomorrow = max_age_firing(trained, 90, TODAY + datetime.timedelta(days=1))

    assert (today.reasons, today.key) == (tomorrow.reasons, tomorrow.key)


@pytest.mark.parametrize(("trained", "limit"), [(None, 90), (datetime.date(2020, 1, 1), None)])
def test_max_age_needs_a_training_date_and_a_limit(trained, limit):
    assert max_age_firing(trained, limit, TODAY) is None


@pytest.mark.parametrize(("days", "fires"), [(6, False), (7, True), (8, True)])
def test_metric_floor_needs_seven_consecutive_days_below(days, fires):
    daily = {"accuracy": run([0.95] * 3 + [0.85] * days)}

    firing = metric_floor_firing([ACCURACY_FLOOR], daily)

    assert (firing is not None) is fires


def test_a_missing_day_breaks_the_run():
    before_gap = run([0.85] * 3, last=days_before(5))
    after_gap = run([0.85] * 4)  # days_before(4) is missing
    daily = {"accuracy": before_gap + after_gap}

    assert metric_floor_firing([ACCURACY_FLOOR], daily) is None


def test_the_run_must_end_at_the_latest_day():
    daily = {"accuracy": run([0.85] * 7 + [0.9])}

    assert metric_floor_firing([ACCURACY_FLOOR], daily) is None


def test_a_value_at_the_floor_is_not_below_it():
    daily = {"accuracy": run([0.85] * 6 + [0.88])}

    assert metric_floor_firing([ACCURACY_FLOOR], daily) is None


def test_metric_floor_reasons_carry_the_run_and_its_values():
    values = [0.87, 0.86, 0.85, 0.84, 0.83, 0.82, 0.81]

    firing = metric_floor_firing([ACCURACY_FLOOR], {"accuracy": run(values)})

    assert firing.reasons == [
        {
            "message": (
                "accuracy below 0.88 on 7 consecutive days (2026-11-22 to 2026-11-28); latest 0.81."
            ),
            "metric": "accuracy",
            "min": 0.88,
            "days": 7,
            "from": "2026-11-22",
            "to": "2026-11-28",
            "values": values,
        }
    ]
    assert firing.key == [["accuracy", 0.88, 7]]


def test_metric_floor_key_ignores_the_moving_values():
    first = metric_floor_firing([ACCURACY_FLOOR], {"accuracy": run([0.85] * 7)})
    later = metric_floor_firing(
        [ACCURACY_FLOOR], {"accuracy": run([0.8] * 7, last=TODAY + datetime.timedelta(days=1))}
    )

    assert first.key == later.key
    assert first.reasons != later.reasons


def test_each_floor_is_checked_on_its_own_metric():
    floors = [ACCURACY_FLOOR, Floor("auc", 0.9, 2)]
    daily = {"accuracy": run([0.95] * 7), "auc": run([0.85, 0.89])}

    firing = metric_floor_firing(floors, daily)

    assert [reason["metric"] for reason in firing.reasons] == ["auc"]


@pytest.mark.parametrize(("value", "fires"), [(0.29, False), (0.3, False), (0.31, True)])
def test_drift_fires_strictly_above_the_ceiling(value, fires):
    firing = drift_firing(0.3, (value, NOW))

    assert (firing is not None) is fires


def test_drift_reasons_name_the_latest_value_and_when():
    firing = drift_firing(0.3, (0.41, NOW))

    assert firing.reasons[0]["message"] == (
        "drift_score 0.41 (observed 2026-11-28 12:00 UTC) is above the ceiling 0.3."
    )
    assert firing.key == [0.3]


@pytest.mark.parametrize(("ceiling", "latest"), [(None, (0.9, NOW)), (0.3, None)])
def test_drift_needs_a_ceiling_and_an_observation(ceiling, latest):
    assert drift_firing(ceiling, latest) is None


def test_replacement_fires_when_a_newer_version_serves_production():
    newer = [Newer(7, "2.5.0", "churn-api")]

    firing = replacement_firing(True, newer)

    assert firing.reasons[0]["message"] == "2.5.0, a newer version, serves churn-api in production."
    assert replacement_firing(False, newer) is None
    assert replacement_firing(True, []) is None


def test_empty_criteria_take_the_settings_defaults():
    with override_settings(
        TUTELA_DEFAULT_MAX_AGE_DAYS=120,
        TUTELA_DEFAULT_METRIC_FLOOR={"metric": "f1", "min": 0.7, "days": 3},
        TUTELA_DEFAULT_DRIFT_CEILING=0.5,
    ):
        criteria = criteria_of({})

    assert criteria == Criteria(120, (Floor("f1", 0.7, 3),), 0.5, True)


def test_absent_rules_in_filled_criteria_do_not_apply():
    assert criteria_of({"max_age_days": 30}) == Criteria(30, (), None, False)


def _version(stage: str, **fields: object) -> ModelVersion:
    model = RegisteredModel(name="churn")
    return ModelVersion(model=model, version="1.0.0", stage=stage, **fields)


@pytest.mark.parametrize(
    ("due", "fires"),
    [
        (NOW + datetime.timedelta(seconds=1), False),
        (NOW, True),
        (NOW - datetime.timedelta(1), True),
    ],
)
def test_review_is_overdue_from_its_due_moment(due, fires):
    version = _version(Stage.PRODUCTION, next_review_at=due, review_schedule=ReviewSchedule.MONTHLY)

    assert (review_overdue_firing(version, NOW) is not None) is fires


def test_only_production_versions_have_overdue_reviews():
    version = _version(Stage.DEPRECATED, next_review_at=NOW - datetime.timedelta(days=9))

    assert review_overdue_firing(version, NOW) is None


@pytest.mark.parametrize(
    ("stage", "environment", "shadow"),
    [
        (Stage.PRODUCTION, "production", False),
        (Stage.STAGING, "production", True),
        (Stage.STAGING, "staging", False),
        (Stage.DEPRECATED, "production", True),
        (Stage.RETIRED, "development", True),
    ],
)
def test_shadow_deployments_follow_the_approval_table(stage, environment, shadow):
    firing = shadow_firing(_version(stage), [("churn-api", environment)])

    assert (firing is not None) is shadow
