"""Evaluation windows and sweep claims: one claim per (job, window), whoever asks first."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from governance.models import SweepClaim
from governance.services.sweeps import CLAIMS_KEPT_FOR, evaluation_window, sweep_claim

UTC = datetime.UTC
HOUR, DAY, QUARTER = (
    datetime.timedelta(hours=1),
    datetime.timedelta(days=1),
    datetime.timedelta(minutes=15),
)


@pytest.mark.parametrize(
    ("moment", "period", "start"),
    [
        ((10, 37, 12), HOUR, (10, 0)),
        ((10, 0, 0), HOUR, (10, 0)),
        ((10, 59, 59), HOUR, (10, 0)),
        ((10, 37, 12), QUARTER, (10, 30)),
        ((10, 45, 0), QUARTER, (10, 45)),
        ((10, 44, 59), QUARTER, (10, 30)),
        ((23, 59, 59), DAY, (0, 0)),
    ],
)
def test_window_is_the_start_of_the_schedule_period(moment, period, start):
    now = datetime.datetime(2026, 11, 27, *moment, 123456, tzinfo=UTC)

    window = evaluation_window(now, period)

    assert window == datetime.datetime(2026, 11, 27, *start, tzinfo=UTC)


def test_daily_window_starts_at_local_midnight(settings):
    settings.TIME_ZONE = "Europe/Paris"
    paris = ZoneInfo("Europe/Paris")
    now = datetime.datetime(2026, 11, 27, 23, 30, tzinfo=UTC)  # 00:30 on the 28th in Paris

    window = evaluation_window(now, DAY)

    assert window == datetime.datetime(2026, 11, 28, 0, 0, tzinfo=paris)


@pytest.mark.django_db
def test_second_claim_of_a_window_is_refused():
    window = datetime.datetime(2026, 11, 27, 10, tzinfo=UTC)

    first = sweep_claim(job="retirement_sweep", window_start=window, batches=3)
    second = sweep_claim(job="retirement_sweep", window_start=window, batches=3)

    assert (first, second) == (True, False)
    assert SweepClaim.objects.get().batches == 3


@pytest.mark.django_db
def test_next_window_and_other_jobs_claim_separately():
    window = datetime.datetime(2026, 11, 27, 10, tzinfo=UTC)
    sweep_claim(job="retirement_sweep", window_start=window, batches=1)

    assert sweep_claim(job="retirement_sweep", window_start=window + HOUR, batches=1)
    assert sweep_claim(job="shadow_deployment_sweep", window_start=window, batches=1)
    assert SweepClaim.objects.count() == 3


@pytest.mark.django_db
def test_claims_older_than_the_retention_are_dropped_for_that_job():
    window = datetime.datetime(2026, 11, 27, 10, tzinfo=UTC)
    old = window - CLAIMS_KEPT_FOR - HOUR
    sweep_claim(job="retirement_sweep", window_start=old, batches=1)
    sweep_claim(job="grace_period_sweep", window_start=old, batches=1)
    sweep_claim(job="retirement_sweep", window_start=window - CLAIMS_KEPT_FOR, batches=1)

    sweep_claim(job="retirement_sweep", window_start=window, batches=1)

    kept = set(SweepClaim.objects.values_list("job", "window_start"))
    assert kept == {
        ("grace_period_sweep", old),
        ("retirement_sweep", window - CLAIMS_KEPT_FOR),
        ("retirement_sweep", window),
    }
