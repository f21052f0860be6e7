"""Art. 26 (deployers, with the Art. 27 impact assessment), Art. 72 (post-market
monitoring) and Art. 73 (serious incidents): their evidence items and checks."""

from governance.classification_rules import FRIA_POINTS
from governance.compliance.checks import (
    NOT_IN_TUTELA,
    card_fields,
    card_looked_at,
    filled,
    incident_reporting,
    monitoring,
    open_alerts,
    outside_tutela,
    review,
    signed,
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
from governance.models import Role, Stage


def oversight_assigned(facts: VersionFacts) -> Finding:
    """Art. 26(2): a competent person oversees the use; a risk officer's production
    sign-off is Tutela's record of who that is."""
    looked_at = "production approval decisions in the risk_officer role"
    signed_off = [
        a for a in facts.approvals if a.role == Role.RISK_OFFICER and a.target == Stage.PRODUCTION
    ]
    if not signed_off:
        return missing(looked_at, "no risk officer has signed this version off for production")
    if not facts.approvals_of_card(Role.RISK_OFFICER):
        return partial(looked_at, "a risk officer signed off an earlier revision of the card")
    return complete(looked_at, "a risk officer signed the card as it is now off for production")


def impact_assessment(facts: VersionFacts) -> Finding:
    """Art. 27: a fundamental rights impact assessment before first use (Annex III 5(b), 5(c);
    public bodies too, which Tutela does not record)."""
    c = facts.classification
    looked_at = "classification: Annex III point; fundamental rights impact assessment"
    if c is None or c.annex_iii_point not in FRIA_POINTS:
        return not_applicable(looked_at, "not an Annex III 5(b) or 5(c) use")
    return missing(
        looked_at, f"the assessment and its notification to the authority: {NOT_IN_TUTELA}"
    )


def monitoring_plan(facts: VersionFacts) -> Finding:
    """What will be watched (declared metrics), against which limits (retirement rules) and
    how often (review schedule): the parts of a post-market monitoring plan Tutela holds."""
    version = facts.version
    looked_at = card_looked_at(
        facts, "evaluation_metrics", "retirement_criteria", "review_schedule"
    )
    if not filled(facts, "evaluation_metrics"):
        return missing(looked_at, "no declared metric to monitor")
    criteria = facts.criteria
    if not criteria.floors and criteria.drift_ceiling is None:
        return partial(looked_at, "metrics declared but no floor or drift ceiling to act on")
    return signed(facts, looked_at, f"metrics, limits, review {version.review_schedule}")


def alerts_handled(facts: VersionFacts) -> Finding:
    looked_at = "retirement alerts of the version"
    if not facts.in_service:
        return not_applicable(looked_at, "not in service yet")
    waiting = open_alerts(facts)
    if waiting:
        return partial(looked_at, f"nobody acknowledged: {', '.join(waiting)}")
    return complete(looked_at, "every alert acknowledged or resolved")


def corrective_actions(facts: VersionFacts) -> Finding:
    looked_at = "serious-incident register: corrective actions"
    total = sum(group.count for group in facts.incidents)
    if not total:
        return not_applicable(looked_at, "no serious incident recorded")
    if facts.incidents_without_action:
        lacking = facts.incidents_without_action
        return partial(looked_at, f"{lacking} of {total} incident(s) without a corrective action")
    return complete(looked_at, f"a corrective action for each of {total} incident(s)")


ARTICLE_26 = Article(
    "26",
    "Obligations of deployers (with Art. 27)",
    Duty.DEPLOYER,
    (
        EvidenceItem(
            "art26.instructions",
            "Used as the instructions say",
            Level.MUST,
            lambda facts: card_fields(
                facts, "intended_use", "out_of_scope_uses", "known_limitations"
            ),
        ),
        EvidenceItem(
            "art26.oversight", "Oversight by competent people", Level.MUST, oversight_assigned
        ),
        EvidenceItem("art26.monitoring", "Operation monitored", Level.MUST, monitoring),
        EvidenceItem(
            "art26.incidents", "Serious incidents reported", Level.MUST, incident_reporting
        ),
        EvidenceItem(
            "art26.logs",
            "Logs kept at least six months",
            Level.MUST,
            outside_tutela("the deployer's log retention (Art. 26(6))"),
        ),
        EvidenceItem(
            "art26.notices",
            "Workers and affected persons informed; DPIA",
            Level.MUST,
            outside_tutela(
                "worker information, affected-person notice, DPIA (Art. 26(7), (9), (11))"
            ),
        ),
        EvidenceItem(
            "art26.fria",
            "Fundamental rights impact assessment (Art. 27)",
            Level.MUST,
            impact_assessment,
        ),
    ),
)
ARTICLE_72 = Article(
    "72",
    "Post-market monitoring",
    Duty.PROVIDER,
    (
        EvidenceItem(
            "art72.plan", "Monitoring plan: metrics, limits, frequency", Level.MUST, monitoring_plan
        ),
        EvidenceItem(
            "art72.data", "Performance data collected in operation", Level.MUST, monitoring
        ),
        EvidenceItem("art72.review", "Reviews on schedule", Level.MUST, review),
        EvidenceItem("art72.alerts", "Alerts acknowledged", Level.SHOULD, alerts_handled),
    ),
)
ARTICLE_73 = Article(
    "73",
    "Reporting of serious incidents",
    Duty.PROVIDER,
    (
        EvidenceItem(
            "art73.reporting",
            "Incidents reported within their deadline",
            Level.MUST,
            incident_reporting,
        ),
        EvidenceItem(
            "art73.corrective_action",
            "Corrective action for each incident",
            Level.MUST,
            corrective_actions,
        ),
    ),
)
