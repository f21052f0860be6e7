"""evaluate_retirement: runs the four sweeps in-process in batches and prints what fired or
changed and why; --dry-run changes nothing (no row, no event, no mail); --model narrows."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from governance.models import Environment, RetirementAlert, Stage
from tests.db_state import nothing_written
from tests.factories import DeploymentFactory, ModelVersionFactory, RegisteredModelFactory
from tests.retirement_support import DAY, days_ago, production

pytestmark = pytest.mark.django_db


def run(*args: str, capture) -> str:  # noqa: ANN001
    out = StringIO()
    with capture(execute=True):
        call_command("evaluate_retirement", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def troubled(model):  # noqa: ANN001, ANN201
    """Too old, its review overdue, a deprecated version past its grace period, a shadow."""
    version = production(model, trained_days_ago=120, next_review_at=days_ago(3))
    ModelVersionFactory(
        model=model, version="2.3.0", stage=Stage.DEPRECATED, stage_changed_at=days_ago(40)
    )
    candidate = ModelVersionFactory(model=model, version="2.5.0", stage=Stage.DEVELOPMENT)
    DeploymentFactory(version=candidate, endpoint="churn-api", environment=Environment.STAGING)
    return version


def test_prints_what_fired_and_why(troubled, django_capture_on_commit_callbacks, mailoutbox):
    out = run(capture=django_capture_on_commit_callbacks)

    assert out.splitlines() == [
        "Retirement criteria: 1 checked, 1 to report.",
        "  customer-churn-predictor 2.4.1: max_age fires, opened",
        f"    - Trained on {troubled.training_date}; over the 90-day age limit since "
        f"{troubled.training_date + 91 * DAY}.",
        "Grace periods: 1 checked, 1 to report.",
        "  customer-churn-predictor 2.3.0: grace_period fires, retired",
        f"    - Deprecated on {days_ago(40):%Y-%m-%d}; its 30-day grace period ended on "
        f"{days_ago(10):%Y-%m-%d}.",
        "Review reminders: 1 checked, 1 to report.",
        "  customer-churn-predictor 2.4.1: review_overdue fires, opened",
        f"    - Review due since {days_ago(3):%Y-%m-%d} (quarterly schedule; last review "
        f"{days_ago(5):%Y-%m-%d}).",
        "Shadow deployments: 1 checked, 1 to report.",
        "  customer-churn-predictor 2.5.0: shadow_deployment fires, opened",
        "    - customer-churn-predictor 2.5.0 (development) serves churn-api in staging without "
        "approval for that environment.",
        "Incident deadlines: 0 checked, 0 to report.",
    ]
    assert RetirementAlert.objects.count() == 3
    assert mailoutbox


def test_a_second_run_reports_the_open_alerts_and_changes_nothing(
    troubled, django_capture_on_commit_callbacks
):
    run(capture=django_capture_on_commit_callbacks)

    with nothing_written():
        out = run(capture=django_capture_on_commit_callbacks)

    assert "max_age fires, unchanged" in out
    assert "Grace periods: 0 checked, 0 to report." in out


def test_a_dry_run_changes_nothing(troubled, django_capture_on_commit_callbacks, mailoutbox):
    with nothing_written():
        out = run("--dry-run", capture=django_capture_on_commit_callbacks)

    assert out.startswith("Dry run: nothing is written, nobody is notified.\n")
    assert "max_age fires, would open" in out
    assert "grace_period fires, would retire" in out
    assert mailoutbox == []


def test_model_narrows_every_sweep(troubled, team, django_capture_on_commit_callbacks):
    other = RegisteredModelFactory(name="campaign-uplift", team=team)
    production(other, trained_days_ago=200)

    out = run("--model", "campaign-uplift", capture=django_capture_on_commit_callbacks)

    assert "campaign-uplift 2.4.1: max_age fires, opened" in out
    assert "customer-churn-predictor" not in out


@override_settings(TUTELA_SWEEP_BATCH_SIZE=2)
def test_batches_cover_every_version(team, personas, django_capture_on_commit_callbacks):
    for number in range(5):
        production(RegisteredModelFactory(team=team), trained_days_ago=100 + number)

    out = run(capture=django_capture_on_commit_callbacks)

    assert out.count("max_age fires, opened") == 5


def test_an_unknown_model_is_refused(db):
    with pytest.raises(CommandError, match="No registered model is named 'nope'"):
        call_command("evaluate_retirement", "--model", "nope")
