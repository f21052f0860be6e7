"""From a model's answers to the Art. 6 questionnaire, propose its risk level and whether it
is high-risk under the EU AI Act. Pure functions: no database, no clock. Product guidance,
not legal advice.

The mapping (Regulation (EU) 2024/1689, Art. 6 with Annex I and Annex III):

- Art. 6(1): a safety component of a product (or the product) under Annex I law that needs a
  third-party conformity assessment is high-risk. Art. 6(3) does not lift this route.
- Art. 6(2): a use in an Annex III point is high-risk, unless an Art. 6(3) condition is
  claimed with its reasoning (the claim must be documented, Art. 6(4), and registered,
  Art. 49(2)).
- Art. 6(3), last subparagraph: an Annex III system that profiles natural persons is always
  high-risk; a claimed exemption then does not count.
- Risk level: ``critical`` when both routes make it high-risk; ``high`` for one route;
  ``medium`` when it is not high-risk but is an Annex III use under an exemption or profiles
  natural persons; ``low`` otherwise.
- A general-purpose AI model is flagged in the reasons (Chapter V duties of its provider)
  and does not change the level. Prohibited practices (Art. 5) are out of scope: the
  questionnaire does not ask about them.
"""

from dataclasses import dataclass

from governance.models.choices import RiskLevel
from governance.models.classification import (
    ANNEX_III_AREAS,
    AnnexIIIPoint,
    Art63Exemption,
    OrganisationRole,
)

FRIA_POINTS = frozenset({AnnexIIIPoint.P5B, AnnexIIIPoint.P5C})  # Art. 27(1)


@dataclass(frozen=True)
class Answers:
    """The questionnaire, validated (services.classification parses the outside world)."""

    organisation_role: str
    intended_purpose: str
    annex_i_safety_component: bool
    annex_iii_point: str
    profiles_natural_persons: bool
    art6_3_exemption: str
    exemption_reasoning: str
    general_purpose_ai: bool

    @property
    def in_annex_iii(self) -> bool:
        return self.annex_iii_point != AnnexIIIPoint.NONE

    @property
    def claims_exemption(self) -> bool:
        return self.art6_3_exemption != Art63Exemption.NONE


@dataclass(frozen=True)
class Proposal:
    risk_level: RiskLevel
    is_high_risk: bool
    reasons: tuple[str, ...]


def consistency_errors(answers: Answers) -> dict[str, str]:
    """Answers that contradict each other, by field; empty when the answers hold together."""
    errors = {}
    if answers.claims_exemption and not answers.in_annex_iii:
        errors["art6_3_exemption"] = (
            "An Art. 6(3) exemption applies only to an Annex III use; choose the Annex III "
            "point or claim no exemption."
        )
    elif answers.claims_exemption and not answers.exemption_reasoning.strip():
        errors["exemption_reasoning"] = (
            "Give the reasoning for the exemption: Art. 6(4) asks for the assessment to be "
            "documented."
        )
    if not answers.claims_exemption and answers.exemption_reasoning.strip():
        errors["exemption_reasoning"] = "Give reasoning only when you claim an Art. 6(3) exemption."
    return errors


def annex_iii_label(point: str) -> str:
    area = ANNEX_III_AREAS[point[0]]
    return f"Annex III point {point} ({area})"


def _annex_i_reasons(answers: Answers) -> tuple[bool, list[str]]:
    if not answers.annex_i_safety_component:
        return False, []
    return True, [
        "It is a safety component of a product (or the product) under Annex I law needing a "
        "third-party conformity assessment: high-risk under Art. 6(1)."
    ]


def _annex_iii_reasons(answers: Answers) -> tuple[bool, list[str]]:
    if not answers.in_annex_iii:
        return False, ["It is in none of the Annex III areas (Art. 6(2) does not apply)."]
    use = annex_iii_label(answers.annex_iii_point)
    exemption = Art63Exemption(answers.art6_3_exemption)
    if answers.profiles_natural_persons:
        reason = (
            f"It is an {use} use and profiles natural persons: always high-risk "
            "(Art. 6(2) and Art. 6(3), last subparagraph)"
        )
        if answers.claims_exemption:
            reason += f"; the exemption claimed ({exemption.label}) cannot apply"
        return True, [reason + "."]
    if answers.claims_exemption:
        return False, [
            f"It is an {use} use, but the Art. 6(3) condition {exemption.label} is claimed: "
            "not high-risk under Art. 6(2) if it poses no significant risk of harm.",
            "Document this assessment before placing it on the market or putting it into "
            "service (Art. 6(4)) and register it in the EU database (Art. 49(2)).",
        ]
    return True, [f"It is an {use} use with no Art. 6(3) exemption: high-risk under Art. 6(2)."]


def _level(routes: int, answers: Answers) -> tuple[RiskLevel, str]:
    if routes == 2:
        return RiskLevel.CRITICAL, "Proposed critical: high-risk under both Art. 6(1) and 6(2)."
    if routes == 1:
        return RiskLevel.HIGH, "Proposed high: high-risk under Art. 6."
    if answers.in_annex_iii:
        return RiskLevel.MEDIUM, "Proposed medium: an Annex III use under an Art. 6(3) exemption."
    if answers.profiles_natural_persons:
        return RiskLevel.MEDIUM, "Proposed medium: not high-risk, but it profiles natural persons."
    return RiskLevel.LOW, "Proposed low: not high-risk and no profiling of natural persons."


def _duty_reasons(answers: Answers, is_high_risk: bool) -> list[str]:
    reasons = []
    role = OrganisationRole(answers.organisation_role)
    if is_high_risk and role in (OrganisationRole.PROVIDER, OrganisationRole.BOTH):
        reasons.append(
            "As provider: the requirements of Arts 8-15 and the duties of Arts 16-22, 43-49."
        )
    if is_high_risk and role in (OrganisationRole.DEPLOYER, OrganisationRole.BOTH):
        duty = "As deployer: duties of Art. 26"
        if answers.annex_iii_point in FRIA_POINTS:
            duty += " and a fundamental rights impact assessment (Art. 27)"
        reasons.append(duty + ".")
    if answers.general_purpose_ai:
        reasons.append(
            "A general-purpose AI model: its provider's Chapter V duties (Arts 53-55) apply "
            "apart from this risk level."
        )
    return reasons


def propose(answers: Answers) -> Proposal:
    """The proposed risk level, whether it is high-risk under Art. 6, and why."""
    annex_i, annex_i_reasons = _annex_i_reasons(answers)
    annex_iii, annex_iii_reasons = _annex_iii_reasons(answers)
    if annex_i and answers.claims_exemption and not annex_iii:
        annex_iii_reasons.append("The Art. 6(3) exemption does not lift the Art. 6(1) route.")
    level, level_reason = _level(int(annex_i) + int(annex_iii), answers)
    is_high_risk = annex_i or annex_iii
    reasons = [
        *annex_i_reasons,
        *annex_iii_reasons,
        *_duty_reasons(answers, is_high_risk),
        level_reason,
    ]
    return Proposal(risk_level=level, is_high_risk=is_high_risk, reasons=tuple(reasons))
