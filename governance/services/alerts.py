import hashlib

from django.db import transaction
from django.utils import timezone

from governance import audit, policies
from governance.actors import Actor
from governance.cards import canonical_json
from governance.exceptions import DomainError
from governance.models import (
    OPEN_ALERT_STATUSES,
    AlertStatus,
    AuditEventType,
    ModelVersion,
    RetirementAlert,
)
from governance.services.common import lock_model


def _fingerprint(reasons: list[dict]) -> str:
    return hashlib.sha256(canonical_json(reasons).encode()).hexdigest()


def alert_raise(
    version: ModelVersion, *, rule: str, reasons: list[dict], actor: Actor
) -> RetirementAlert:
    """Open one alert per (version, rule), or refresh the open one when its reasons change.

    The caller holds the model lock. An acknowledged alert whose reasons changed opens
    again; one whose reasons are unchanged stays quiet.
    """
    fingerprint = _fingerprint(reasons)
    alert = (
        RetirementAlert.objects.select_for_update()
        .filter(version=version, rule=rule, status__in=OPEN_ALERT_STATUSES)
        .first()
    )
    if alert is not None and alert.fingerprint == fingerprint:
        return alert
    if alert is None:
        alert = RetirementAlert(version=version, rule=rule)
    alert.reasons, alert.fingerprint, alert.status = reasons, fingerprint, AlertStatus.OPEN
    # Open again: the earlier acknowledgement (kept in the audit trail) no longer holds.
    alert.acknowledged_by, alert.acknowledged_at = None, None
    alert.full_clean(validate_unique=False, validate_constraints=False)
    alert.save()
    audit.record(
        event_type=AuditEventType.ALERT_OPENED,
        actor=actor,
        model=version.model,
        version=version,
        details={"alert": alert.pk, "rule": rule, "reasons": reasons},
    )
    return alert


@transaction.atomic
def alert_acknowledge(*, actor: Actor, alert_id: int) -> RetirementAlert:
    """A person has seen the alert; it stays quiet until its reasons change."""
    model_id = RetirementAlert.objects.values_list("version__model_id", flat=True).get(pk=alert_id)
    model = lock_model(model_id)
    alert = RetirementAlert.objects.select_for_update().get(pk=alert_id)
    policies.require_can_acknowledge(actor, model)
    if alert.status != AlertStatus.OPEN:
        raise DomainError(f"This alert is {alert.status}; only open alerts can be acknowledged.")
    alert.status, alert.acknowledged_by = AlertStatus.ACKNOWLEDGED, actor
    alert.acknowledged_at = timezone.now()
    alert.save(update_fields=["status", "acknowledged_by", "acknowledged_at", "updated_at"])
    audit.record(
        event_type=AuditEventType.ALERT_ACKNOWLEDGED,
        actor=actor,
        model=model,
        version=alert.version,
        details={"alert": alert.pk, "rule": alert.rule},
    )
    return alert
