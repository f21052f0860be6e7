"""grace_period_retire: deprecated versions past their model's grace period are retired by
system:retirement (and their rule alerts resolved); a rollback within the period keeps the
version in production."""

import pytest
from django.utils import timezone

from governance.models import AlertStatus, RetirementAlert, Stage
from governance.selectors.retirement import grace_expired_version_ids
from governance.services.retirement import grace_period_retire
from tests.db_state import audit_mark, history, new_events, nothing_written
from tests.factories import (
    ModelVersionFactory,
    RegisteredModelFactory,
    RetirementAlertFactory,
)
from tests.retirement_support import DAY, actions, days_ago
from tests.workflows import promote

pytestmark = pytest.mark.django_db


def deprecated(model, days: float, **fields):  # noqa: ANN001, ANN003, ANN201
    return ModelVersionFactory(
        model=model,
        version=fields.pop("version", "2.3.0"),
        stage=Stage.DEPRECATED,
        stage_changed_at=days_ago(days),
        complete=True,
        **fields,
    )


@pytest.mark.parametrize(("days", "retired"), [(29.9, False), (30.1, True)])
def test_a_deprecated_version_is_retired_when_its_grace_period_ends(model, days, retired):
    version = deprecated(model, days)

    expired = grace_expired_version_ids(now=timezone.now())
    findings = grace_period_retire(version_ids=[version.pk])

    version.refresh_from_db()
    assert (version.pk in expired, version.stage == Stage.RETIRED) == (retired, retired)
    assert actions(findings) == ([("grace_period", "retired")] if retired else [])


def test_the_model_policy_sets_the_grace_period(model):
    model.grace_period_days = 7
    model.save(update_fields=["grace_period_days"])
    version = deprecated(model, 8)

    assert grace_expired_version_ids(now=timezone.now(), model_name=model.name) == [version.pk]
    assert grace_expired_version_ids(now=timezone.now(), model_name="other") == []


def test_retirement_is_recorded_as_the_system_with_history(model):
    version = deprecated(model, 31)
    alert = RetirementAlertFactory(version=version, rule="max_age")
    mark = audit_mark()

    grace_period_retire(version_ids=[version.pk])

    events = new_events(mark)
    assert [event[:2] for event in events] == [
        ("model.retired", "system:retirement"),
        ("alert.resolved", "system:retirement"),
    ]
    assert events[0][5]["reason"].startswith(f"Deprecated on {days_ago(31):%Y-%m-%d}; its 30-day")
    assert events[1][5] == {
        "alert": alert.pk,
        "rule": "max_age",
        "reason": "the version was retired",
    }
    assert history(version)[-1] == ("~", None, "deprecated -> retired")
    alert.refresh_from_db()
    assert alert.status == AlertStatus.RESOLVED


def test_a_shadow_alert_outlives_retirement(model):
    version = deprecated(model, 31)
    RetirementAlertFactory(version=version, rule="shadow_deployment")

    grace_period_retire(version_ids=[version.pk])

    assert RetirementAlert.objects.get().status == AlertStatus.OPEN


def test_a_rollback_within_the_grace_period_keeps_the_version(personas, model):
    version = deprecated(model, 10)
    promote(version, personas, Stage.PRODUCTION)  # the rollback, approved
    # Had it stayed deprecated, its grace period would be over by now.
    version.refresh_from_db()
    late = version.stage_changed_at + 31 * DAY

    with nothing_written():
        findings = grace_period_retire(version_ids=[version.pk], now=late)

    assert grace_expired_version_ids(now=late) == []
    version.refresh_from_db()
    assert (version.stage, actions(findings)) == (Stage.PRODUCTION, [])


def test_running_twice_retires_once(model):
    version = deprecated(model, 31)
    grace_period_retire(version_ids=[version.pk])

    with nothing_written():
        assert actions(grace_period_retire(version_ids=[version.pk])) == []


def test_a_dry_run_retires_nothing(model):
    version = deprecated(model, 31)

    with nothing_written():
        findings = grace_period_retire(version_ids=[version.pk], dry_run=True)

    assert actions(findings) == [("grace_period", "would retire")]


@pytest.mark.parametrize("count", [2, 20])
def test_versions_within_their_grace_period_cost_one_query(team, django_assert_num_queries, count):
    versions = [deprecated(RegisteredModelFactory(team=team), 5) for _ in range(count)]

    with django_assert_num_queries(1):
        assert grace_period_retire(version_ids=[version.pk for version in versions]) == []
