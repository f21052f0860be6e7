"""The review schedule of production versions: a risk officer records a review, and the
daily sweep reminds people of overdue ones."""

from datetime import UTC, datetime

from django.db import transaction
from django.utils import timezone

from governance import audit, policies
from governance.actors import RETIREMENT, Actor
from governance.models import AlertRule, AuditEventType, ModelVersion, Role
from governance.retirement_rules import review_overdue_firing
from governance.selectors.retirement import (
    REVIEW_COLUMNS,
    open_alerts_of,
    reminded_alert_ids,
    versions_of,
)
from governance.services.alerts import SPEAKS, alert_change, alert_sync, alerts_write, fingerprint
from governance.services.common import lock_version, save_governed
from governance.services.notifications import Notice, notify
from governance.services.retirement_plans import Finding, Plan, message, sweep

RULE = AlertRule.REVIEW_OVERDUE
DONE = "reviewed, or no longer in production"
REVIEWERS = frozenset({Role.ML_LEAD, Role.RISK_OFFICER})  # reminders reach who can review


@transaction.atomic
def version_mark_reviewed(*, actor: Actor, version_id: int) -> ModelVersion:
    """A risk officer has reviewed a production version: its next review moves one schedule
    period on (policies.next_review_due) and an overdue-review alert is resolved."""
    version = lock_version(version_id)
    policies.require_can_mark_reviewed(actor, version)
    version.last_reviewed_at = timezone.now()
    version.next_review_at = policies.next_review_due(
        version.review_schedule, version.last_reviewed_at
    )
    fields = ["last_reviewed_at", "next_review_at"]
    save_governed(version, actor=actor, reason="reviewed", update_fields=fields)
    audit.record(
        event_type=AuditEventType.REVIEWED,
        actor=actor,
        model=version.model,
        version=version,
        details={
            "version": version.version,
            "review_schedule": version.review_schedule,
            "next_review_at": version.next_review_at.isoformat(),
        },
    )
    alert_sync(version, RULE, None, actor=actor, resolution="reviewed")
    return version


def _plans(version_ids: list[int], now: datetime, lock: bool) -> list[Plan]:
    versions = versions_of(version_ids, REVIEW_COLUMNS, lock=lock)
    alerts = open_alerts_of([version.pk for version in versions], (RULE,), lock=lock)
    reminded = reminded_alert_ids([a.pk for a in alerts.values()], now.astimezone(UTC).date())
    plans = []
    for version in versions:
        alert = alerts.get((version.pk, RULE))
        change = alert_change(version, RULE, review_overdue_firing(version, now), alert)
        change.resolution = DONE
        already = alert is not None and alert.pk in reminded and change.action not in SPEAKS
        remind = change.firing is not None and not change.quiet and not already
        plans.append(Plan(version, [change], remind=remind))
    return plans


def _apply(plans: list[Plan], now: datetime) -> None:
    alerts_write([change for plan in plans for change in plan.changes], actor=RETIREMENT)
    day = now.astimezone(UTC).date().isoformat()
    notices = [
        Notice(c.alert, f"{fingerprint(c.firing.key)}@{day}", message(c, " Please review it."))
        for plan in plans
        if plan.remind
        for c in plan.changes
    ]
    notify(notices, roles=REVIEWERS)


def review_reminders_send(
    *, version_ids: list[int], now: datetime | None = None, dry_run: bool = False
) -> list[Finding]:
    """An overdue review opens a review_overdue alert and reminds the owner, the team's leads
    and risk officers at most once a UTC day while it is open (acknowledged: quiet); the
    alert resolves once the version is reviewed or leaves production."""
    now = now or timezone.now()
    return sweep(_plans, _apply, version_ids, now, dry_run)
