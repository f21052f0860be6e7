"""The serious-incident register (EU AI Act Art. 73): record an incident of a version (and,
if the reporter chooses, suspend the version through the revoke path), report it to the
authority, keep its corrective action current, close it. Product guidance, not legal
advice: the deadlines are Tutela's reading of Art. 73 (governance.incident_rules)."""

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date

from governance import audit, policies
from governance.actors import Actor
from governance.incident_rules import report_deadline
from governance.models import (
    ApprovalRequest,
    AuditEventType,
    IncidentSeverity,
    IncidentStatus,
    ModelVersion,
    SeriousIncident,
)
from governance.models.incidents import (
    CORRECTIVE_ACTION_LIMIT,
    DESCRIPTION_LIMIT,
    REFERENCE_LIMIT,
)
from governance.services.approvals import approval_revoke
from governance.services.common import lock_version, save_governed
from governance.validators import validate_single_line, validate_text


def _date(value: Any) -> date:
    """A day from outside: a date or ISO 8601 text (YYYY-MM-DD), never a moment."""
    if isinstance(value, str):
        try:
            value = parse_date(value.strip())
        except ValueError:  # well-formed but impossible, e.g. 2026-02-30
            value = None
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ValidationError("Give a date as YYYY-MM-DD.")
    return value


def _day_not_after(value: Any, latest: date, too_late: str) -> date:
    day = _date(value)
    if day > latest:
        raise ValidationError(too_late)
    return day


def _text(value: Any, limit: int, *, required: str = "", line: bool = False) -> str:
    """Free text within its limit; with required, the message for a blank one."""
    if not isinstance(value, str):
        raise ValidationError("Expected text.")
    if required and not value.strip():
        raise ValidationError(required)
    (validate_single_line if line else validate_text)(value)
    MaxLengthValidator(limit)(value)
    return value


def _collect(checks: dict[str, Any]) -> dict[str, Any]:
    """Run each field's check (a callable); every problem at once, by field."""
    values, errors = {}, {}
    for field, check in checks.items():
        try:
            values[field] = check()
        except ValidationError as error:
            errors[field] = error.messages
    if errors:
        raise ValidationError(errors)
    return values


def _record_fields(
    *, description: Any, aware_at: Any, severity: Any, occurred_at: Any, corrective_action: Any
) -> dict[str, Any]:
    today = timezone.localdate()
    fields = _collect(
        {
            "description": lambda: _text(
                description, DESCRIPTION_LIMIT, required="Describe what happened."
            ),
            "aware_at": lambda: _day_not_after(
                aware_at, today, "The date of awareness cannot be in the future."
            ),
            "severity": lambda: _severity(severity),
            "occurred_at": lambda: (
                None
                if occurred_at in (None, "")
                else _day_not_after(occurred_at, today, "It cannot have occurred in the future.")
            ),
            "corrective_action": lambda: _text(corrective_action, CORRECTIVE_ACTION_LIMIT),
        }
    )
    if fields["occurred_at"] is not None and fields["occurred_at"] > fields["aware_at"]:
        raise ValidationError(
            {"occurred_at": "It cannot have occurred after you became aware of it."}
        )
    return fields


def _severity(value: Any) -> str:
    if isinstance(value, str) and value in IncidentSeverity.values:
        return value
    raise ValidationError(f"Choose one of: {', '.join(IncidentSeverity.values)}.")


def _details(incident: SeriousIncident, **extra: Any) -> dict[str, Any]:
    """What every incident event says: which incident, its class and its clock."""
    return {
        "incident": incident.pk,
        "version": incident.version.version,
        "severity": incident.severity,
        "aware_at": incident.aware_at.isoformat(),
        "report_deadline": incident.report_deadline.isoformat(),
        "status": incident.status,
        **extra,
    }


@transaction.atomic
def incident_record(
    *,
    actor: Actor,
    version_id: int,
    description: str,
    aware_at: date | str,
    severity: str,
    occurred_at: date | str | None = None,
    corrective_action: str = "",
    suspend: bool = False,
) -> SeriousIncident:
    """Record a serious incident of a version with the reporting deadline its class gives.
    With suspend, the version leaves production in this transaction by the revocation of
    the approval that put it there; a person who may not revoke is refused altogether."""
    version = lock_version(version_id)
    policies.require_can_record_incident(actor, version)
    if not isinstance(suspend, bool):
        raise ValidationError({"suspend": "Answer true or false."})
    approval = policies.require_can_suspend_for_incident(actor, version) if suspend else None
    fields = _record_fields(
        description=description,
        aware_at=aware_at,
        severity=severity,
        occurred_at=occurred_at,
        corrective_action=corrective_action,
    )
    incident = SeriousIncident(
        version=version,
        reported_by=actor,
        report_deadline=report_deadline(fields["severity"], fields["aware_at"]),
        revoked_request=approval,
        **fields,
    )
    save_governed(incident, actor=actor, reason="recorded")
    _record_event(
        incident,
        AuditEventType.INCIDENT_RECORDED,
        actor,
        occurred_at=incident.occurred_at.isoformat() if incident.occurred_at else None,
        suspended=approval is not None,
        revoked_request=approval.pk if approval else None,
    )
    if approval is not None:
        _suspend(incident, approval, actor)
    return incident


def _suspend(incident: SeriousIncident, approval: ApprovalRequest, actor: Actor) -> None:
    """The revoke path: the approval that put the version in production is withdrawn and
    the version leaves production (approval_revoke re-checks the policy on its locks)."""
    reason = f"Suspended on serious incident #{incident.pk} ({incident.get_severity_display()})."
    incident.version = approval_revoke(actor=actor, request_id=approval.pk, reason=reason).version


def _lock_incident(incident_id: int) -> SeriousIncident:
    """Lock the model, the version, then the incident (services.common.lock_model's order)."""
    its_version = SeriousIncident.objects.filter(pk=incident_id).values("version_id")[:1]
    try:
        version = lock_version(its_version)
    except ModelVersion.DoesNotExist:
        raise SeriousIncident.DoesNotExist(f"No serious incident #{incident_id}.") from None
    incident = (
        SeriousIncident.objects.select_related("reported_by")
        .select_for_update(of=("self",))
        .get(pk=incident_id)
    )
    incident.version = version
    return incident


@transaction.atomic
def incident_report_to_authority(
    *, actor: Actor, incident_id: int, reported_at: date | str, reference: str
) -> SeriousIncident:
    """Record that an open incident was reported to the market surveillance authority, on
    which day and under which reference; a report after the deadline is recorded as late."""
    incident = _lock_incident(incident_id)
    policies.require_can_report_incident(actor, incident)
    today, aware = timezone.localdate(), incident.aware_at
    fields = _collect(
        {
            "reported_at": lambda: _day_not_after(
                reported_at, today, "The report cannot be dated in the future."
            ),
            "reference": lambda: _text(
                reference, REFERENCE_LIMIT, required="Give the authority's reference.", line=True
            ),
        }
    )
    if fields["reported_at"] < aware:
        raise ValidationError(
            {"reported_at": f"The report cannot predate the date of awareness ({aware})."}
        )
    incident.status = IncidentStatus.REPORTED
    incident.reported_at, incident.authority_reference = fields["reported_at"], fields["reference"]
    changed = ["status", "reported_at", "authority_reference"]
    save_governed(incident, actor=actor, reason="reported", update_fields=changed)
    late = (incident.reported_at - incident.report_deadline).days
    _record_event(
        incident,
        AuditEventType.INCIDENT_REPORTED,
        actor,
        reported_at=incident.reported_at.isoformat(),
        reference=incident.authority_reference,
        days_late=max(late, 0),
    )
    return incident


def _record_event(
    incident: SeriousIncident, event_type: AuditEventType, actor: Actor, **extra: Any
) -> None:
    version = incident.version
    audit.record(
        event_type=event_type,
        actor=actor,
        model=version.model,
        version=version,
        details=_details(incident, **extra),
    )


def _corrective_action(value: Any) -> str:
    return _collect(
        {
            "corrective_action": lambda: _text(
                value,
                CORRECTIVE_ACTION_LIMIT,
                required="Say what was done to correct it (Art. 20).",
            )
        }
    )["corrective_action"]


@transaction.atomic
def incident_close(*, actor: Actor, incident_id: int, corrective_action: str) -> SeriousIncident:
    """Close an incident reported to the authority, with the corrective action taken."""
    incident = _lock_incident(incident_id)
    policies.require_can_close_incident(actor, incident)
    incident.corrective_action = _corrective_action(corrective_action)
    incident.status, incident.closed_at = IncidentStatus.CLOSED, timezone.now()
    changed = ["status", "closed_at", "corrective_action"]
    save_governed(incident, actor=actor, reason="closed", update_fields=changed)
    _record_event(
        incident, AuditEventType.INCIDENT_CLOSED, actor, corrective_action=corrective_action
    )
    return incident


@transaction.atomic
def incident_update_corrective_action(
    *, actor: Actor, incident_id: int, corrective_action: str
) -> SeriousIncident:
    """Keep the corrective action of an open or reported incident current (Art. 20)."""
    incident = _lock_incident(incident_id)
    policies.require_can_update_corrective_action(actor, incident)
    incident.corrective_action = _corrective_action(corrective_action)
    fields = ["corrective_action"]
    save_governed(incident, actor=actor, reason="corrective action", update_fields=fields)
    _record_event(
        incident, AuditEventType.INCIDENT_UPDATED, actor, corrective_action=corrective_action
    )
    return incident
