"""Art. 6 (classification), Art. 9 (risk management) and Art. 10 (data governance): their
evidence items and checks (EU-AI-ACT.md sections 3 and 5)."""

from governance.compliance.checks import (
    card_fields,
    card_looked_at,
    filled,
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
from governance.models import Art63Exemption, Role

CLASSIFICATION = "risk classification of the model"


def classification_confirmed(facts: VersionFacts) -> Finding:
    """Confirmed by a person; partial when the model's risk level no longer matches."""
    c = facts.classification
    if c is None:
        return missing(CLASSIFICATION, "not classified yet: answer its Classification page")
    who = f"confirmed by {c.confirmed_by.get_username()} on {facts.day(c.confirmed_at)}"
    level = facts.model.risk_level
    if c.proposed_risk_level != level:
        return partial(
            CLASSIFICATION,
            f"{who}, but the model's risk level ({level}) differs from the proposal "
            f"({c.proposed_risk_level}): confirm it again",
        )
    tier = "high-risk" if c.is_high_risk else "not high-risk"
    profiling = "profiles natural persons" if c.profiles_natural_persons else "no profiling"
    return complete(CLASSIFICATION, f"{who}: {tier}, Annex III {c.annex_iii_point}, {profiling}")


def exemption_documented(facts: VersionFacts) -> Finding:
    """Art. 6(4): an Art. 6(3) claim is documented before the system is placed on the market."""
    c = facts.classification
    looked_at = "classification: Art. 6(3) exemption and its reasoning"
    if c is None or c.art6_3_exemption == Art63Exemption.NONE:
        return not_applicable(looked_at, "no Art. 6(3) exemption claimed")
    if not c.exemption_reasoning.strip():
        return missing(looked_at, "an exemption is claimed without reasoning")
    return complete(
        looked_at,
        f"{c.get_art6_3_exemption_display()}, reasoning recorded; its registration in the "
        "EU database (Art. 49(2)) is not recorded in Tutela",
    )


def peer_reviewed(facts: VersionFacts) -> Finding:
    c = facts.classification
    if c is None:
        return missing(CLASSIFICATION, "not classified yet")
    owner = facts.model.owner_id
    if c.confirmed_by_id == owner:
        return partial(CLASSIFICATION, "confirmed by the model's owner; have a second person check")
    return complete(CLASSIFICATION, f"confirmed by {c.confirmed_by.get_username()}, not the owner")


def residual_risk_accepted(facts: VersionFacts) -> Finding:
    """A risk officer's live approval of the card as it is now accepts its residual risk."""
    looked_at = "approval decisions in the risk_officer role"
    if facts.approvals_of_card(Role.RISK_OFFICER):
        return complete(looked_at, "a risk officer approved the card as it is now")
    if any(a.role == Role.RISK_OFFICER for a in facts.approvals):
        return partial(looked_at, "a risk officer approved an earlier revision of the card")
    return missing(looked_at, "no risk officer has approved this version (its production review)")


def vulnerable_groups(facts: VersionFacts) -> Finding:
    groups = (facts.version.fairness_assessment or {}).get("groups")
    looked_at = card_looked_at(facts, "fairness_assessment.groups", "performance_by_group")
    if not groups and not filled(facts, "performance_by_group"):
        return missing(looked_at, "no group of persons is examined")
    return signed(facts, looked_at, "groups examined")


def bias_examination(facts: VersionFacts) -> Finding:
    """A fairness assessment with method, groups and results; per-group performance alone
    is a partial examination."""
    assessment = facts.version.fairness_assessment or {}
    looked_at = card_looked_at(facts, "fairness_assessment", "performance_by_group")
    parts = ("method", "groups", "results")
    lacking = [part for part in parts if not assessment.get(part)]
    if not lacking:
        return signed(facts, looked_at, "method, groups and results recorded")
    if len(lacking) < len(parts):
        return partial(looked_at, f"fairness_assessment lacks {', '.join(lacking)}")
    if filled(facts, "performance_by_group"):
        return partial(looked_at, "performance by group only; no fairness method or results")
    return missing(looked_at, "no fairness assessment and no performance by group")


def bias_mitigation(facts: VersionFacts) -> Finding:
    looked_at = card_looked_at(facts, "fairness_assessment.summary")
    if not (facts.version.fairness_assessment or {}).get("summary"):
        return missing(looked_at, "no summary of the findings and the measures taken")
    return signed(facts, looked_at, "summary recorded")


def representativeness(facts: VersionFacts) -> Finding:
    groups = facts.version.performance_by_group or {}
    looked_at = card_looked_at(facts, "performance_by_group")
    if not groups:
        return missing(looked_at, "no performance by group")
    if len(groups) < 2:
        return partial(looked_at, "one group only: nothing to compare")
    return signed(facts, looked_at, f"{len(groups)} groups compared")


def _card(key: str, title: str, *fields: str, level: Level = Level.MUST) -> EvidenceItem:
    return EvidenceItem(key, title, level, lambda facts: card_fields(facts, *fields))


ARTICLE_6 = Article(
    "6",
    "Classification as high-risk",
    Duty.EVERYONE,
    (
        EvidenceItem(
            "art6.classification",
            "Risk tier, Annex route, Annex III point and profiling, confirmed",
            Level.MUST,
            classification_confirmed,
        ),
        EvidenceItem(
            "art6.exemption", "Art. 6(3) assessment documented", Level.MUST, exemption_documented
        ),
        EvidenceItem(
            "art6.peer_review",
            "Classification checked by a second person",
            Level.SHOULD,
            peer_reviewed,
        ),
    ),
)
ARTICLE_9 = Article(
    "9",
    "Risk management system",
    Duty.PROVIDER,
    (
        _card(
            "art9.risks",
            "Known risks and affected persons",
            "known_limitations",
            "ethical_considerations",
        ),
        _card("art9.misuse", "Reasonably foreseeable misuse", "out_of_scope_uses"),
        EvidenceItem("art9.thresholds", "Test metrics and thresholds", Level.MUST, thresholds),
        EvidenceItem(
            "art9.residual_risk", "Residual risk accepted", Level.MUST, residual_risk_accepted
        ),
        EvidenceItem(
            "art9.vulnerable_groups", "Impact on vulnerable groups", Level.SHOULD, vulnerable_groups
        ),
    ),
)
ARTICLE_10 = Article(
    "10",
    "Data and data governance",
    Duty.PROVIDER,
    (
        _card(
            "art10.datasheet",
            "Datasheet: data, provenance and version",
            "training_data_description",
            "training_data_version",
            "training_date",
        ),
        EvidenceItem("art10.bias_examination", "Bias examination", Level.MUST, bias_examination),
        EvidenceItem(
            "art10.bias_mitigation", "Bias findings and mitigations", Level.MUST, bias_mitigation
        ),
        _card("art10.gaps", "Data gaps and shortcomings", "known_limitations"),
        EvidenceItem(
            "art10.representativeness",
            "Representativeness across groups",
            Level.SHOULD,
            representativeness,
        ),
    ),
)
