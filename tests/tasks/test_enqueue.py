"""On-commit enqueueing: a state change publishes its follow-up work after commit; with the
broker down the request still succeeds within the publish timeout and the next scheduled
sweep picks the work up."""

import json
import logging
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client

from governance.enqueue import enqueue_on_commit
from governance.models import MetricObservation, Stage
from governance.services.api_tokens import api_token_create
from governance.services.metrics import metrics_record
from governance.tasks import retirement_sweep
from tests.factories import ModelVersionFactory

EVALUATE = "governance.tasks.evaluate_retirement_batch"
POINT = {"name": "accuracy", "value": 0.91, "observed_at": "2026-11-01T06:00:00Z"}


@pytest.mark.django_db
def test_recorded_metrics_publish_an_evaluation_of_the_version_after_commit(
    broker, personas, version, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        metrics_record(actor=personas["engineer"], version_id=version.pk, points=[POINT])
        assert broker.take() == []  # nothing before the commit

    assert broker.take() == [(EVALUATE, [[version.pk]])]


@pytest.mark.django_db
def test_a_process_that_never_loaded_the_tasks_still_publishes_them(
    broker, monkeypatch, django_capture_on_commit_callbacks
):
    """The web process imports no governance.tasks (only workers do): the task goes by name."""
    registry = type(broker.app.tasks)()  # an empty registry, as in a web process
    monkeypatch.setattr(type(broker.app), "tasks", property(lambda app: registry))

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        enqueue_on_commit(EVALUATE, [7])

    assert broker.take() == [(EVALUATE, [[7]])]


@pytest.mark.django_db
def test_refused_change_publishes_nothing(
    broker, personas, version, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        metrics_record(
            actor=personas["engineer"], version_id=version.pk, points=[{**POINT, "value": "x"}]
        )

    assert broker.take() == []


@pytest.mark.django_db(transaction=True)
def test_rolled_back_transaction_publishes_nothing(broker):
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_on_commit(EVALUATE, [1])
        raise RuntimeError("the change failed")

    assert broker.take() == []


@pytest.mark.django_db(transaction=True)
def test_request_succeeds_quickly_with_the_broker_down_and_the_next_sweep_has_the_work(
    broker, personas, model, caplog
):
    live = ModelVersionFactory(model=model, version="3.0.0", stage=Stage.PRODUCTION)
    engineer = personas["engineer"]
    _, secret = api_token_create(actor=engineer, user_id=engineer.pk, name="monitor")
    working_url = broker.app.conf.broker_url
    broker.down()

    started = time.monotonic()
    response = Client().post(
        f"/api/v1/models/{model.name}/versions/3.0.0/metrics/",
        data=json.dumps([POINT]),
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )
    elapsed = time.monotonic() - started

    assert response.status_code == 201
    assert elapsed < 2, f"the request took {elapsed:.2f} s"
    assert MetricObservation.objects.filter(version=live).count() == 1
    logged = [(r.levelno, r.getMessage()) for r in caplog.records if r.name == "governance.enqueue"]
    assert logged == [
        (
            logging.WARNING,
            f"Could not publish {EVALUATE}([{live.pk}],); "
            "the next scheduled sweep will pick the work up.",
        )
    ]
    broker.up(working_url)
    retirement_sweep()
    assert broker.take() == [(EVALUATE, [[live.pk]])]
