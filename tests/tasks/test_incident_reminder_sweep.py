"""The daily review-reminder sweep also dispatches the serious-incident deadline reminders
(services.incident_reminders), claimed apart once a day like every sweep."""

import datetime

import pytest

from governance.models import SweepClaim
from governance.tasks import review_reminder_sweep
from tests.factories import SeriousIncidentFactory
from tests.tasks.conftest import TEN_PAST_TEN

REMIND = "governance.tasks.send_incident_reminders_batch"
THAT_DAY = datetime.datetime(2026, 11, 27, tzinfo=datetime.UTC)


@pytest.fixture
def overdue(version):  # noqa: ANN001, ANN201
    """Aware on 1 November (15 days: due 16 November), overdue on the clock's day."""
    return SeriousIncidentFactory(version=version, aware_at=datetime.date(2026, 11, 1))


@pytest.fixture
def on_track(version):  # noqa: ANN001, ANN201
    """Aware on the clock's day: due 12 December, nothing to remind yet."""
    return SeriousIncidentFactory(version=version, aware_at=datetime.date(2026, 11, 27))


def test_the_daily_sweep_dispatches_the_incidents_to_remind(broker, clock, overdue, on_track):
    assert TEN_PAST_TEN.date() == THAT_DAY.date()

    dispatched = review_reminder_sweep()

    assert dispatched == 1
    assert broker.take() == [(REMIND, [[overdue.pk]])]
    claims = set(SweepClaim.objects.values_list("job", "window_start"))
    assert claims == {("review_reminder_sweep", THAT_DAY), ("incident_reminder_sweep", THAT_DAY)}


def test_a_second_beat_the_same_day_dispatches_nothing(broker, clock, overdue):
    review_reminder_sweep()
    broker.take()

    assert review_reminder_sweep() == 0
    assert broker.take() == []


@pytest.mark.parametrize("batch_size", [1, 500])
def test_incident_ids_are_split_into_batches(broker, clock, version, settings, batch_size):
    settings.TUTELA_SWEEP_BATCH_SIZE = batch_size
    incidents = [
        SeriousIncidentFactory(version=version, aware_at=datetime.date(2026, 11, 1)).pk
        for _ in range(3)
    ]

    review_reminder_sweep()

    taken = sorted(ids for _, [ids] in broker.take())
    assert taken == ([[pk] for pk in incidents] if batch_size == 1 else [incidents])
