"""Annex IV points 3 to 9: monitoring, functioning and control; the performance metrics;
risk management; lifecycle changes; standards; the declaration of conformity; post-market
monitoring. Filled from the card, the classification, the audit trail, simple-history,
monitoring observations, retirement alerts and the serious-incident register."""

from governance.docs.document import Fact, Item, item, moment, plain, table
from governance.docs.evidence import Evidence
from governance.docs.facts import (
    CardItem,
    classification_facts,
    classification_source,
    criteria_fact,
    fairness_facts,
    needs,
    review_fact,
)
from governance.models import AlertStatus, SeriousIncident
from governance.selectors.history import readable_details
from governance.selectors.models import readable_reasons

CLASSIFY = "a risk classification of the model (its Classification page)"
DETAIL_NOISE = {"card hash", "version", "answers"}  # shown elsewhere in the document
DETAIL_CHARS = 160


SECTION_3_CARD_ITEMS = (
    CardItem(
        "3_limits",
        "3",
        "Capabilities and limitations in performance",
        (("known_limitations", "Known limitations"), ("out_of_scope_uses", "Out-of-scope uses")),
        ("known_limitations",),
    ),
    CardItem(
        "3_accuracy",
        "3",
        "Accuracy for specific persons or groups, and overall",
        (("evaluation_metrics", "Overall"), ("performance_by_group", "Per group")),
        ("evaluation_metrics", "performance_by_group"),
    ),
    CardItem(
        "3_risks",
        "3",
        "Foreseeable unintended outcomes and sources of risk",
        (("ethical_considerations", "Ethical considerations"),),
        ("ethical_considerations",),
    ),
)
ITEM_3_INPUT = CardItem(
    "3_input",
    "3",
    "Specifications on input data",
    (("training_data_description", "Training data"),),
    ("training_data_description",),
)


def section_3(evidence: Evidence) -> tuple[Item, ...]:
    version = evidence.version
    oversight = [Fact("Oversight", "See 2(e)"), review_fact(version)]
    return (
        *(card_item.build(version) for card_item in SECTION_3_CARD_ITEMS),
        item("3_oversight", "3", "Human oversight measures", oversight, []),
        ITEM_3_INPUT.build(version),
    )


def metrics_4(evidence: Evidence) -> Item:
    version = evidence.version
    declared = sorted(version.evaluation_metrics or {})
    monitored = sorted({summary.name for summary in evidence.metrics})
    facts = [
        Fact("Declared metrics", tuple(declared), "card field evaluation_metrics")
        if declared
        else None,
        criteria_fact(evidence),
        Fact("Monitored in production", tuple(monitored), "monitoring observations")
        if monitored
        else None,
        *fairness_facts(version),
    ]
    gaps = [
        needs(version, "evaluation_metrics"),
        "why these metrics suit the intended purpose; not recorded in Tutela",
    ]
    return item("4", "4", "Appropriateness of the performance metrics", facts, gaps)


def risk_5(evidence: Evidence) -> Item:
    classification, model = evidence.classification, evidence.model
    open_alerts = [a for a in evidence.alerts if a.status != AlertStatus.RESOLVED]
    facts = [
        Fact("Model risk level", model.risk_level, "registered model"),
        *(classification_facts(classification) if classification is not None else []),
        Fact(
            "Open retirement alerts",
            tuple(f"{a.get_rule_display()} since {moment(a.opened_at)}" for a in open_alerts),
            "retirement alerts",
        )
        if open_alerts
        else None,
    ]
    gaps = [
        CLASSIFY if classification is None else None,
        "a risk register with hazards, mitigations and residual-risk acceptance (Art. 9)",
    ]
    return item("5", "5", "Risk management system (Art. 9)", facts, gaps)


def _details(details: object) -> str:
    """An event's details in one short line (the audit trail export keeps them whole)."""
    text = "; ".join(
        f"{i.label}: {i.old_text} -> {i.new_text}" if i.changed else f"{i.label}: {plain(i.value)}"
        for i in readable_details(details)
        if i.label not in DETAIL_NOISE
    )
    return text if len(text) <= DETAIL_CHARS else text[: DETAIL_CHARS - 1] + "…"


def changes_6(evidence: Evidence) -> Item:
    events = table(
        ("#", "at", "event", "by", "details"),
        [
            (e.sequence, moment(e.created_at), e.event_type, e.actor, _details(e.details_data))
            for e in evidence.events
        ],
    )
    revisions = table(
        ("at", "by", "card revision", "stage", "changed", "reason"),
        [
            (moment(r.at), r.who, r.card_revision, r.stage, ", ".join(r.changed), r.reason)
            for r in evidence.revisions
        ],
    )
    facts = [
        Fact("Lifecycle events", events, "hash-chained audit trail") if events.rows else None,
        Fact("Card and stage revisions", revisions, "field history") if revisions.rows else None,
    ]
    gap = None if events.rows or revisions.rows else "lifecycle records (audit events, history)"
    return item("6", "6", "Relevant changes through the lifecycle", facts, [gap])


def _not_high_risk(evidence: Evidence, key: str, title: str, needed: str) -> Item:
    """Points 7 and 8 bind high-risk systems; a classification saying otherwise answers."""
    classification = evidence.classification
    if classification is not None and not classification.is_high_risk:
        text = "Not required: classified as not high-risk under Art. 6"
        fact = Fact("Applicability", text, classification_source(classification))
        return item(key, key, title, [fact], [])
    return item(key, key, title, [], [needed if classification is not None else CLASSIFY])


def monitoring_9(evidence: Evidence) -> Item:
    rows = [
        (m.name, m.latest_text, moment(m.latest_at), m.count, m.range_text)
        for m in evidence.metrics
    ]
    columns = ("metric", "latest", "observed", "observations", "range")
    facts = [
        Fact("Observed metrics", table(columns, rows), "monitoring observations") if rows else None,
        criteria_fact(evidence),
        review_fact(evidence.version),
    ]
    gap = None if rows else "monitoring observations (POST /api/v1/.../versions/.../metrics/)"
    return item("9_monitoring", "9", "Post-market monitoring plan and data", facts, [gap])


def alerts_9(evidence: Evidence) -> Item:
    rows = [
        (
            a.get_rule_display(),
            a.status,
            moment(a.opened_at),
            "; ".join(reason.message for reason in readable_reasons(a.reasons)),
        )
        for a in evidence.alerts
    ]
    value = table(("rule", "status", "opened", "reasons"), rows) if rows else "None raised"
    fact = Fact("Retirement alerts", value, "retirement engine")
    return item("9_alerts", "9", "Alerts from the monitoring rules", [fact], [])


def _incident_fact(incident: SeriousIncident) -> Fact:
    i = incident
    lines = [
        f"Class: {i.get_severity_display()}",
        f"Aware: {moment(i.aware_at)}; occurred: {moment(i.occurred_at)}",
        f"Report to the authority by: {moment(i.report_deadline)}",
        f"Status: {i.get_status_display()}",
        f"Description: {i.description}",
    ]
    if i.reported_at:
        lines.append(f"Reported: {moment(i.reported_at)}, reference {i.authority_reference}")
    if i.corrective_action:
        lines.append(f"Corrective action: {i.corrective_action}")
    return Fact(
        f"Incident #{i.pk}",
        tuple(lines),
        f"incident register, recorded by {i.reported_by.get_username()}",
    )


def incidents_9(evidence: Evidence) -> Item:
    title = "Serious incidents (Art. 73)"
    facts = [_incident_fact(incident) for incident in evidence.incidents]
    none = Fact("Register", "None recorded for this version", "incident register")
    return item("9_incidents", "9", title, facts or [none], [])


def sections_3_to_9(evidence: Evidence) -> list[tuple[Item, ...]]:
    return [
        section_3(evidence),
        (metrics_4(evidence),),
        (risk_5(evidence),),
        (changes_6(evidence),),
        (
            _not_high_risk(
                evidence,
                "7",
                "Harmonised standards applied, or other solutions adopted",
                "the harmonised standards (OJ references) or other specifications applied",
            ),
        ),
        (
            _not_high_risk(
                evidence,
                "8",
                "Copy of the EU declaration of conformity",
                "the signed EU declaration of conformity (Art. 47, Annex V)",
            ),
        ),
        (monitoring_9(evidence), alerts_9(evidence), incidents_9(evidence)),
    ]
