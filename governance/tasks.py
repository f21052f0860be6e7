"""Celery tasks. Beat runs the sweeps: each claims its evaluation window, picks ids with a
selector and dispatches one batch task per chunk. Batch tasks hand ids to a service, which
re-checks state under row locks, so every task is safe to run twice or concurrently."""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from celery import Task, shared_task
from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.utils import timezone

from governance.selectors import retirement as selectors
from governance.selectors.incidents import incident_reminder_ids
from governance.services import retirement as services
from governance.services.incident_reminders import incident_reminders_send
from governance.services.sweeps import evaluation_window, sweep_claim

logger = logging.getLogger(__name__)

# Transient database errors: connection lost or reset, deadlock, serialization failure,
# lock timeout, or losing a race with a concurrent batch on a unique key (the retry sees the
# winner's row). The countdown doubles from 2 s up to the cap, with jitter.
RETRY_ON_DATABASE_ERRORS: dict = {
    "autoretry_for": (OperationalError, InterfaceError, IntegrityError),
    "retry_backoff": 2,
    "retry_backoff_max": settings.TUTELA_TASK_RETRY_BACKOFF_MAX,
    "retry_jitter": True,
    "max_retries": 6,
}

# The schedule period of each sweep (the crontabs of migration 0007 fire at its start).
WINDOWS = {
    "retirement_sweep": timedelta(hours=1),
    "grace_period_sweep": timedelta(days=1),
    "review_reminder_sweep": timedelta(days=1),
    "incident_reminder_sweep": timedelta(days=1),  # dispatched by review_reminder_sweep
    "shadow_deployment_sweep": timedelta(minutes=15),
}


def _sweep(job: str, select: Callable[[datetime], list[int]], batch_task: Task) -> int:
    """Dispatch one batch task per chunk of ids, once per evaluation window; returns how many."""
    now = timezone.now()
    window = evaluation_window(now, WINDOWS[job])
    ids = select(now)
    size = settings.TUTELA_SWEEP_BATCH_SIZE
    batches = [ids[start : start + size] for start in range(0, len(ids), size)]
    with transaction.atomic():
        if not sweep_claim(job=job, window_start=window, batches=len(batches)):
            logger.info("%s: window %s already claimed; nothing dispatched.", job, window)
            return 0
        # Published inside the claim's transaction (the batches read nothing it writes): if
        # the broker refuses, the claim rolls back and a retry or the next beat takes over.
        # A batch published twice that way is harmless: the services are idempotent.
        for batch in batches:
            batch_task.delay(batch)
    logger.info("%s: window %s, %d ids in %d batches.", job, window, len(ids), len(batches))
    return len(batches)


@shared_task(**RETRY_ON_DATABASE_ERRORS)
def retirement_sweep() -> int:
    """Hourly: evaluate the retirement rules of every production version."""
    return _sweep(
        "retirement_sweep",
        lambda now: selectors.production_version_ids(),
        evaluate_retirement_batch,
    )


@shared_task(**RETRY_ON_DATABASE_ERRORS)
def grace_period_sweep() -> int:
    """Daily: retire deprecated versions whose grace period has passed."""
    return _sweep(
        "grace_period_sweep",
        lambda now: selectors.grace_expired_version_ids(now=now),
        retire_grace_expired_batch,
    )


@shared_task(**RETRY_ON_DATABASE_ERRORS)
def review_reminder_sweep() -> int:
    """Daily: remind the owners of production versions whose review is due, and the people
    of open serious incidents whose reporting deadline is near or past (claimed apart)."""
    reviews = _sweep(
        "review_reminder_sweep",
        lambda now: selectors.review_due_version_ids(now=now),
        send_review_reminders_batch,
    )
    incidents = _sweep(
        "incident_reminder_sweep",
        lambda now: incident_reminder_ids(today=timezone.localdate(now)),
        send_incident_reminders_batch,
    )
    return reviews + incidents


@shared_task(**RETRY_ON_DATABASE_ERRORS)
def shadow_deployment_sweep() -> int:
    """Every 15 minutes: check active deployments for shadow models."""
    return _sweep(
        "shadow_deployment_sweep",
        lambda now: selectors.active_deployment_ids(),
        check_shadow_deployments_batch,
    )


@shared_task(**RETRY_ON_DATABASE_ERRORS)
def evaluate_retirement_batch(version_ids: list[int]) -> int:
    return len(services.retirement_evaluate(version_ids=version_ids))


@shared_task(**RETRY_ON_DATABASE_ERRORS)
def retire_grace_expired_batch(version_ids: list[int]) -> int:
    return len(services.grace_period_retire(version_ids=version_ids))


@shared_task(**RETRY_ON_DATABASE_ERRORS)
def send_review_reminders_batch(version_ids: list[int]) -> int:
    return len(services.review_reminders_send(version_ids=version_ids))


@shared_task(**RETRY_ON_DATABASE_ERRORS)
def send_incident_reminders_batch(incident_ids: list[int]) -> int:
    return len(incident_reminders_send(incident_ids=incident_ids))


@shared_task(**RETRY_ON_DATABASE_ERRORS)
def check_shadow_deployments_batch(deployment_ids: list[int]) -> int:
    return len(services.shadow_deployments_check(deployment_ids=deployment_ids))
