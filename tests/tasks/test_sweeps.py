"""Scheduled sweeps: ids from a selector, one batch task per chunk, and one dispatch per
evaluation window however many beats fire (the single-beat guarantee)."""

import datetime
import threading
import traceback
from collections.abc import Callable

import pytest
from django.db import connection, connections
from kombu.exceptions import OperationalError as BrokerError

from governance.models import Stage, SweepClaim
from governance.tasks import (
    grace_period_sweep,
    retirement_sweep,
    review_reminder_sweep,
    shadow_deployment_sweep,
)
from tests.factories import DeploymentFactory, ModelVersionFactory
from tests.tasks.conftest import TEN_PAST_TEN

UTC = datetime.UTC
EVALUATE = "governance.tasks.evaluate_retirement_batch"
CHECK_SHADOWS = "governance.tasks.check_shadow_deployments_batch"


@pytest.fixture
def production(db) -> list[int]:
    return sorted(ModelVersionFactory(stage=Stage.PRODUCTION).pk for _ in range(5))


def test_sweep_dispatches_one_batch_task_per_chunk_of_ids(broker, clock, production, settings):
    settings.TUTELA_SWEEP_BATCH_SIZE = 2

    dispatched = retirement_sweep()

    assert dispatched == 3
    assert (
        sorted(broker.take())
        == [  # the file-system broker keeps no order within a ms
            (EVALUATE, [production[0:2]]),
            (EVALUATE, [production[2:4]]),
            (EVALUATE, [production[4:5]]),
        ]
    )
    assert SweepClaim.objects.get().batches == 3


def test_shadow_sweep_dispatches_the_active_deployments(broker, clock, db):
    active = DeploymentFactory(version__stage=Stage.STAGING)
    DeploymentFactory(active=False)

    shadow_deployment_sweep()

    assert broker.take() == [(CHECK_SHADOWS, [[active.pk]])]


def test_second_sweep_in_the_same_window_dispatches_nothing(broker, clock, production, caplog):
    retirement_sweep()
    broker.take()
    clock.return_value = TEN_PAST_TEN + datetime.timedelta(minutes=54)  # 10:59

    dispatched = retirement_sweep()

    assert dispatched == 0
    assert broker.take() == []
    assert "window 2026-11-27 10:00:00+00:00 already claimed" in caplog.text


def test_next_window_dispatches_again(broker, clock, production):
    retirement_sweep()
    broker.take()
    clock.return_value = datetime.datetime(2026, 11, 27, 11, 0, 0, 5000, tzinfo=UTC)

    dispatched = retirement_sweep()

    assert dispatched == 1
    assert broker.take() == [(EVALUATE, [production])]


@pytest.mark.parametrize(
    ("sweep", "window"),
    [
        (retirement_sweep, datetime.datetime(2026, 11, 27, 10, 0, tzinfo=UTC)),
        (grace_period_sweep, datetime.datetime(2026, 11, 27, 0, 0, tzinfo=UTC)),
        (review_reminder_sweep, datetime.datetime(2026, 11, 27, 0, 0, tzinfo=UTC)),
        (shadow_deployment_sweep, datetime.datetime(2026, 11, 27, 10, 0, tzinfo=UTC)),
    ],
)
def test_each_sweep_claims_its_schedule_period(broker, clock, db, sweep, window):
    sweep()

    claim = SweepClaim.objects.get(job=sweep.__name__)  # reviews also claim incident reminders
    assert (claim.job, claim.window_start) == (sweep.__name__, window)


def test_sweep_that_cannot_publish_leaves_the_window_to_the_next_attempt(broker, clock, production):
    working_url = broker.app.conf.broker_url
    broker.down()

    with pytest.raises(BrokerError):
        retirement_sweep()

    assert not SweepClaim.objects.exists()
    broker.up(working_url)
    assert retirement_sweep() == 1
    assert broker.take() == [(EVALUATE, [production])]


def run_together(tasks: list[Callable[[], int]]) -> list[int]:
    """Start the tasks at the same moment, each on its own thread and database connection."""
    barrier = threading.Barrier(len(tasks))
    results: list[int] = []
    failures: list[str] = []

    def work(task: Callable[[], int]) -> None:
        try:
            barrier.wait(timeout=30)
            results.append(task())
        except BaseException:  # every failure is reported below
            failures.append(traceback.format_exc())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(task,)) for task in tasks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures
    return results


@pytest.mark.django_db(transaction=True)
def test_two_beats_sweeping_at_once_dispatch_each_window_once(broker, clock, production):
    if connection.vendor != "postgresql":
        pytest.skip("Two writers at once need PostgreSQL (SQLite serializes them).")
    outcomes = []
    for hour in range(3):
        clock.return_value = TEN_PAST_TEN + datetime.timedelta(hours=hour)
        outcomes.append(sorted(run_together([retirement_sweep, retirement_sweep])))

    assert outcomes == [[0, 1], [0, 1], [0, 1]]
    assert broker.take() == [(EVALUATE, [production])] * 3
    assert SweepClaim.objects.count() == 3
