"""The daily reminders of serious incidents (EU AI Act Art. 73) that must still be reported
to the authority: an open incident whose reporting deadline is due soon
(TUTELA_INCIDENT_DUE_SOON_DAYS) or past reminds the model's owner and the ML leads and risk
officers of its team (or of the model) once a day, in the app and by e-mail. Run by the
daily review-reminder sweep (governance.tasks) and the evaluate_retirement command."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from governance import policies
from governance.incident_rules import DeadlineState, deadline_state
from governance.models import Notification, SeriousIncident
from governance.selectors.incidents import (
    due_soon_days,
    incidents_to_remind,
    reminded_incident_ids,
)
from governance.selectors.retirement import Recipient, alert_recipients
from governance.services.common import lock_models
from governance.services.notifications import email_on_commit
from governance.services.retirement_plans import DRY_RUN, REMINDED, Finding

RULE = "incident_deadline"
UNCHANGED = "unchanged"


@dataclass(frozen=True)
class Reminder:
    """What the day's reminder of one incident adds: a notification per person not yet
    reminded today (none: it was sent already)."""

    incident: SeriousIncident
    state: DeadlineState
    message: str
    link: str
    recipients: list[Recipient]


def reminder_key(today: date) -> str:
    """One reminder per (person, incident) and day: the day is part of the unique key."""
    return f"deadline@{today.isoformat()}"


def _message(incident: SeriousIncident, state: DeadlineState) -> str:
    return (
        f"{incident.version}: serious incident #{incident.pk} "
        f"({incident.get_severity_display()}) must be reported to the authority by "
        f"{incident.report_deadline:%Y-%m-%d} (Art. 73): {state.message}."
    )


def _plan(incident_ids: list[int], today: date) -> list[Reminder]:
    """Four queries, whatever the number of incidents."""
    incidents = incidents_to_remind(incident_ids, today)
    if not incidents:
        return []
    models = {incident.version.model_id: incident.version.model for incident in incidents}
    people = alert_recipients(list(models.values()), policies.INCIDENT_REMINDED_ROLES)
    sent = reminded_incident_ids([incident.pk for incident in incidents], reminder_key(today))
    reminders = []
    for incident in incidents:
        version = incident.version
        state = deadline_state(incident.report_deadline, today, due_soon_days())
        link = reverse(
            "governance:incident-detail", args=[version.model.name, version.version, incident.pk]
        )
        todo = [p for p in people[version.model_id] if (p.user_id, incident.pk) not in sent]
        reminders.append(Reminder(incident, state, _message(incident, state), link, todo))
    return reminders


def _apply(reminders: list[Reminder], today: date) -> None:
    rows, emails = [], {}
    for reminder in reminders:
        for person in reminder.recipients:
            rows.append(
                Notification(
                    recipient_id=person.user_id,
                    incident=reminder.incident,
                    key=reminder_key(today),
                    message=reminder.message,
                    link=reminder.link,
                )
            )
            if person.email:
                emails.setdefault(person.email, []).append((reminder.message, reminder.link))
    # Notifications are not governed records (no history, no audit event).
    Notification.objects.bulk_create(rows)
    email_on_commit(emails, many="serious incidents to report")


def _findings(reminders: list[Reminder], *, dry_run: bool) -> list[Finding]:
    found = []
    for reminder in reminders:
        version = reminder.incident.version
        action = REMINDED if reminder.recipients else UNCHANGED
        found.append(
            Finding(
                version_id=version.pk,
                model_name=version.model.name,
                version=version.version,
                rule=RULE,
                fired=True,
                reasons=[{"message": reminder.message, "incident": reminder.incident.pk}],
                action=DRY_RUN[action] if dry_run and action == REMINDED else action,
            )
        )
    return found


def incident_reminders_send(
    *, incident_ids: list[int], now: datetime | None = None, dry_run: bool = False
) -> list[Finding]:
    """Remind the people of each open incident due soon or overdue, once a (local) day.
    Plans without locks and writes nothing when everyone was reminded today; otherwise
    locks the incidents' models (in id order, as the retirement sweeps do) and plans again
    under the locks, so two runs at once never remind anyone twice."""
    today = timezone.localdate(now or timezone.now())
    reminders = _plan(incident_ids, today)
    if dry_run or not any(reminder.recipients for reminder in reminders):
        return _findings(reminders, dry_run=dry_run)
    with transaction.atomic():
        lock_models(reminder.incident.version.model_id for reminder in reminders)
        reminders = _plan([reminder.incident.pk for reminder in reminders], today)
        _apply(reminders, today)
    return _findings(reminders, dry_run=False)
