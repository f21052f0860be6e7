"""Evaluation windows of the scheduled sweeps and the claim that lets one beat act per window."""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from governance.models import SweepClaim

CLAIMS_KEPT_FOR = timedelta(days=30)  # enough to see what ran lately, small enough to ignore


def evaluation_window(now: datetime, period: timedelta) -> datetime:
    """The start of the period (a divisor of a day) that ``now`` falls in, on the local clock
    the crontabs use, so every beat firing for the same schedule slot names the same window."""
    local = timezone.localtime(now)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight + ((local - midnight) // period) * period


def sweep_claim(*, job: str, window_start: datetime, batches: int) -> bool:
    """Claim one evaluation window of a scheduled job; False when another run already has it.

    Called inside the caller's transaction: on PostgreSQL a concurrent claim of the same
    window waits on the unique index until this transaction ends, then fails (or succeeds if
    this one rolled back, e.g. because the broker refused the batches)."""
    try:
        with transaction.atomic():
            SweepClaim.objects.create(job=job, window_start=window_start, batches=batches)
    except IntegrityError:
        return False
    SweepClaim.objects.filter(job=job, window_start__lt=window_start - CLAIMS_KEPT_FOR).delete()
    return True
