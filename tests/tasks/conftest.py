"""Celery test set-up: the app's real broker (Redis with REDIS_URL, as in CI; otherwise the
file-system transport in a temporary folder), on a queue of each test's own so nothing left
by other tests or processes is consumed or counted."""

import datetime
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import pytest
from celery import Celery

from config.celery import app as celery_app

SAVED_KEYS = ("task_default_queue", "broker_url", "broker_transport_options")
REFUSING_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connection refused
TEN_PAST_TEN = datetime.datetime(2026, 11, 27, 10, 5, tzinfo=datetime.UTC)


@dataclass
class Broker:
    app: Celery
    queue: str

    def take(self) -> list[tuple[str, list]]:
        """Remove and return the waiting messages as (task name, positional args)."""
        taken = []
        with self.app.connection_for_write() as connection:
            channel = connection.default_channel
            while (message := channel.basic_get(self.queue, no_ack=True)) is not None:
                args, _kwargs, _embed = message.decode()
                taken.append((message.headers["task"], args))
        return taken

    def delete(self) -> None:
        with self.app.connection_for_write() as connection:
            queue = self.app.amqp.queues[self.queue].bind(connection.default_channel)
            queue.declare()  # kombu deletes only the bindings it knows of
            queue.delete()

    def down(self) -> None:
        """Point publishing at an address that refuses connections."""
        use_broker(self.app, url=REFUSING_BROKER)

    def up(self, url: str) -> None:
        use_broker(self.app, url=url)


def use_broker(app: Celery, *, url: str, options: dict | None = None) -> None:
    app.conf.broker_url = url
    if options is not None:
        app.conf.broker_transport_options = options
    # The app keeps its pools of connections to the previous broker; forget them the way
    # Celery does after a fork (kombu's shared pools are keyed by URL and options).
    app._pool = None
    app.amqp._producer_pool = None


def _file_system_folders(root: Path) -> dict[str, str]:
    queue, processed, control = root / "queue", root / "processed", root / "control"
    for folder in (queue, processed, control):
        folder.mkdir(parents=True)
    return {
        "data_folder_in": str(queue),
        "data_folder_out": str(queue),
        "processed_folder": str(processed),
        "control_folder": str(control),
    }


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    saved = {key: celery_app.conf[key] for key in SAVED_KEYS}
    queue = f"tutela-test-{uuid.uuid4().hex[:12]}"
    celery_app.conf.task_default_queue = queue
    options = saved["broker_transport_options"]
    if saved["broker_url"].startswith("filesystem"):
        options = {**options, **_file_system_folders(tmp_path / "broker")}
    use_broker(celery_app, url=saved["broker_url"], options=options)
    handle = Broker(celery_app, queue)
    try:
        yield handle
    finally:
        handle.up(saved["broker_url"])
        handle.delete()  # leave nothing behind on a shared Redis
        celery_app.conf.update(saved)
        use_broker(celery_app, url=saved["broker_url"])


@pytest.fixture
def clock() -> Iterator[mock.Mock]:
    """The wall clock (outside world): setting it picks the evaluation window."""
    with mock.patch("django.utils.timezone.now", return_value=TEN_PAST_TEN) as now:
        yield now
