"""The retirement engine's four sweeps, each on a batch of ids, acting as system:retirement
(governance.tasks and the evaluate_retirement command call them). Each is safe to run twice
and concurrently, and plans without writing in a dry run (services.retirement_plans).

Here: the retirement criteria and the grace period. The review reminders and the shadow
check live next to what they share (services.review_schedule, services.shadows)."""

from datetime import UTC, datetime, timedelta

from django.utils import timezone

from governance import audit, policies
from governance.actors import RETIREMENT
from governance.models import AlertRule, AuditEventType, Stage
from governance.retirement_rules import (
    DRIFT_METRIC,
    RETIREMENT_RULES,
    Criteria,
    criteria_of,
    retirement_firings,
)
from governance.selectors.retirement import (
    EVALUATION_COLUMNS,
    GRACE_COLUMNS,
    daily_values,
    latest_values,
    newer_in_production,
    open_alerts_of,
    versions_of,
)
from governance.services.alerts import (
    RESOLVED,
    AlertChange,
    alert_change,
    alerts_write,
    fingerprint,
)
from governance.services.notifications import Notice, notify
from governance.services.retirement_plans import (
    DEPRECATED,
    LEADS,
    RETIRED,
    Finding,
    Plan,
    message,
    speaking_notices,
    sweep,
)
from governance.services.review_schedule import review_reminders_send
from governance.services.shadows import shadow_deployments_check
from governance.services.versions import version_deprecate, version_retire

__all__ = [
    "Finding",
    "grace_period_retire",
    "retirement_evaluate",
    "review_reminders_send",
    "shadow_deployments_check",
]


def _floor_days(criteria: list[Criteria]) -> dict[str, int]:
    """metric -> the most consecutive days any floor of the batch looks at."""
    days: dict[str, int] = {}
    for floor in (floor for each in criteria for floor in each.floors):
        days[floor.metric] = max(days.get(floor.metric, 0), floor.days)
    return days


def _evaluation_plans(version_ids: list[int], now: datetime, lock: bool) -> list[Plan]:
    loaded = versions_of(version_ids, EVALUATION_COLUMNS, lock=lock)
    versions = [version for version in loaded if version.stage == Stage.PRODUCTION]
    if not versions:
        return []
    ids = [version.pk for version in versions]
    criteria = {version.pk: criteria_of(version.retirement_criteria) for version in versions}
    daily = daily_values(ids, _floor_days(list(criteria.values())))
    drift = latest_values(ids, DRIFT_METRIC)
    newer = newer_in_production(versions)
    alerts = open_alerts_of(ids, RETIREMENT_RULES, lock=lock)
    plans = []
    for version in versions:
        firings = retirement_firings(
            criteria[version.pk],
            training_date=version.training_date,
            daily=daily.get(version.pk, {}),
            drift=drift.get(version.pk),
            newer=newer[version.pk],
            today=now.astimezone(UTC).date(),
        )
        changes = [
            alert_change(version, rule, firing, alerts.get((version.pk, rule)))
            for rule, firing in firings.items()
        ]
        plans.append(_with_deprecation(Plan(version, changes)))
    return plans


# A newer version serving production was not approved there (an approval would have
# deprecated this one): it must not take the approved version out of service by itself,
# so the replacement rule alerts and a person decides.
ALERT_ONLY_RULES = frozenset({AlertRule.REPLACEMENT})


def _with_deprecation(plan: Plan) -> Plan:
    """The model's policy deprecates a production version with a firing rule, unless each
    firing rule's alert was acknowledged and is unchanged: a person has decided to keep it."""
    speaking = [
        c
        for c in plan.changes
        if c.firing is not None and not c.quiet and c.firing.rule not in ALERT_ONLY_RULES
    ]
    if plan.version.model.auto_deprecate and speaking:
        plan.move = DEPRECATED
        plan.move_reasons = [r for c in plan.changes if c.firing for r in c.firing.reasons]
    return plan


def _deprecation_notices(plan: Plan, now: datetime) -> list[Notice]:
    ends = now + timedelta(days=plan.version.model.grace_period_days)
    tail = f" Deprecated automatically; it can be rolled back until {ends:%Y-%m-%d}."
    return [
        Notice(c.alert, f"{fingerprint(c.firing.key)}:{DEPRECATED}", message(c, tail))
        for c in plan.changes
        if c.firing
    ]


def _deprecate(plan: Plan) -> None:
    version, fired = plan.version, [c for c in plan.changes if c.firing]
    audit.record(
        event_type=AuditEventType.RETIREMENT_TRIGGERED,
        actor=RETIREMENT,
        model=version.model,
        version=version,
        details={
            "version": version.version,
            "action": "deprecate",
            "alerts": {change.rule: change.alert.pk for change in fired},
        },
    )
    reason = f"retirement rules fired: {', '.join(change.rule for change in fired)}"
    version_deprecate(actor=RETIREMENT, version_id=version.pk, reason=reason)


def _apply_evaluation(plans: list[Plan], now: datetime) -> None:
    alerts_write([change for plan in plans for change in plan.changes], actor=RETIREMENT)
    notices = []
    for plan in plans:
        if plan.move:
            _deprecate(plan)
            notices += _deprecation_notices(plan, now)
        else:
            notices += speaking_notices(
                plan.changes, " The model's policy leaves the decision to a person."
            )
    notify(notices, roles=LEADS)


def retirement_evaluate(
    *, version_ids: list[int], now: datetime | None = None, dry_run: bool = False
) -> list[Finding]:
    """Rules max_age, metric_floor, drift_ceiling and replacement on production versions:
    one open alert per firing (version, rule), resolved when it stops firing; where the
    model's policy says so the version is deprecated; the owner and team leads are told."""
    now = now or timezone.now()
    return sweep(_evaluation_plans, _apply_evaluation, version_ids, now, dry_run)


def _grace_plans(version_ids: list[int], now: datetime, lock: bool) -> list[Plan]:
    versions = versions_of(version_ids, GRACE_COLUMNS, lock=lock)
    expired = [
        version
        for version in versions
        if version.stage == Stage.DEPRECATED and policies.grace_period_ends(version) <= now
    ]
    rules = (*RETIREMENT_RULES, AlertRule.REVIEW_OVERDUE)  # shadow alerts outlive retirement
    alerts = open_alerts_of([version.pk for version in expired], rules, lock=lock)
    plans = []
    for version in expired:
        ended = policies.grace_period_ends(version)
        reason = {
            "message": f"Deprecated on {version.stage_changed_at:%Y-%m-%d}; its "
            f"{version.model.grace_period_days}-day grace period ended on {ended:%Y-%m-%d}.",
            "deprecated_at": version.stage_changed_at.isoformat(),
            "grace_period_ends": ended.isoformat(),
        }
        changes = [
            AlertChange(version, rule, None, alert, RESOLVED, "the version was retired")
            for (version_id, rule), alert in alerts.items()
            if version_id == version.pk
        ]
        plans.append(Plan(version, changes, move=RETIRED, move_reasons=[reason]))
    return plans


def _apply_grace(plans: list[Plan], now: datetime) -> None:
    for plan in plans:
        reason = plan.move_reasons[0]["message"]
        version_retire(actor=RETIREMENT, version_id=plan.version.pk, reason=reason)
    alerts_write([change for plan in plans for change in plan.changes], actor=RETIREMENT)


def grace_period_retire(
    *, version_ids: list[int], now: datetime | None = None, dry_run: bool = False
) -> list[Finding]:
    """Retire deprecated versions whose grace period (the model's policy) has ended, and
    resolve their rule and review alerts. A version rolled back within the period is in
    production again: it is left alone."""
    now = now or timezone.now()
    return sweep(_grace_plans, _apply_grace, version_ids, now, dry_run)
