"""Batch tasks: ids in, a service call, retried with capped exponential backoff on database
errors, and safe to run twice."""

import datetime
from collections.abc import Iterator

import pytest
from celery.signals import task_retry
from django.core import mail
from django.db import OperationalError

from governance.models import AlertRule, AuditEvent, AuditEventType, RetirementAlert, Stage
from governance.services import retirement
from governance.tasks import RETRY_ON_DATABASE_ERRORS, evaluate_retirement_batch, retirement_sweep
from tests.factories import ModelVersionFactory
from tests.tasks.conftest import TEN_PAST_TEN

pytestmark = pytest.mark.django_db


@pytest.fixture
def aged(model):
    """A production version trained long before today and the test clock: past the default
    90-day limit."""
    return ModelVersionFactory(
        model=model,
        version="3.0.0",
        stage=Stage.PRODUCTION,
        training_date=TEN_PAST_TEN.date() - datetime.timedelta(days=300),
    )


@pytest.fixture
def countdowns() -> Iterator[list[float]]:
    """The countdown Celery chose for each retry."""
    seen: list[float] = []

    def record(sender, reason, **kwargs) -> None:  # noqa: ANN001 - Celery signal
        seen.append(reason.when)

    task_retry.connect(record, weak=False)
    yield seen
    task_retry.disconnect(record)


def flaky(failures: int) -> tuple[list[dict], object]:
    """The real service, failing like a lost database connection on its first calls."""
    calls: list[dict] = []

    def evaluate(**kwargs: object) -> list:
        calls.append(kwargs)
        if len(calls) <= failures:
            raise OperationalError("server closed the connection unexpectedly")
        return real_evaluate(**kwargs)

    real_evaluate = retirement.retirement_evaluate
    return calls, evaluate


def test_batch_retries_after_a_database_error_and_then_succeeds(aged, countdowns, monkeypatch):
    calls, evaluate = flaky(failures=1)
    # Patching our own service is the one way to make the database fail on cue here.
    monkeypatch.setattr(retirement, "retirement_evaluate", evaluate)

    result = evaluate_retirement_batch.apply(args=([aged.pk],))

    assert result.successful()
    assert calls == [{"version_ids": [aged.pk]}] * 2
    assert len(countdowns) == 1 and 0 <= countdowns[0] <= 2
    assert RetirementAlert.objects.get(version=aged).rule == AlertRule.MAX_AGE


def test_batch_gives_up_after_the_retries_with_capped_exponential_backoff(
    aged, countdowns, monkeypatch
):
    calls, evaluate = flaky(failures=100)
    # As above: our own service, patched to simulate a database that stays down.
    monkeypatch.setattr(retirement, "retirement_evaluate", evaluate)

    result = evaluate_retirement_batch.apply(args=([aged.pk],))

    retries = RETRY_ON_DATABASE_ERRORS["max_retries"]
    cap = RETRY_ON_DATABASE_ERRORS["retry_backoff_max"]
    assert result.failed() and isinstance(result.result, OperationalError)
    assert len(calls) == retries + 1
    assert len(countdowns) == retries
    assert all(0 <= delay <= min(cap, 2 * 2**n) for n, delay in enumerate(countdowns))
    assert not RetirementAlert.objects.exists()


def test_batch_run_twice_opens_one_alert_with_one_event_and_one_mail(
    aged, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # mail goes out on commit
        evaluate_retirement_batch.apply(args=([aged.pk],))
    mails = len(mail.outbox)
    assert mails >= 1

    with django_capture_on_commit_callbacks(execute=True):
        evaluate_retirement_batch.apply(args=([aged.pk],))

    assert RetirementAlert.objects.filter(version=aged).count() == 1
    opened = AuditEvent.objects.filter(event_type=AuditEventType.ALERT_OPENED, version=aged)
    assert opened.count() == 1
    assert len(mail.outbox) == mails


def test_sweeps_in_two_windows_open_no_second_alert(aged, broker, clock):
    for hour in range(2):
        clock.return_value = TEN_PAST_TEN + datetime.timedelta(hours=hour)
        assert retirement_sweep() == 1
        for name, args in broker.take():  # what a worker would run
            evaluate_retirement_batch.app.tasks[name].apply(args=args)

    assert RetirementAlert.objects.filter(version=aged).count() == 1
