"""End to end with a real Celery worker (a thread of this process, on the app's broker: Redis
in CI, the file-system transport locally): the scheduled task runs, the worker executes the
batch it dispatched, and the alert is in the database."""

import threading
from collections.abc import Iterator

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.db import connections

from governance.models import AlertRule, AlertStatus, RetirementAlert, Stage, SweepClaim
from governance.tasks import retirement_sweep
from tests.factories import ModelVersionFactory
from tests.tasks.conftest import TEN_PAST_TEN, Broker

pytestmark = pytest.mark.django_db(transaction=True)  # the worker has its own connection

BATCH = "governance.tasks.evaluate_retirement_batch"


class Finished:
    """Task runs the worker finished, by task name, as they happen."""

    def __init__(self) -> None:
        self.states: dict[str, list[str]] = {}
        self.changed = threading.Condition()

    def record(self, sender, state, **kwargs) -> None:  # noqa: ANN001 - Celery signal
        connections.close_all()  # the worker thread's connection must not outlive the test
        with self.changed:
            self.states.setdefault(sender.name, []).append(state)
            self.changed.notify_all()

    def wait_for(self, name: str, timeout: float = 30) -> list[str]:
        with self.changed:
            self.changed.wait_for(lambda: name in self.states, timeout=timeout)
        return self.states.get(name, [])


@pytest.fixture
def worker(broker: Broker) -> Iterator[Finished]:
    finished = Finished()
    task_postrun.connect(finished.record, weak=False)
    try:
        with start_worker(
            broker.app, perform_ping_check=False, queues=[broker.queue], shutdown_timeout=30
        ):
            yield finished
    finally:
        task_postrun.disconnect(finished.record)


def test_scheduled_sweep_runs_on_a_real_worker_and_opens_the_alert(worker, model):
    aged = ModelVersionFactory(
        model=model,
        version="3.0.0",
        stage=Stage.PRODUCTION,
        training_date=TEN_PAST_TEN.date().replace(year=2025),
    )

    retirement_sweep.delay()

    assert worker.wait_for(BATCH) == ["SUCCESS"]
    assert worker.states["governance.tasks.retirement_sweep"] == ["SUCCESS"]
    alert = RetirementAlert.objects.get(version=aged)
    assert (alert.rule, alert.status) == (AlertRule.MAX_AGE, AlertStatus.OPEN)
    assert SweepClaim.objects.get().batches == 1
