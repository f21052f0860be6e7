"""Checks shared by several articles: card fields signed off on the current card, metric
thresholds, monitoring, incidents. Each returns a Finding naming what it looked at."""

from governance.compliance.facts import VersionFacts
from governance.compliance.states import Check, Finding, complete, missing, not_applicable, partial
from governance.models import AlertStatus, IncidentStatus, Stage

EMPTY = ("", None, [], {})
NOT_IN_TUTELA = "not recorded in Tutela: keep it in the technical file"


def outside_tutela(what: str) -> Check:
    """Evidence Tutela has no record of: always missing, and named so people know where
    it belongs."""
    return lambda facts: missing(what, NOT_IN_TUTELA)


def filled(facts: VersionFacts, field: str) -> bool:
    return getattr(facts.version, field) not in EMPTY


def card_looked_at(facts: VersionFacts, *fields: str) -> str:
    noun = "card field" if len(fields) == 1 else "card fields"
    return f"{noun} {', '.join(fields)} (card revision {facts.version.card_revision})"


def signed(facts: VersionFacts, looked_at: str, found: str) -> Finding:
    """Card evidence is complete once a person approved the card as it is now (a live
    approving decision on its hash); before that it is a draft."""
    last = facts.card_signoff
    if last is None:
        return partial(
            looked_at,
            f"{found}, but nobody has approved the card as it is now: a draft until a "
            "staging or production approval",
        )
    return complete(looked_at, f"{found}; card approved as {last.role} on {facts.day(last.last)}")


def card_fields(facts: VersionFacts, *fields: str) -> Finding:
    """Filled and approved: complete; some filled or not approved: partial; none: missing."""
    looked_at = card_looked_at(facts, *fields)
    empty = [field for field in fields if not filled(facts, field)]
    if len(empty) == len(fields):
        return missing(looked_at, f"empty: {', '.join(empty)}")
    if empty:
        return partial(looked_at, f"still empty: {', '.join(empty)}")
    return signed(facts, looked_at, "filled")


def thresholds(facts: VersionFacts) -> Finding:
    """Declared metrics with a retirement floor on at least one of them (pre-defined
    metrics and thresholds, Art. 9(8) and 15(3))."""
    looked_at = card_looked_at(facts, "evaluation_metrics", "retirement_criteria")
    declared = facts.version.evaluation_metrics or {}
    if not declared:
        return missing(looked_at, "no evaluation metric is declared")
    floors = facts.criteria.floors
    tested = [f"{f.metric} ≥ {f.min:g} over {f.days} days" for f in floors if f.metric in declared]
    if not tested:
        names = ", ".join(sorted(declared))
        return partial(looked_at, f"metrics declared ({names}) but no retirement floor on any")
    return signed(facts, looked_at, f"thresholds: {'; '.join(tested)}")


def any_approval(facts: VersionFacts, looked_at: str, found: str, absent: str) -> Finding:
    """Sign-offs exist (on any card of the version): partial at best, since what they prove
    (a process ran) is not the written document the article asks for."""
    if not facts.approvals:
        return missing(looked_at, absent)
    signoffs = sum(a.count for a in facts.approvals)
    return partial(looked_at, f"{signoffs} sign-off(s) recorded; {found}")


def open_alerts(facts: VersionFacts, rules: tuple[str, ...] | None = None) -> list[str]:
    """Rules with an open (unacknowledged) alert, optionally only these rules."""
    return sorted(
        rule
        for (rule, status), count in facts.alerts.items()
        if status == AlertStatus.OPEN and count and (rules is None or rule in rules)
    )


def monitoring(facts: VersionFacts) -> Finding:
    """Observations of every declared metric in operation, the latest within 31 days."""
    looked_at = "monitoring observations"
    if not facts.in_service:
        return not_applicable(looked_at, "not in service yet: nothing to observe")
    if not facts.metrics:
        return missing(looked_at, "no observation recorded (POST …/metrics/)")
    declared = set(facts.version.evaluation_metrics or {})
    unobserved = sorted(declared - set(facts.metrics))
    latest = max(c.last for c in facts.metrics.values())
    age = (facts.now - latest).days
    found = (
        f"{sum(c.count for c in facts.metrics.values())} observations, latest {facts.day(latest)}"
    )
    if unobserved:
        return partial(looked_at, f"{found}; declared but never observed: {', '.join(unobserved)}")
    if age > 31:
        return partial(looked_at, f"{found}: none in the last 31 days")
    return complete(looked_at, found)


def incident_reporting(facts: VersionFacts) -> Finding:
    """No open serious incident past its deadline (a breach: missing), none open or
    reported late (partial), else complete (Art. 73(2)-(4))."""
    looked_at = "serious-incident register"
    open_ = [group for group in facts.incidents if group.status == IncidentStatus.OPEN]
    overdue = [g for g in open_ if g.earliest_deadline < facts.today]
    total = sum(group.count for group in facts.incidents)
    if overdue:
        due = min(g.earliest_deadline for g in overdue)
        return missing(looked_at, f"an open incident was due for reporting on {due}: overdue")
    if open_:
        due = min(g.earliest_deadline for g in open_)
        count = sum(g.count for g in open_)
        return partial(looked_at, f"{count} open incident(s), the next report due {due}")
    late = sum(group.count for group in facts.incidents if group.late)
    if late:
        return partial(looked_at, f"{late} of {total} incident(s) reported after the deadline")
    if total:
        return complete(looked_at, f"{total} incident(s), all reported to the authority in time")
    return complete(looked_at, "no serious incident recorded for this version")


def review(facts: VersionFacts) -> Finding:
    """A production version is reviewed on its schedule (an overdue review is amber)."""
    version = facts.version
    looked_at = "review schedule (next_review_at)"
    if version.stage != Stage.PRODUCTION:
        return not_applicable(looked_at, "reviews on a schedule apply in production")
    if version.next_review_at is None:
        return missing(looked_at, "no review date set")
    if version.next_review_at < facts.now:
        return partial(looked_at, f"review overdue since {facts.day(version.next_review_at)}")
    last, due = facts.day(version.last_reviewed_at), facts.day(version.next_review_at)
    return complete(looked_at, f"last review {last}, next due {due}")
