"""Publish a task once the current transaction commits, and never fail the caller for it."""

import logging
from functools import partial

from celery import current_app
from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue_on_commit(task_name: str, *args: object) -> None:
    """Publish ``task_name(*args)`` after commit. When the broker is down the request still
    succeeds: the failure is logged and the next scheduled sweep does the same work.

    Tasks go by name, so services need not import governance.tasks (which imports the
    services), and a process that never loaded the tasks still publishes them."""
    transaction.on_commit(partial(_publish, task_name, args))


def _publish(task_name: str, args: tuple[object, ...]) -> None:
    try:
        # No publish retry here: opening the connection is already bounded by the broker
        # connection timeout and transport retries (settings), about a second in all.
        # By name: the web process never imports governance.tasks (only workers do), so
        # the task is not in this process's registry; the worker that receives it has it.
        current_app.send_task(task_name, args=args, retry=False)
    except Exception:
        logger.warning(
            "Could not publish %s%r; the next scheduled sweep will pick the work up.",
            task_name,
            args,
            exc_info=True,
        )
