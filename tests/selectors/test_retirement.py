"""The retirement engine's reads: the id selectors of the four sweeps (ordered, narrowed by
model) and the batch loaders, one query each whatever the batch size."""

import datetime

import pytest
from django.utils import timezone

from governance.models import AlertRule, AlertStatus, Environment, Role, Stage
from governance.selectors.retirement import (
    active_deployment_ids,
    alert_recipients,
    daily_values,
    latest_values,
    production_version_ids,
    review_due_version_ids,
)
from tests.factories import (
    DeploymentFactory,
    ModelVersionFactory,
    RegisteredModelFactory,
    RetirementAlertFactory,
    UserFactory,
    grant,
)
from tests.retirement_support import days_ago, observe, observe_daily, production

pytestmark = pytest.mark.django_db


def test_production_versions_are_selected_in_id_order_and_by_model(model, team):
    other = RegisteredModelFactory(name="campaign-uplift", team=team)
    first = production(model)
    second = production(other)
    ModelVersionFactory(model=model, version="3.0.0", stage=Stage.STAGING)

    assert production_version_ids() == [first.pk, second.pk]
    assert production_version_ids(model_name="campaign-uplift") == [second.pk]


def test_reviews_due_include_versions_whose_open_alert_must_resolve(model):
    due = production(model, next_review_at=days_ago(1))
    reviewed = production(model, version="2.5.0", stage=Stage.DEPRECATED, next_review_at=None)
    RetirementAlertFactory(version=reviewed, rule=AlertRule.REVIEW_OVERDUE)
    RetirementAlertFactory(
        version=production(model, version="2.6.0", stage=Stage.STAGING, next_review_at=None),
        rule=AlertRule.REVIEW_OVERDUE,
        status=AlertStatus.RESOLVED,
    )

    assert review_due_version_ids(now=timezone.now()) == [due.pk, reviewed.pk]


def test_active_deployments_and_the_last_one_of_an_alerted_version(model):
    version = ModelVersionFactory(model=model, stage=Stage.STAGING)
    active = DeploymentFactory(version=production(model), environment=Environment.PRODUCTION)
    ended = [DeploymentFactory(version=version, active=False) for _ in range(2)]
    RetirementAlertFactory(version=version, rule=AlertRule.SHADOW_DEPLOYMENT)

    assert active_deployment_ids() == [active.pk, ended[1].pk]


@pytest.mark.parametrize("count", [2, 20])
def test_daily_values_take_the_last_observation_of_each_utc_day_in_one_query(
    team, count, django_assert_num_queries
):
    versions = [production(RegisteredModelFactory(team=team)) for _ in range(count)]
    for version in versions:
        observe_daily(version, "accuracy", [0.9, 0.8, 0.7])
        observe_daily(version, "auc", [0.95])
    # The day's last observation (23:59 UTC) is its value, whatever came earlier.
    noon = timezone.now().astimezone(datetime.UTC).replace(hour=12, minute=0, second=0)
    observe(versions[0], "accuracy", 0.1, noon - datetime.timedelta(hours=1))
    observe(versions[0], "accuracy", 0.5, noon + datetime.timedelta(hours=11, minutes=59))

    with django_assert_num_queries(1):
        found = daily_values([v.pk for v in versions], {"accuracy": 2, "auc": 7})

    today = noon.date()
    yesterday = today - datetime.timedelta(days=1)
    assert found[versions[0].pk]["accuracy"] == [(yesterday, 0.8), (today, 0.5)]
    assert found[versions[-1].pk] == {
        "accuracy": [(yesterday, 0.8), (today, 0.7)],
        "auc": [(today, 0.95)],
    }


@pytest.mark.parametrize("count", [2, 20])
def test_latest_values_in_one_query(team, count, django_assert_num_queries):
    versions = [production(RegisteredModelFactory(team=team)) for _ in range(count)]
    for version in versions:
        observe_daily(version, "drift_score", [0.1, 0.2, 0.4])

    with django_assert_num_queries(1):
        found = latest_values([v.pk for v in versions], "drift_score")

    assert {value for value, _ in found.values()} == {0.4}
    assert len(found) == count


def test_a_role_on_one_model_notifies_about_that_model_only(team, personas):
    """Two models of one team: whoever holds ml_lead on the first is not told of the second."""
    first, second = (RegisteredModelFactory(team=team, owner=personas["lead"]) for _ in "ab")
    lead_of_first = UserFactory()
    grant(lead_of_first, Role.ML_LEAD, first)

    found = alert_recipients([first, second], frozenset({Role.ML_LEAD}))

    assert lead_of_first.pk in {person.user_id for person in found[first.pk]}
    assert lead_of_first.pk not in {person.user_id for person in found[second.pk]}
