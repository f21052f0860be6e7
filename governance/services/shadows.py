"""Shadow models: active deployments of versions not approved for their environment, or of
deprecated and retired versions (policies.is_approved_for). One check, retirement_rules.
shadow_firing, used by the scheduled sweep and by deployment_record."""

from datetime import datetime

from django.utils import timezone

from governance.actors import RETIREMENT, Actor
from governance.models import AlertRule, ModelVersion
from governance.retirement_rules import shadow_firing
from governance.selectors.retirement import (
    active_deployments_of,
    deployment_version_ids,
    open_alerts_of,
    versions_of,
)
from governance.services.alerts import AlertChange, alert_change, alert_sync, alerts_write
from governance.services.notifications import notify
from governance.services.retirement_plans import LEADS, Finding, Plan, speaking_notices, sweep

RULE = AlertRule.SHADOW_DEPLOYMENT
GONE = "no active deployment is a shadow any more"


def _plans(version_ids: list[int], now: datetime, lock: bool) -> list[Plan]:
    versions = versions_of(version_ids, lock=lock)
    ids = [version.pk for version in versions]
    active = active_deployments_of(ids)
    alerts = open_alerts_of(ids, (RULE,), lock=lock)
    plans = []
    for version in versions:
        firing = shadow_firing(version, active[version.pk])
        change = alert_change(version, RULE, firing, alerts.get((version.pk, RULE)))
        change.resolution = GONE
        plans.append(Plan(version, [change]))
    return plans


def _apply(plans: list[Plan], now: datetime) -> None:
    changes = [change for plan in plans for change in plan.changes]
    alerts_write(changes, actor=RETIREMENT)
    notify(speaking_notices(changes), roles=LEADS)


def shadow_deployments_check(
    *, deployment_ids: list[int], now: datetime | None = None, dry_run: bool = False
) -> list[Finding]:
    """Open a shadow alert for each version of these deployments that serves where it is
    not approved; resolve those whose condition is gone. One finding per version."""
    now = now or timezone.now()
    version_ids = deployment_version_ids(deployment_ids)
    return sweep(_plans, _apply, version_ids, now, dry_run)


def shadow_alert_check(version: ModelVersion, *, actor: Actor) -> AlertChange:
    """The same check on one version, now; the caller (deployment_record) holds the model
    lock and acts as the reporter."""
    firing = shadow_firing(version, active_deployments_of([version.pk])[version.pk])
    change = alert_sync(version, RULE, firing, actor=actor, resolution=GONE)
    notify(speaking_notices([change]), roles=LEADS)
    return change
