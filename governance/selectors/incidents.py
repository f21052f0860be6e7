"""Reads of the serious-incident register (EU AI Act Art. 73): a version's register page,
one incident, the dashboard's overdue and due-soon incidents, and the system's reads for
the daily reminders (services.incident_reminders)."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Window
from django.http import Http404
from django.utils import timezone

from governance import policies
from governance.incident_rules import DeadlineState, deadline_state
from governance.models import IncidentStatus, ModelVersion, Notification, SeriousIncident
from governance.selectors import User, _visible, version_get_for

DASHBOARD_LIMIT = 20
DASHBOARD_COLUMNS = (
    "severity",
    "aware_at",
    "report_deadline",
    "status",
    "version__version",
    "version__model__name",
)


def incidents_visible_to(user: User) -> QuerySet[SeriousIncident]:
    return _visible(SeriousIncident.objects.all(), user, "version__model__")


def due_soon_days() -> int:
    return settings.TUTELA_INCIDENT_DUE_SOON_DAYS


@dataclass(frozen=True)
class IncidentRow:
    """An incident with where its deadline stands (None once it was reported)."""

    incident: SeriousIncident
    deadline: DeadlineState | None


def _row(incident: SeriousIncident, today: date) -> IncidentRow:
    if incident.status != IncidentStatus.OPEN:
        return IncidentRow(incident, None)
    return IncidentRow(incident, deadline_state(incident.report_deadline, today, due_soon_days()))


@dataclass(frozen=True)
class IncidentRegister:
    """A version's incidents, newest awareness first, and what the person may do."""

    version: ModelVersion
    rows: list[IncidentRow]
    can_record: bool
    can_suspend: bool  # the record form offers "suspend" (the service re-checks)


def version_incidents(version: ModelVersion) -> list[SeriousIncident]:
    """A version's incidents, newest awareness first, with the people they name (one query)."""
    incidents = SeriousIncident.objects.filter(version=version).select_related("reported_by")
    found = list(incidents.order_by("-aware_at", "-pk"))
    for incident in found:
        incident.version = version
    return found


def incident_register_for(*, user: User, name: str, version: str) -> IncidentRegister:
    """Not visible: 404 (version_get_for). Two queries, the person's roles, and one more
    for a production version the person may suspend (its current approval)."""
    found = version_get_for(user=user, name=name, version=version)
    today = timezone.localdate()
    can_record = policies.can(policies.require_can_record_incident, user, found)
    return IncidentRegister(
        version=found,
        rows=[_row(incident, today) for incident in version_incidents(found)],
        can_record=can_record,
        can_suspend=can_record
        and policies.can(policies.require_can_suspend_for_incident, user, found),
    )


def incident_get_for(*, user: User, name: str, version: str, pk: int) -> IncidentRow:
    """One incident of a visible version (404 otherwise), with its deadline state."""
    found = version_get_for(user=user, name=name, version=version)
    incident = (
        SeriousIncident.objects.filter(version=found, pk=pk)
        .select_related("reported_by", "revoked_request")
        .first()
    )
    if incident is None:
        raise Http404("No such incident, or you may not see it.")
    incident.version = found
    return _row(incident, timezone.localdate())


def incident_require_visible(*, user: User, pk: int) -> None:
    """404 unless the person may see the incident: the check before a write on it, whose
    service loads and locks it (403 is the policy's answer, after this)."""
    if not incidents_visible_to(user).filter(pk=pk).exists():
        raise Http404("No such incident, or you may not see it.")


# --- the dashboard ---------------------------------------------------------------------


@dataclass(frozen=True)
class IncidentDeadlines:
    """Open incidents overdue or due soon: the first rows (earliest deadline first), how
    many there are in all, and how many of them are overdue."""

    rows: list[IncidentRow]
    total: int
    overdue: int
    due_soon_days: int

    @property
    def more(self) -> int:
        return self.total - len(self.rows)


def _needing_report(queryset: QuerySet[SeriousIncident], today: date) -> QuerySet:
    """Open incidents whose deadline is due soon or past (the incident_deadline_idx range)."""
    horizon = today + timedelta(days=due_soon_days())
    return queryset.filter(status=IncidentStatus.OPEN, report_deadline__lte=horizon)


def incident_deadlines_for(*, user: User, today: date) -> IncidentDeadlines:
    """One query, whatever the number of incidents: the totals ride on every row (window
    counts, computed before the LIMIT)."""
    incidents = (
        _needing_report(incidents_visible_to(user), today)
        .select_related("version__model")
        .only(*DASHBOARD_COLUMNS)
        .annotate(
            block_total=Window(Count("pk")),
            block_overdue=Window(Count("pk", filter=Q(report_deadline__lt=today))),
        )
        .order_by("report_deadline", "pk")
    )
    found = list(incidents[:DASHBOARD_LIMIT])
    if not found:
        return IncidentDeadlines([], 0, 0, due_soon_days())
    rows = [_row(incident, today) for incident in found]
    totals = found[0].block_total, found[0].block_overdue
    return IncidentDeadlines(rows, *totals, due_soon_days())


# --- the daily reminders (system reads, no user scoping) -------------------------------


def incident_reminder_ids(*, today: date, model_name: str | None = None) -> list[int]:
    """Open incidents whose reporting deadline is due soon or past, by id."""
    incidents = _needing_report(SeriousIncident.objects.order_by("pk"), today)
    if model_name:
        incidents = incidents.filter(version__model__name=model_name)
    return list(incidents.values_list("pk", flat=True))


def incidents_to_remind(incident_ids: list[int], today: date) -> list[SeriousIncident]:
    """The incidents among ids that still need a reminder, with their version and model
    (one query)."""
    incidents = _needing_report(SeriousIncident.objects.filter(pk__in=incident_ids), today)
    columns = ("severity", "aware_at", "report_deadline", "status", "version__version")
    model_columns = ("version__model__name", "version__model__team", "version__model__owner")
    return list(
        incidents.select_related("version__model").only(*columns, *model_columns).order_by("pk")
    )


def reminded_incident_ids(incident_ids: list[int], key: str) -> set[tuple[int, int]]:
    """(recipient, incident) pairs already notified with key (the day's reminder)."""
    sent = Notification.objects.filter(incident_id__in=incident_ids, key=key)
    return set(sent.values_list("recipient_id", "incident_id"))
