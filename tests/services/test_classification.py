"""classification_confirm: who may, what is stored and recorded, what is refused, and a
risk change recomputing the required roles of open requests."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from governance.actors import RETIREMENT
from governance.models import ApprovalRequest, RiskClassification
from governance.services.classification import classification_confirm
from tests.db_state import audit_mark, history, new_events, nothing_written
from tests.workflows import promote, request_promotion

# Profiles customers, in no Annex III area: proposed medium, the fixture model's level.
MEDIUM_ANSWERS = {
    "organisation_role": "provider",
    "intended_purpose": "Rank customers by churn risk for retention outreach.",
    "annex_i_safety_component": False,
    "annex_iii_point": "none",
    "profiles_natural_persons": True,
    "art6_3_exemption": "none",
    "exemption_reasoning": "",
    "general_purpose_ai": False,
}
CREDIT_ANSWERS = {**MEDIUM_ANSWERS, "annex_iii_point": "5(b)", "organisation_role": "both"}
LOW_ANSWERS = {**MEDIUM_ANSWERS, "profiles_natural_persons": False}
RISK_REFUSAL = (
    "To change the risk level you need one of these roles on customer-churn-predictor: "
    "governance_admin, risk_officer."
)


def _confirm(personas: dict, model, persona: str = "risk_officer", **answers) -> object:
    return classification_confirm(
        actor=personas[persona], model_id=model.pk, answers={**MEDIUM_ANSWERS, **answers}
    )


def test_risk_officer_confirms_the_proposal_with_answers_history_and_audit_event(personas, model):
    mark = audit_mark()

    saved = _confirm(personas, model)

    stored = RiskClassification.objects.get(model=model)
    assert stored.pk == saved.pk
    assert (stored.proposed_risk_level, stored.is_high_risk) == ("medium", False)
    assert (stored.organisation_role, stored.annex_iii_point, stored.profiles_natural_persons) == (
        "provider",
        "none",
        True,
    )
    assert stored.confirmed_by == personas["risk_officer"] and stored.confirmed_at is not None
    assert stored.proposal_reasons == [
        "It is in none of the Annex III areas (Art. 6(2) does not apply).",
        "Proposed medium: not high-risk, but it profiles natural persons.",
    ]
    assert history(stored) == [("+", "risk_officer", "classified")]
    assert new_events(mark) == [
        (
            "model.classified",
            "risk_officer",
            model.pk,
            None,
            None,
            {
                "answers": MEDIUM_ANSWERS,
                "risk_level": {"model": "medium", "proposed": "medium"},
                "is_high_risk": False,
                "reasons": stored.proposal_reasons,
            },
        )
    ]


def test_reclassifying_keeps_the_earlier_classification_in_history(personas, model):
    _confirm(personas, model)
    _confirm(personas, model, persona="admin", intended_purpose="Rank customers, weekly.")

    stored = RiskClassification.objects.get(model=model)
    assert (stored.confirmed_by, stored.intended_purpose) == (
        personas["admin"],
        "Rank customers, weekly.",
    )
    assert history(stored) == [("+", "risk_officer", "classified"), ("~", "admin", "reclassified")]
    assert (
        RiskClassification.history.earliest("history_id").intended_purpose
        == (MEDIUM_ANSWERS["intended_purpose"])
    )


def test_a_higher_proposal_raises_the_risk_level_through_model_update(personas, model):
    mark = audit_mark()

    saved = classification_confirm(
        actor=personas["risk_officer"], model_id=model.pk, answers=CREDIT_ANSWERS
    )

    model.refresh_from_db()
    assert model.risk_level == "high" and saved.model.risk_level == "high"
    assert [event[0] for event in new_events(mark)] == ["model.classified", "model.risk_changed"]
    assert new_events(mark)[1][5] == {
        "before": {"risk_level": "medium"},
        "after": {"risk_level": "high"},
    }
    assert history(model)[-1] == ("~", "risk_officer", "updated")


def test_a_risk_raise_adds_legal_to_open_requests_and_restarts_them(personas, model, version):
    promote(version, personas, "staging")
    request = request_promotion(version, personas, "production")
    assert sorted(request.required_roles) == ["ml_lead", "risk_officer"]
    mark = audit_mark()

    classification_confirm(actor=personas["admin"], model_id=model.pk, answers=CREDIT_ANSWERS)

    request = ApprovalRequest.objects.get(pk=request.pk)
    assert request.required_roles == ["legal", "ml_lead", "risk_officer"]
    assert request.status == "pending"
    assert [event[0] for event in new_events(mark)] == [
        "model.classified",
        "model.risk_changed",
        "approval.restarted",
    ]


def test_a_lower_proposal_lowers_the_level_but_never_drops_roles_of_open_requests(
    personas, model, version
):
    model.risk_level = "high"
    model.save(update_fields=["risk_level"])
    promote(version, personas, "staging")
    request = request_promotion(version, personas, "production")

    classification_confirm(actor=personas["risk_officer"], model_id=model.pk, answers=LOW_ANSWERS)

    model.refresh_from_db()
    assert model.risk_level == "low"
    request.refresh_from_db()
    assert request.required_roles == ["legal", "ml_lead", "risk_officer"]


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("risk_officer", True),
        ("lead", True),
        ("admin", True),
        ("global_risk", True),
        ("engineer", False),
        ("legal", False),
        ("other_team_lead", False),
        ("no_role", False),
        ("auditor", False),
        ("superuser", False),
    ],
)
def test_who_may_confirm_a_classification(personas, model, persona, allowed):
    if allowed:
        _confirm(personas, model, persona=persona)
        assert RiskClassification.objects.get(model=model).confirmed_by == personas[persona]
        return
    with nothing_written(), pytest.raises(PermissionDenied) as refused:
        _confirm(personas, model, persona=persona)
    assert str(refused.value) == (
        "To confirm a risk classification you need one of these roles on "
        "customer-churn-predictor: governance_admin, ml_lead, risk_officer."
    )


def test_an_ml_lead_cannot_confirm_a_proposal_that_changes_the_risk_level(personas, model):
    with nothing_written(), pytest.raises(PermissionDenied) as refused:
        classification_confirm(actor=personas["lead"], model_id=model.pk, answers=CREDIT_ANSWERS)
    assert str(refused.value) == RISK_REFUSAL


def test_the_system_cannot_confirm_a_classification(personas, model):
    with nothing_written(), pytest.raises(PermissionDenied) as refused:
        classification_confirm(actor=RETIREMENT, model_id=model.pk, answers=MEDIUM_ANSWERS)
    assert str(refused.value) == "Only people confirm a risk classification."


def _without(field: str) -> dict:
    return {key: value for key, value in MEDIUM_ANSWERS.items() if key != field}


REQUIRED = ["This answer is required."]
YES_NO = ["Answer true or false."]


def _with(**changes: object) -> dict:
    return {**MEDIUM_ANSWERS, **changes}


@pytest.mark.parametrize(
    ("answers", "errors"),
    [
        ("not a dict", {"answers": ["Expected an object of answers."]}),
        (_without("organisation_role"), {"organisation_role": REQUIRED}),
        (_without("intended_purpose"), {"intended_purpose": REQUIRED}),
        (_without("annex_i_safety_component"), {"annex_i_safety_component": REQUIRED}),
        (_without("annex_iii_point"), {"annex_iii_point": REQUIRED}),
        (_without("profiles_natural_persons"), {"profiles_natural_persons": REQUIRED}),
        (_without("general_purpose_ai"), {"general_purpose_ai": REQUIRED}),
        (
            _with(organisation_role="importer"),
            {"organisation_role": ["Choose one of: provider, deployer, both."]},
        ),
        (_with(intended_purpose="  "), {"intended_purpose": REQUIRED}),
        (_with(intended_purpose=42), {"intended_purpose": ["Expected text."]}),
        (_with(annex_i_safety_component="yes"), {"annex_i_safety_component": YES_NO}),
        (_with(profiles_natural_persons=1), {"profiles_natural_persons": YES_NO}),
        (_with(general_purpose_ai=None), {"general_purpose_ai": YES_NO}),
        (_with(unknown=1), {"unknown": ["This field is unknown."]}),
        (
            _with(art6_3_exemption="narrow_procedural_task", exemption_reasoning="x"),
            {
                "art6_3_exemption": [
                    "An Art. 6(3) exemption applies only to an Annex III use; choose the Annex "
                    "III point or claim no exemption."
                ]
            },
        ),
        (
            _with(exemption_reasoning="Because."),
            {"exemption_reasoning": ["Give reasoning only when you claim an Art. 6(3) exemption."]},
        ),
    ],
)
def test_bad_answers_are_refused_by_field_and_nothing_is_written(personas, model, answers, errors):
    with nothing_written(), pytest.raises(ValidationError) as refused:
        classification_confirm(actor=personas["risk_officer"], model_id=model.pk, answers=answers)
    assert refused.value.message_dict == errors


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("annex_iii_point", "5b"),
        ("annex_iii_point", "9(a)"),
        ("art6_3_exemption", "none of them"),
        ("intended_purpose", "nul\x00"),
        ("intended_purpose", "x" * 5_001),
        ("exemption_reasoning", None),
    ],
)
def test_malformed_answers_name_their_field(personas, model, field, value):
    with nothing_written(), pytest.raises(ValidationError) as refused:
        _confirm(personas, model, **{field: value})
    assert list(refused.value.message_dict) == [field]


def test_an_exemption_without_reasoning_is_refused(personas, model):
    claim = {"annex_iii_point": "4(a)", "art6_3_exemption": "preparatory_task"}
    with nothing_written(), pytest.raises(ValidationError) as refused:
        _confirm(personas, model, **claim)
    assert list(refused.value.message_dict) == ["exemption_reasoning"]


def test_an_exemption_with_reasoning_is_stored_and_keeps_the_level(personas, model):
    claim = {
        "annex_iii_point": "4(a)",
        "art6_3_exemption": "preparatory_task",
        "exemption_reasoning": "Only converts CVs to text before a recruiter reads them.",
        "profiles_natural_persons": False,
    }
    stored = _confirm(personas, model, **claim)
    assert (stored.proposed_risk_level, stored.is_high_risk) == ("medium", False)
    assert stored.exemption_reasoning == claim["exemption_reasoning"]
