"""The shape every retirement sweep shares (services.retirement): plan, then maybe apply.

A sweep first plans without locks from a fixed number of queries (selectors.retirement)
and writes nothing when nothing changed, so a quiet re-run costs the same few queries per
batch. When something changed it locks the changed versions' models in id order (the
aggregate roots; lock_models), plans them again from what it reads under the locks, and
writes that in one transaction: two sweeps at once serialize on the locks and the second
finds the first's alerts. A dry run plans and writes nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction

from governance.models import AlertRule, ModelVersion, Role
from governance.services.alerts import SPEAKS, UNCHANGED, AlertChange, fingerprint
from governance.services.common import lock_models
from governance.services.notifications import Notice

LEADS = frozenset({Role.ML_LEAD})
REMINDED, DEPRECATED, RETIRED = "reminded", "deprecated", "retired"
DRY_RUN = {
    "opened": "would open",
    "updated": "would update",
    "refreshed": "would refresh",
    "resolved": "would resolve",
    REMINDED: "would remind",
    DEPRECATED: "would deprecate",
    RETIRED: "would retire",
}


@dataclass(frozen=True)
class Finding:
    """One rule on one version after a sweep: did it fire, why, and what the sweep did."""

    version_id: int
    model_name: str
    version: str
    rule: str
    fired: bool
    reasons: list[dict]
    action: str


@dataclass
class Plan:
    """What a sweep does to one version: its alert changes, a reminder, a stage move."""

    version: ModelVersion
    changes: list[AlertChange]
    remind: bool = False
    move: str = ""  # DEPRECATED or RETIRED
    move_reasons: list[dict] = field(default_factory=list)

    @property
    def writes(self) -> bool:
        return bool(self.move or self.remind) or any(c.action != UNCHANGED for c in self.changes)


Planner = Callable[[list[int], datetime, bool], list[Plan]]
Applier = Callable[[list[Plan], datetime], None]


def sweep(
    plan: Planner, apply: Applier, ids: list[int], now: datetime, dry_run: bool
) -> list[Finding]:
    """Plan without locks; when something changes (and it is no dry run), lock the changed
    versions' models, plan those again under the locks and apply, in one transaction."""
    plans = plan(ids, now, False)
    changed = {p.version.pk: p.version.model_id for p in plans if p.writes}
    if dry_run or not changed:
        return findings(plans, dry_run=dry_run)
    with transaction.atomic():
        lock_models(changed.values())
        fresh = {p.version.pk: p for p in plan(list(changed), now, True)}
        apply(list(fresh.values()), now)
    # A version a concurrent sweep changed first is reported as found under the lock.
    final = [fresh.get(p.version.pk) if p.version.pk in changed else p for p in plans]
    return findings([p for p in final if p is not None], dry_run=False)


def _finding(version: ModelVersion, rule: str, reasons: list, action: str, fired: bool) -> Finding:
    return Finding(version.pk, version.model.name, version.version, rule, fired, reasons, action)


def findings(plans: list[Plan], *, dry_run: bool) -> list[Finding]:
    """A finding per rule that fires or changed something (a quiet rule without an alert
    says nothing), and one per stage move."""

    def said(action: str) -> str:
        return DRY_RUN.get(action, action) if dry_run else action

    found = []
    for plan in plans:
        for change in plan.changes:
            fired = change.firing is not None
            if not fired and change.action == UNCHANGED:
                continue
            old = change.alert.reasons if change.alert else []
            reasons = change.firing.reasons if fired else old
            action = REMINDED if plan.remind and change.action == UNCHANGED else change.action
            found.append(_finding(plan.version, change.rule, reasons, said(action), fired))
        if plan.move:
            rule = "+".join(c.rule for c in plan.changes if c.firing) or "grace_period"
            found.append(_finding(plan.version, rule, plan.move_reasons, said(plan.move), True))
    return found


def message(change: AlertChange, tail: str = "") -> str:
    """What people read about a firing alert (notification and e-mail)."""
    reasons = change.firing.reasons
    more = f" (and {len(reasons) - 1} more)" if len(reasons) > 1 else ""
    label = AlertRule(change.rule).label
    return f"{change.version}: {label}. {reasons[0]['message']}{more}{tail}"


def speaking_notices(changes: list[AlertChange], tail: str = "") -> list[Notice]:
    """A notice for each alert that opened or whose reasons' key changed."""
    return [
        Notice(change.alert, fingerprint(change.firing.key), message(change, tail))
        for change in changes
        if change.action in SPEAKS
    ]
