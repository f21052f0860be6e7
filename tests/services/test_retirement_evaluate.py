"""retirement_evaluate: rules on production versions open, update and resolve one alert per
(version, rule), deprecate where the model's policy says so, tell the owner and the team's
leads once per change, and do it all once however often (or concurrently) it runs."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from governance.models import (
    AlertStatus,
    Deployment,
    Notification,
    RetirementAlert,
    Stage,
)
from governance.services.alerts import alert_acknowledge
from governance.services.retirement import retirement_evaluate
from tests.db_state import audit_mark, history, new_events, nothing_written
from tests.factories import DeploymentFactory, ModelVersionFactory, RegisteredModelFactory
from tests.retirement_support import (
    DAY,
    QUIET_CRITERIA,
    actions,
    days_ago,
    notified,
    observe,
    observe_daily,
    production,
)

pytestmark = pytest.mark.django_db

DRIFTING = {**QUIET_CRITERIA, "drift_ceiling": 0.3}


def evaluate(*versions, capture, **kwargs) -> list:  # noqa: ANN001, ANN003
    with capture(execute=True):
        return retirement_evaluate(version_ids=[v.pk for v in versions], **kwargs)


def test_an_old_version_opens_a_max_age_alert_and_tells_owner_and_leads(
    model, django_capture_on_commit_callbacks, mailoutbox
):
    version = production(model, trained_days_ago=91)
    mark = audit_mark()

    findings = evaluate(version, capture=django_capture_on_commit_callbacks)

    alert = RetirementAlert.objects.get()
    assert (alert.version, alert.rule, alert.status) == (version, "max_age", AlertStatus.OPEN)
    assert actions(findings) == [("max_age", "opened")]
    assert new_events(mark) == [
        (
            "alert.opened",
            "system:retirement",
            model.pk,
            version.pk,
            None,
            {"alert": alert.pk, "rule": "max_age", "reasons": alert.reasons},
        )
    ]
    assert notified() == [("lead", "max_age"), ("lead2", "max_age")]
    assert Notification.objects.first().link == "/models/customer-churn-predictor/"
    assert sorted(mail.to[0] for mail in mailoutbox) == ["lead2@example.com", "lead@example.com"]
    assert "Maximum age" in mailoutbox[0].subject
    assert "http://127.0.0.1:8000/models/customer-churn-predictor/" in mailoutbox[0].body
    assert "leaves the decision to a person" in mailoutbox[0].body
    version.refresh_from_db()
    assert version.stage == Stage.PRODUCTION


@pytest.mark.parametrize(("age", "fires"), [(89, False), (90, False), (91, True)])
def test_max_age_boundary_at_a_fixed_moment(model, django_capture_on_commit_callbacks, age, fires):
    version = production(model, training_date=datetime.date(2026, 1, 1))
    late_that_day = datetime.datetime(2026, 1, 1, 23, 59, tzinfo=datetime.UTC) + age * DAY

    findings = evaluate(version, capture=django_capture_on_commit_callbacks, now=late_that_day)

    assert actions(findings) == ([("max_age", "opened")] if fires else [])


def test_a_version_at_the_age_limit_opens_nothing(model, django_capture_on_commit_callbacks):
    version = production(model, trained_days_ago=90)

    with nothing_written():
        findings = evaluate(version, capture=django_capture_on_commit_callbacks)

    assert actions(findings) == []


def test_running_twice_opens_no_second_alert_event_or_mail(
    model, django_capture_on_commit_callbacks, mailoutbox
):
    version = production(model, trained_days_ago=200, retirement_criteria=DRIFTING)
    observe(version, "drift_score", 0.5, days_ago(1))
    evaluate(version, capture=django_capture_on_commit_callbacks)
    sent = len(mailoutbox)

    with nothing_written():
        findings = evaluate(version, capture=django_capture_on_commit_callbacks)

    assert actions(findings) == [("drift_ceiling", "unchanged")]
    assert (RetirementAlert.objects.count(), len(mailoutbox)) == (1, sent)


def test_an_alert_whose_rule_stops_firing_is_resolved(model, django_capture_on_commit_callbacks):
    version = production(model, retirement_criteria=DRIFTING)
    observe(version, "drift_score", 0.5, days_ago(2))
    evaluate(version, capture=django_capture_on_commit_callbacks)
    observe(version, "drift_score", 0.3, days_ago(1))  # exactly at the ceiling: quiet
    mark = audit_mark()

    findings = evaluate(version, capture=django_capture_on_commit_callbacks)

    alert = RetirementAlert.objects.get()
    assert (alert.status, alert.resolved_at is not None) == (AlertStatus.RESOLVED, True)
    assert actions(findings) == [("drift_ceiling", "resolved")]
    assert new_events(mark) == [
        (
            "alert.resolved",
            "system:retirement",
            model.pk,
            version.pk,
            None,
            {"alert": alert.pk, "rule": "drift_ceiling", "reason": "the rule no longer fires"},
        )
    ]


def test_new_observed_values_refresh_the_reasons_quietly(
    model, django_capture_on_commit_callbacks, mailoutbox
):
    version = production(model, retirement_criteria=DRIFTING)
    observe(version, "drift_score", 0.5, days_ago(2))
    evaluate(version, capture=django_capture_on_commit_callbacks)
    observe(version, "drift_score", 0.7, days_ago(1))
    mark, sent = audit_mark(), len(mailoutbox)

    findings = evaluate(version, capture=django_capture_on_commit_callbacks)

    assert actions(findings) == [("drift_ceiling", "refreshed")]
    assert RetirementAlert.objects.get().reasons[0]["value"] == 0.7
    assert (new_events(mark), len(mailoutbox), Notification.objects.count()) == ([], sent, 2)


def test_an_acknowledged_alert_stays_quiet_until_its_reasons_change(
    personas, model, version, django_capture_on_commit_callbacks, mailoutbox
):
    version = production(model, version="3.0.0", retirement_criteria=DRIFTING)
    observe(version, "drift_score", 0.5, days_ago(2))
    evaluate(version, capture=django_capture_on_commit_callbacks)
    alert = RetirementAlert.objects.get()
    alert_acknowledge(actor=personas["risk_officer"], alert_id=alert.pk)
    observe(version, "drift_score", 0.6, days_ago(1))
    mark, sent = audit_mark(), len(mailoutbox)

    evaluate(version, capture=django_capture_on_commit_callbacks)
    alert.refresh_from_db()
    assert (alert.status, new_events(mark), len(mailoutbox)) == ("acknowledged", [], sent)

    version.retirement_criteria = {**DRIFTING, "drift_ceiling": 0.2}
    version.save(update_fields=["retirement_criteria"])
    findings = evaluate(version, capture=django_capture_on_commit_callbacks)

    alert.refresh_from_db()
    assert (alert.status, alert.acknowledged_by) == (AlertStatus.OPEN, None)
    assert actions(findings) == [("drift_ceiling", "updated")]
    assert [event[0] for event in new_events(mark)] == ["alert.opened"]
    assert len(mailoutbox) == sent + 2


def test_the_model_policy_deprecates_through_the_lifecycle(
    model, django_capture_on_commit_callbacks, mailoutbox
):
    model.auto_deprecate = True
    model.save(update_fields=["auto_deprecate"])
    version = production(model, trained_days_ago=100)
    mark = audit_mark()

    findings = evaluate(version, capture=django_capture_on_commit_callbacks)

    version.refresh_from_db()
    alert = RetirementAlert.objects.get()
    assert version.stage == Stage.DEPRECATED
    assert actions(findings) == [("max_age", "opened"), ("max_age", "deprecated")]
    events = new_events(mark)
    assert [event[:2] for event in events] == [
        ("alert.opened", "system:retirement"),
        ("retirement.triggered", "system:retirement"),
        ("model.deprecated", "system:retirement"),
    ]
    assert events[1][5] == {
        "version": "2.4.1",
        "action": "deprecate",
        "alerts": {"max_age": alert.pk},
    }
    assert events[2][5]["reason"] == "retirement rules fired: max_age"
    assert history(version)[-1] == ("~", None, "production -> deprecated")
    assert "Deprecated automatically; it can be rolled back until" in mailoutbox[0].body
    assert notified() == [("lead", "max_age"), ("lead2", "max_age")]


def test_the_policy_leaves_an_acknowledged_unchanged_alert_to_people(
    personas, model, django_capture_on_commit_callbacks
):
    version = production(model, trained_days_ago=100)
    evaluate(version, capture=django_capture_on_commit_callbacks)
    alert_acknowledge(actor=personas["lead"], alert_id=RetirementAlert.objects.get().pk)
    model.auto_deprecate = True
    model.save(update_fields=["auto_deprecate"])

    findings = evaluate(version, capture=django_capture_on_commit_callbacks)

    version.refresh_from_db()
    assert (version.stage, actions(findings)) == (Stage.PRODUCTION, [("max_age", "unchanged")])


@pytest.mark.parametrize(("days", "fires"), [(6, False), (7, True)])
def test_metric_floor_reads_the_last_observation_of_each_day(
    model, django_capture_on_commit_callbacks, days, fires
):
    version = production(model)
    observe_daily(version, "accuracy", [0.95] * 3 + [0.85] * days)
    # Earlier the same day the value was below the floor; the day's last one counts.
    observe(version, "accuracy", 0.5, days_ago(days + 0.2))

    findings = evaluate(version, capture=django_capture_on_commit_callbacks)

    assert actions(findings) == ([("metric_floor", "opened")] if fires else [])


def test_a_day_without_observations_breaks_the_floor_run(model, django_capture_on_commit_callbacks):
    version = production(model)
    observe_daily(version, "accuracy", [0.85] * 4, last_day_ago=0)
    observe_daily(version, "accuracy", [0.85] * 4, last_day_ago=5)

    with nothing_written():
        assert actions(evaluate(version, capture=django_capture_on_commit_callbacks)) == []


@pytest.mark.parametrize(("retire_on_replacement", "fires"), [(True, True), (False, False)])
def test_a_newer_version_serving_production_is_a_replacement(
    model, django_capture_on_commit_callbacks, retire_on_replacement, fires
):
    version = production(
        model, retirement_criteria={"retire_on_replacement": retire_on_replacement}
    )
    newer = ModelVersionFactory(model=model, version="2.5.0", stage=Stage.STAGING)
    older = ModelVersionFactory(model=model, version="2.3.0", stage=Stage.DEPRECATED)
    older.created_at = days_ago(30)
    older.save(update_fields=["created_at"])
    DeploymentFactory(version=newer, endpoint="churn-api", environment="production")
    DeploymentFactory(version=older, endpoint="churn-old", environment="production")

    findings = evaluate(version, capture=django_capture_on_commit_callbacks)

    assert actions(findings) == ([("replacement", "opened")] if fires else [])
    if fires:
        assert RetirementAlert.objects.get().reasons[0]["replacement"] == "2.5.0"
    assert Deployment.objects.count() == 2


def test_a_replacement_alerts_but_never_deprecates_the_approved_version(
    model, django_capture_on_commit_callbacks
):
    """The newer version serving production was never approved there: a person decides."""
    model.auto_deprecate = True
    model.save(update_fields=["auto_deprecate"])
    version = production(model, retirement_criteria={"retire_on_replacement": True})
    newer = ModelVersionFactory(model=model, version="2.5.0", stage=Stage.STAGING)
    DeploymentFactory(version=newer, endpoint="churn-api", environment="production")

    findings = evaluate(version, capture=django_capture_on_commit_callbacks)

    assert actions(findings) == [("replacement", "opened")]
    version.refresh_from_db()
    assert version.stage == Stage.PRODUCTION


def test_a_dry_run_reports_and_writes_nothing(
    model, django_capture_on_commit_callbacks, mailoutbox
):
    model.auto_deprecate = True
    model.save(update_fields=["auto_deprecate"])
    version = production(model, trained_days_ago=100)

    with nothing_written():
        findings = evaluate(version, capture=django_capture_on_commit_callbacks, dry_run=True)

    assert actions(findings) == [("max_age", "would open"), ("max_age", "would deprecate")]
    assert mailoutbox == []


def test_versions_out_of_production_are_left_alone(model, django_capture_on_commit_callbacks):
    version = production(model, trained_days_ago=100, stage=Stage.STAGING)

    with nothing_written():
        assert evaluate(version, capture=django_capture_on_commit_callbacks) == []


@pytest.mark.parametrize("count", [2, 20])
def test_a_quiet_batch_costs_the_same_queries_whatever_its_size(
    team, personas, django_capture_on_commit_callbacks, django_assert_num_queries, count
):
    versions = []
    for number in range(count):
        model = RegisteredModelFactory(team=team, owner=personas["lead"])
        version = production(model, trained_days_ago=100 + number, retirement_criteria={})
        observe_daily(version, "accuracy", [0.8] * 8)
        observe_daily(version, "drift_score", [0.5] * 2)
        versions.append(version)
    first = evaluate(*versions, capture=django_capture_on_commit_callbacks)
    assert len(actions(first)) == 3 * count

    with django_assert_num_queries(5):
        again = evaluate(*versions, capture=django_capture_on_commit_callbacks)

    assert {action for _, action in actions(again)} == {"unchanged"}
    assert RetirementAlert.objects.filter(version__in=versions).count() == 3 * count


def test_an_opening_run_costs_the_same_queries_for_2_and_20_versions(
    team, personas, django_capture_on_commit_callbacks
):
    def opening_run(count: int) -> int:
        owner = personas["lead"]
        versions = [
            production(RegisteredModelFactory(team=team, owner=owner), trained_days_ago=100)
            for _ in range(count)
        ]
        with CaptureQueriesContext(connection) as queries:
            evaluate(*versions, capture=django_capture_on_commit_callbacks)
        return len(queries)

    opening_run(1)  # warms the content-type cache the notification step reads
    # New alerts go in one insert and their alert.opened events in one append.
    assert opening_run(20) == opening_run(2)
