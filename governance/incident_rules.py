"""The reporting deadline of a serious incident and where it stands, as pure functions: no
database, no clock. Product guidance, not legal advice.

EU AI Act (Regulation (EU) 2024/1689) Art. 73, as Tutela reads it (research note
EU-AI-ACT.md, "Art 73 (+ Art 3(49), Art 20)"): the provider reports a serious incident to
the market surveillance authority as soon as it has established a causal link (or its
reasonable likelihood), and at the latest

- 2 days after becoming aware of it for a widespread infringement (Art. 3(61)) or a serious
  and irreversible disruption of critical infrastructure (Art. 3(49)(b)): Art. 73(3);
- 10 days after becoming aware of it for the death of a person: Art. 73(4);
- 15 days after becoming aware of it otherwise (serious harm to a person's health,
  infringement of fundamental-rights obligations, serious harm to property or the
  environment; Art. 3(49)(a), (c), (d)): Art. 73(2).

An initial, incomplete report may be completed later (Art. 73(5)). The deadline is the last
day: an incident aware on 1 March with 2 days is due on 3 March, and overdue from 4 March.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from governance.models.incidents import IncidentSeverity

REPORTING_DAYS = {
    IncidentSeverity.CRITICAL_INFRASTRUCTURE: 2,  # Art. 73(3), Art. 3(49)(b)
    IncidentSeverity.WIDESPREAD_INFRINGEMENT: 2,  # Art. 73(3), Art. 3(61)
    IncidentSeverity.DEATH: 10,  # Art. 73(4)
    IncidentSeverity.HEALTH_HARM: 15,  # Art. 73(2), Art. 3(49)(a)
    IncidentSeverity.OTHER: 15,  # Art. 73(2), Art. 3(49)(c) and (d)
}

OVERDUE, DUE_SOON, ON_TRACK = "overdue", "due_soon", "on_track"


def report_deadline(severity: str, aware_at: date) -> date:
    """The last day to report an incident of this class to the authority."""
    return aware_at + timedelta(days=REPORTING_DAYS[IncidentSeverity(severity)])


@dataclass(frozen=True)
class DeadlineState:
    """Where an open incident's deadline stands on a day."""

    state: str  # OVERDUE, DUE_SOON or ON_TRACK
    days_left: int  # negative when overdue

    @property
    def message(self) -> str:
        if self.state == OVERDUE:
            late = -self.days_left
            return f"overdue by {late} day{'s' if late != 1 else ''}"
        if self.days_left == 0:
            return "due today"
        return f"due in {self.days_left} day{'s' if self.days_left != 1 else ''}"


def deadline_state(deadline: date, today: date, due_soon_days: int) -> DeadlineState:
    """Overdue after the deadline day; due soon from due_soon_days before it to the day
    itself (with 2: on the deadline and the two days before)."""
    days_left = (deadline - today).days
    if days_left < 0:
        return DeadlineState(OVERDUE, days_left)
    return DeadlineState(DUE_SOON if days_left <= due_soon_days else ON_TRACK, days_left)
