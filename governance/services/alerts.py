"""Retirement alerts: one open alert per (version, rule), brought in line with what the rule
says now (alert_change plans, alerts_write applies), and acknowledged by people."""

import hashlib
from dataclasses import dataclass
from datetime import datetime

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
from governance.retirement_rules import Firing
from governance.services.common import lock_model

OPENED, UPDATED, REFRESHED, RESOLVED, UNCHANGED = (
    "opened",
    "updated",
    "refreshed",
    "resolved",
    "unchanged",
)
SPEAKS = (OPENED, UPDATED)  # the alert opens (again): audit event, notifications


def fingerprint(key: object) -> str:
    return hashlib.sha256(canonical_json(key).encode()).hexdigest()


@dataclass
class AlertChange:
    """What syncing one (version, rule) with the rule's outcome does to its open alert."""

    version: ModelVersion
    rule: str
    firing: Firing | None
    alert: RetirementAlert | None
    action: str
    resolution: str = "the rule no longer fires"

    @property
    def quiet(self) -> bool:
        """Acknowledged and unchanged: a person has seen it and nothing new happened."""
        return self.action in (UNCHANGED, REFRESHED) and (
            self.alert is not None and self.alert.status == AlertStatus.ACKNOWLEDGED
        )


def alert_change(
    version: ModelVersion, rule: str, firing: Firing | None, alert: RetirementAlert | None
) -> AlertChange:
    """Opened (new), updated (its key changed: it speaks again, even if acknowledged),
    refreshed (same key, new observed values: quietly), resolved, or unchanged."""
    if alert is not None:
        alert.version = version  # the row the sweep loaded: no query when notifying
    if firing is None:
        action = RESOLVED if alert is not None else UNCHANGED
    elif alert is None:
        action = OPENED
    elif alert.fingerprint != fingerprint(firing.key):
        action = UPDATED
    elif canonical_json(alert.reasons) != canonical_json(firing.reasons):
        action = REFRESHED
    else:
        action = UNCHANGED
    return AlertChange(version, rule, firing, alert, action)


def _audit_entry(change: AlertChange, actor: Actor) -> audit.Entry:
    alert = change.alert
    if change.action == RESOLVED:
        event, details = AuditEventType.ALERT_RESOLVED, {"reason": change.resolution}
    else:
        event, details = AuditEventType.ALERT_OPENED, {"reasons": alert.reasons}
    return audit.Entry(
        event_type=event,
        actor=actor,
        model=change.version.model,
        version=change.version,
        details={"alert": alert.pk, "rule": change.rule, **details},
    )


def _prepare(change: AlertChange, now: datetime) -> None:
    alert = change.alert or RetirementAlert(version=change.version, rule=change.rule)
    if change.action == RESOLVED:
        alert.status, alert.resolved_at = AlertStatus.RESOLVED, now
    else:
        alert.reasons, alert.fingerprint = change.firing.reasons, fingerprint(change.firing.key)
    if change.action == UPDATED:
        # Open again: the earlier acknowledgement (kept in the audit trail) no longer holds.
        alert.status, alert.acknowledged_by, alert.acknowledged_at = AlertStatus.OPEN, None, None
    alert.updated_at = now
    alert.full_clean(
        exclude=["version", "acknowledged_by"], validate_unique=False, validate_constraints=False
    )
    change.alert = alert


def alerts_write(changes: list[AlertChange], *, actor: Actor) -> None:
    """Apply planned changes; the caller holds the models' locks and re-planned under them.
    Alerts keep no simple-history (the audit trail has them), so they are written in bulk:
    one insert for the new ones, one update per kind of change; each opened, updated or
    resolved alert appends its audit event, all in one append. A batch costs the same
    few queries however many alerts it changes."""
    now = timezone.now()
    changes = [change for change in changes if change.action != UNCHANGED]
    for change in changes:
        _prepare(change, now)
    RetirementAlert.objects.bulk_create([c.alert for c in changes if c.action == OPENED])
    for action, fields in UPDATED_FIELDS.items():
        changed = [c.alert for c in changes if c.action == action]
        if changed:
            RetirementAlert.objects.bulk_update(changed, [*fields, "updated_at"])
    audit.record_many([_audit_entry(c, actor) for c in changes if c.action != REFRESHED])


UPDATED_FIELDS = {
    UPDATED: ["reasons", "fingerprint", "status", "acknowledged_by", "acknowledged_at"],
    REFRESHED: ["reasons"],
    RESOLVED: ["status", "resolved_at"],
}


def alert_sync(
    version: ModelVersion,
    rule: str,
    firing: Firing | None,
    *,
    actor: Actor,
    resolution: str = "the rule no longer fires",
) -> AlertChange:
    """Bring one (version, rule) alert in line with the rule's outcome, now. The caller holds
    the model lock."""
    current = (
        RetirementAlert.objects.select_for_update()
        .filter(version=version, rule=rule, status__in=OPEN_ALERT_STATUSES)
        .first()
    )
    change = alert_change(version, rule, firing, current)
    change.resolution = resolution
    alerts_write([change], actor=actor)
    return change


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
