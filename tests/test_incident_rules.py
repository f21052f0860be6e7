"""The reporting deadline of a serious incident per class (EU AI Act Art. 73 as Tutela reads
it: 2, 10 or 15 days after awareness), tested at its boundaries, and where it stands."""

import datetime

import pytest

from governance.incident_rules import (
    DUE_SOON,
    ON_TRACK,
    OVERDUE,
    deadline_state,
    report_deadline,
)
from governance.models import IncidentSeverity

AWARE = datetime.date(2026, 3, 1)


@pytest.mark.parametrize(
    ("severity", "last_day_in_time"),
    [
        ("critical_infrastructure", datetime.date(2026, 3, 3)),  # Art. 73(3): 2 days
        ("widespread_infringement", datetime.date(2026, 3, 3)),  # Art. 73(3): 2 days
        ("death", datetime.date(2026, 3, 11)),  # Art. 73(4): 10 days
        ("serious_harm_to_health", datetime.date(2026, 3, 16)),  # Art. 73(2): 15 days
        ("other", datetime.date(2026, 3, 16)),  # Art. 73(2): 15 days
    ],
)
def test_each_class_gets_its_article_73_deadline(severity, last_day_in_time):
    deadline = report_deadline(severity, AWARE)

    assert deadline == last_day_in_time
    assert deadline_state(deadline, last_day_in_time, 2).state == DUE_SOON
    assert deadline_state(deadline, last_day_in_time + datetime.timedelta(days=1), 2).state == (
        OVERDUE
    )


def test_every_class_has_a_deadline():
    assert {report_deadline(s, AWARE) > AWARE for s in IncidentSeverity} == {True}


@pytest.mark.parametrize(
    ("aware", "severity", "deadline"),
    [
        (datetime.date(2026, 12, 30), "widespread_infringement", datetime.date(2027, 1, 1)),
        (datetime.date(2028, 2, 27), "critical_infrastructure", datetime.date(2028, 2, 29)),
        (datetime.date(2027, 2, 27), "critical_infrastructure", datetime.date(2027, 3, 1)),
        (datetime.date(2026, 2, 20), "death", datetime.date(2026, 3, 2)),
    ],
)
def test_deadlines_run_across_month_year_and_leap_day(aware, severity, deadline):
    assert report_deadline(severity, aware) == deadline


def test_an_unknown_class_has_no_deadline():
    with pytest.raises(ValueError):
        report_deadline("minor", AWARE)


DEADLINE = datetime.date(2026, 3, 16)


@pytest.mark.parametrize(
    ("today", "state", "days_left", "message"),
    [
        (datetime.date(2026, 3, 13), ON_TRACK, 3, "due in 3 days"),
        (datetime.date(2026, 3, 14), DUE_SOON, 2, "due in 2 days"),
        (datetime.date(2026, 3, 15), DUE_SOON, 1, "due in 1 day"),
        (datetime.date(2026, 3, 16), DUE_SOON, 0, "due today"),
        (datetime.date(2026, 3, 17), OVERDUE, -1, "overdue by 1 day"),
        (datetime.date(2026, 4, 16), OVERDUE, -31, "overdue by 31 days"),
    ],
)
def test_deadline_state_around_the_due_soon_window(today, state, days_left, message):
    found = deadline_state(DEADLINE, today, 2)

    assert (found.state, found.days_left, found.message) == (state, days_left, message)


def test_with_no_due_soon_window_only_the_deadline_day_is_due_soon():
    assert deadline_state(DEADLINE, datetime.date(2026, 3, 15), 0).state == ON_TRACK
    assert deadline_state(DEADLINE, DEADLINE, 0).state == DUE_SOON
