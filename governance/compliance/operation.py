"""Arts. 12 (record-keeping), 13 (transparency, instructions for use), 14 (human
oversight), 15 (accuracy, robustness, cybersecurity) and 17 (quality management): their
evidence items and checks (EU-AI-ACT.md sections 3 and 5)."""

from governance.compliance.checks import (
    NOT_IN_TUTELA,
    any_approval,
    card_fields,
    card_looked_at,
    filled,
    open_alerts,
    outside_tutela,
    signed,
    thresholds,
)
from governance.compliance.facts import VersionFacts
from governance.compliance.states import (
    Article,
    Duty,
    EvidenceItem,
    Finding,
    Level,
    complete,
    missing,
    not_applicable,
    partial,
)
from governance.models import AlertRule, AlertStatus


def lifecycle_log(facts: VersionFacts) -> Finding:
    looked_at = "audit events of the version (hash-chained, append-only)"
    if not facts.audit:
        return missing(looked_at, "no audit event recorded for this version")
    count = sum(c.count for c in facts.audit.values())
    latest = max(c.last for c in facts.audit.values())
    return complete(looked_at, f"{count} events, the latest on {facts.day(latest)}")


def runtime_logs(facts: VersionFacts) -> Finding:
    """Tutela's trail records governance, not the system's own event logs (Art. 12(2))."""
    looked_at = "monitoring observations; the system's event-log schema and retention"
    outside = f"log schema, controller and retention ≥ 6 months (Art. 19): {NOT_IN_TUTELA}"
    if facts.metrics:
        names = ", ".join(sorted(facts.metrics))
        return partial(looked_at, f"operational metrics recorded ({names}); {outside}")
    return missing(looked_at, f"no operational record; {outside}")


def lifetime(facts: VersionFacts) -> Finding:
    """Art. 13(3)(e): expected lifetime (maximum age) and maintenance (review schedule)."""
    version = facts.version
    looked_at = card_looked_at(facts, "retirement_criteria", "review_schedule")
    age = facts.criteria.max_age_days
    reviewed = f"reviewed {version.review_schedule}"
    if age is None:
        return partial(looked_at, f"{reviewed}; no maximum age: the expected lifetime is open")
    return signed(facts, looked_at, f"retired after {age} days since training; {reviewed}")


def stop(facts: VersionFacts) -> Finding:
    """Art. 14(4)(e): conditions that take the version out of service, and the revoke path
    (risk officers and legal withdraw a production approval)."""
    criteria = facts.criteria
    looked_at = card_looked_at(facts, "retirement_criteria")
    rules = [
        name
        for name, on in (
            ("maximum age", criteria.max_age_days is not None),
            ("metric floors", bool(criteria.floors)),
            ("drift ceiling", criteria.drift_ceiling is not None),
            ("replacement", criteria.retire_on_replacement),
        )
        if on
    ]
    if not rules:
        return missing(looked_at, "every retirement rule is switched off")
    return signed(facts, looked_at, f"stops on {', '.join(rules)}; approvals can be revoked")


def within_levels(facts: VersionFacts) -> Finding:
    looked_at = "retirement alerts on metric floors and drift"
    if not facts.in_service:
        return not_applicable(looked_at, "not in service yet")
    rules = (AlertRule.METRIC_FLOOR, AlertRule.DRIFT_CEILING)
    firing = open_alerts(facts, rules)
    kept = sorted(
        rule
        for (rule, status), count in facts.alerts.items()
        if rule in rules and count and status == AlertStatus.ACKNOWLEDGED
    )
    if firing:
        return partial(looked_at, f"open alert: {', '.join(firing)} (nobody acknowledged it)")
    if kept:
        return partial(looked_at, f"acknowledged, still firing: {', '.join(kept)}")
    return complete(looked_at, "no metric below its floor, no drift above its ceiling")


def integrity(facts: VersionFacts) -> Finding:
    looked_at = card_looked_at(facts, "artifact_sha256")
    tests = f"robustness and security test reports: {NOT_IN_TUTELA}"
    if not filled(facts, "artifact_sha256"):
        return missing(looked_at, f"the artefact is not pinned by a checksum; {tests}")
    return partial(looked_at, f"artefact pinned by SHA-256 (fixed once set); {tests}")


def drift_ceiling(facts: VersionFacts) -> Finding:
    looked_at = card_looked_at(facts, "retirement_criteria")
    ceiling = facts.criteria.drift_ceiling
    if ceiling is None:
        return missing(looked_at, "no drift ceiling: feedback loops and data drift go unseen")
    return signed(facts, looked_at, f"drift_score ceiling {ceiling:g}")


def change_management(facts: VersionFacts) -> Finding:
    return any_approval(
        facts,
        "approval decisions of the version",
        "the written QMS policies (Art. 17(1)(a)-(m)) are not recorded in Tutela",
        "no approval of this version yet; the written QMS policies are not recorded in Tutela",
    )


def _card(key: str, title: str, *fields: str, level: Level = Level.MUST) -> EvidenceItem:
    return EvidenceItem(key, title, level, lambda facts: card_fields(facts, *fields))


ARTICLE_12 = Article(
    "12",
    "Record-keeping",
    Duty.PROVIDER,
    (
        EvidenceItem(
            "art12.lifecycle_log",
            "Lifecycle events logged automatically",
            Level.MUST,
            lifecycle_log,
        ),
        EvidenceItem(
            "art12.runtime_logs", "Event logs of the system in operation", Level.MUST, runtime_logs
        ),
    ),
)
ARTICLE_13 = Article(
    "13",
    "Transparency and instructions for use",
    Duty.PROVIDER,
    (
        _card("art13.purpose", "Intended purpose and users", "intended_use", "primary_users"),
        _card("art13.performance", "Declared accuracy metrics", "evaluation_metrics"),
        _card(
            "art13.limitations",
            "Limitations and foreseeable misuse",
            "known_limitations",
            "out_of_scope_uses",
        ),
        EvidenceItem("art13.lifetime", "Expected lifetime and maintenance", Level.MUST, lifetime),
        EvidenceItem(
            "art13.log_instructions",
            "How to collect, store and read the logs",
            Level.MUST,
            outside_tutela("instructions on the system's logs (Art. 13(3)(f))"),
        ),
        _card(
            "art13.groups",
            "Performance for specific groups",
            "performance_by_group",
            level=Level.SHOULD,
        ),
    ),
)
ARTICLE_14 = Article(
    "14",
    "Human oversight",
    Duty.PROVIDER,
    (
        _card(
            "art14.understanding",
            "Who oversees it and the limits they must know",
            "primary_users",
            "known_limitations",
        ),
        EvidenceItem("art14.stop", "Conditions to stop it, and the revoke path", Level.MUST, stop),
        EvidenceItem(
            "art14.runtime_measures",
            "Override, stop and automation-bias measures in the system",
            Level.MUST,
            outside_tutela("runtime oversight measures (Art. 14(4)(b), (d), (e))"),
        ),
    ),
)
ARTICLE_15 = Article(
    "15",
    "Accuracy, robustness and cybersecurity",
    Duty.PROVIDER,
    (
        EvidenceItem(
            "art15.accuracy", "Declared accuracy and its thresholds", Level.MUST, thresholds
        ),
        EvidenceItem("art15.in_operation", "Accuracy held in operation", Level.MUST, within_levels),
        EvidenceItem(
            "art15.integrity", "Integrity, robustness and security testing", Level.MUST, integrity
        ),
        EvidenceItem("art15.drift", "Drift and feedback-loop control", Level.SHOULD, drift_ceiling),
    ),
)
ARTICLE_17 = Article(
    "17",
    "Quality management system",
    Duty.PROVIDER,
    (
        EvidenceItem(
            "art17.change_management",
            "Change management and sign-off procedures",
            Level.MUST,
            change_management,
        ),
    ),
)
