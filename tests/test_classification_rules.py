"""The Art. 6 proposal: every Annex III point, each Art. 6(3) exemption path, profiling
overriding an exemption, the Annex I route, and answers that contradict each other."""

import dataclasses

import pytest

from governance.classification_rules import Answers, consistency_errors, propose

ANNEX_III_POINTS = [
    "1(a)", "1(b)", "1(c)", "2", "3(a)", "3(b)", "3(c)", "3(d)", "4(a)", "4(b)",
    "5(a)", "5(b)", "5(c)", "5(d)", "6(a)", "6(b)", "6(c)", "6(d)", "6(e)",
    "7(a)", "7(b)", "7(c)", "7(d)", "8(a)", "8(b)",
]  # fmt: skip
EXEMPTIONS = [
    ("narrow_procedural_task", "6(3)(a)"),
    ("improve_human_activity", "6(3)(b)"),
    ("detect_decision_patterns", "6(3)(c)"),
    ("preparatory_task", "6(3)(d)"),
]
AREA_NAMES = {
    "1": "Biometrics",
    "2": "Critical infrastructure",
    "3": "Education and vocational training",
    "4": "Employment, workers' management and access to self-employment",
    "5": "Access to essential private and public services and benefits",
    "6": "Law enforcement",
    "7": "Migration, asylum and border control management",
    "8": "Administration of justice and democratic processes",
}
PLAIN = Answers(
    organisation_role="provider",
    intended_purpose="Route support tickets.",
    annex_i_safety_component=False,
    annex_iii_point="none",
    profiles_natural_persons=False,
    art6_3_exemption="none",
    exemption_reasoning="",
    general_purpose_ai=False,
)


def answers(**changes: object) -> Answers:
    return dataclasses.replace(PLAIN, **changes)


def test_a_system_outside_annex_i_and_iii_without_profiling_is_low_and_not_high_risk():
    proposal = propose(PLAIN)
    assert (proposal.risk_level, proposal.is_high_risk) == ("low", False)
    assert "It is in none of the Annex III areas (Art. 6(2) does not apply)." in proposal.reasons


def test_profiling_outside_annex_iii_is_medium_and_not_high_risk():
    proposal = propose(answers(profiles_natural_persons=True))
    assert (proposal.risk_level, proposal.is_high_risk) == ("medium", False)
    assert (
        proposal.reasons[-1] == "Proposed medium: not high-risk, but it profiles natural persons."
    )


@pytest.mark.parametrize("point", ANNEX_III_POINTS)
def test_every_annex_iii_point_without_exemption_is_high_risk_under_art_6_2(point):
    proposal = propose(answers(annex_iii_point=point))
    assert (proposal.risk_level, proposal.is_high_risk) == ("high", True)
    area = AREA_NAMES[point[0]]
    assert (
        f"It is an Annex III point {point} ({area}) use with no Art. 6(3) exemption: "
        "high-risk under Art. 6(2)." in proposal.reasons
    )


@pytest.mark.parametrize("point", ANNEX_III_POINTS)
@pytest.mark.parametrize(("exemption", "condition"), EXEMPTIONS)
def test_each_exemption_lifts_every_annex_iii_point_to_medium_with_the_duty_to_document(
    point, exemption, condition
):
    claim = answers(annex_iii_point=point, art6_3_exemption=exemption, exemption_reasoning="Why.")
    proposal = propose(claim)
    assert (proposal.risk_level, proposal.is_high_risk) == ("medium", False)
    assert condition in proposal.reasons[0]
    assert "not high-risk under Art. 6(2)" in proposal.reasons[0]
    assert "(Art. 6(4))" in proposal.reasons[1] and "(Art. 49(2))" in proposal.reasons[1]


@pytest.mark.parametrize(("exemption", "condition"), EXEMPTIONS)
def test_profiling_overrides_every_exemption(exemption, condition):
    claim = answers(
        annex_iii_point="4(a)",
        art6_3_exemption=exemption,
        exemption_reasoning="Only sorts CVs by arrival.",
        profiles_natural_persons=True,
    )
    proposal = propose(claim)
    assert (proposal.risk_level, proposal.is_high_risk) == ("high", True)
    assert "Art. 6(3), last subparagraph" in proposal.reasons[0]
    assert f"the exemption claimed ({condition}" in proposal.reasons[0]


def test_a_safety_component_under_annex_i_is_high_risk_under_art_6_1():
    proposal = propose(answers(annex_i_safety_component=True))
    assert (proposal.risk_level, proposal.is_high_risk) == ("high", True)
    assert "high-risk under Art. 6(1)" in proposal.reasons[0]


def test_an_exemption_does_not_lift_the_annex_i_route():
    claim = answers(
        annex_i_safety_component=True,
        annex_iii_point="2",
        art6_3_exemption="preparatory_task",
        exemption_reasoning="Prepares the operator's check.",
    )
    proposal = propose(claim)
    assert (proposal.risk_level, proposal.is_high_risk) == ("high", True)
    assert "The Art. 6(3) exemption does not lift the Art. 6(1) route." in proposal.reasons


def test_high_risk_on_both_routes_is_critical():
    proposal = propose(answers(annex_i_safety_component=True, annex_iii_point="2"))
    assert (proposal.risk_level, proposal.is_high_risk) == ("critical", True)
    assert proposal.reasons[-1] == "Proposed critical: high-risk under both Art. 6(1) and 6(2)."


@pytest.mark.parametrize(
    ("role", "point", "duties"),
    [
        ("provider", "4(a)", ["Arts 8-15"]),
        ("deployer", "4(a)", ["Art. 26."]),
        ("deployer", "5(b)", ["Art. 26 and a fundamental rights impact assessment (Art. 27)"]),
        ("both", "5(c)", ["Arts 8-15", "(Art. 27)"]),
    ],
)
def test_a_high_risk_proposal_names_the_duties_of_the_organisation_role(role, point, duties):
    reasons = " ".join(propose(answers(organisation_role=role, annex_iii_point=point)).reasons)
    for duty in duties:
        assert duty in reasons


def test_a_system_that_is_not_high_risk_lists_no_high_risk_duties():
    reasons = " ".join(propose(answers(organisation_role="both")).reasons)
    assert "As provider" not in reasons and "As deployer" not in reasons


def test_a_general_purpose_ai_model_is_flagged_without_changing_the_level():
    proposal = propose(answers(general_purpose_ai=True))
    assert proposal.risk_level == "low"
    assert any("Chapter V duties (Arts 53-55)" in reason for reason in proposal.reasons)


def test_an_exemption_without_an_annex_iii_point_contradicts_itself():
    claim = answers(art6_3_exemption="narrow_procedural_task", exemption_reasoning="Why.")
    assert list(consistency_errors(claim)) == ["art6_3_exemption"]


def test_an_exemption_without_reasoning_contradicts_art_6_4():
    claim = answers(annex_iii_point="3(b)", art6_3_exemption="preparatory_task")
    assert list(consistency_errors(claim)) == ["exemption_reasoning"]
    blank = dataclasses.replace(claim, exemption_reasoning="  ")
    assert list(consistency_errors(blank)) == ["exemption_reasoning"]


def test_reasoning_without_an_exemption_is_refused():
    assert list(consistency_errors(answers(exemption_reasoning="Just because."))) == [
        "exemption_reasoning"
    ]


def test_consistent_answers_have_no_errors():
    claim = answers(annex_iii_point="3(b)", art6_3_exemption="preparatory_task")
    assert consistency_errors(dataclasses.replace(claim, exemption_reasoning="Why.")) == {}
    assert consistency_errors(PLAIN) == {}
