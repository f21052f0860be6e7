"""Classification API (/api/v1/models/{name}/classification/): who may read and confirm,
what it returns, bad input refused as problem details with nothing written."""

import pytest

from governance.models import RiskClassification
from governance.services.classification import classification_confirm
from tests.db_state import nothing_written

URL = "/api/v1/models/customer-churn-predictor/classification/"
ANSWERS = {
    "organisation_role": "both",
    "intended_purpose": "Suggest credit limits for new card applications.",
    "annex_i_safety_component": False,
    "annex_iii_point": "5(b)",
    "profiles_natural_persons": True,
    "general_purpose_ai": False,
}
SAME_LEVEL = {**ANSWERS, "annex_iii_point": "none"}  # medium: the fixture model's level


def put(api, body: object):  # noqa: ANN001, ANN201 - the conftest client has no put()
    return api._send("put", URL, body)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 401),
        ("no_role", 404),
        ("other_team_lead", 404),
        ("engineer", 200),
        ("legal", 200),
        ("auditor", 200),
        ("superuser", 200),
        ("lead", 200),
        ("risk_officer", 200),
    ],
)
def test_read_classification_permissions(api_as, personas, model, persona, status):
    classification_confirm(actor=personas["risk_officer"], model_id=model.pk, answers=ANSWERS)

    assert api_as(persona).get(URL).status_code == status


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 401),
        ("no_role", 404),
        ("other_team_lead", 404),
        ("engineer", 403),
        ("legal", 403),
        ("auditor", 403),
        ("superuser", 403),
        ("lead", 200),
        ("admin", 200),
        ("risk_officer", 200),
        ("global_risk", 200),
    ],
)
def test_confirm_classification_permissions(api_as, model, persona, status):
    response = put(api_as(persona), SAME_LEVEL)

    assert response.status_code == status
    assert RiskClassification.objects.filter(model=model).exists() is (status == 200)


def test_confirm_returns_the_proposal_and_raises_the_model_risk(api_as, model):
    response = put(api_as("risk_officer"), ANSWERS)

    assert response.status_code == 200
    body = response.json()
    assert (body["model"], body["model_risk_level"], body["annex_iii_point"]) == (
        "customer-churn-predictor",
        "high",
        "5(b)",
    )
    assert body["proposal"]["risk_level"] == "high" and body["proposal"]["is_high_risk"] is True
    assert body["proposal"]["reasons"][-1] == "Proposed high: high-risk under Art. 6."
    assert (body["confirmed_by"], body["art6_3_exemption"], body["exemption_reasoning"]) == (
        "risk_officer",
        "none",
        "",
    )
    assert body["note"] == "Product guidance, not legal advice."
    model.refresh_from_db()
    assert model.risk_level == "high"


def test_read_returns_what_was_confirmed(api_as, personas, model):
    classification_confirm(actor=personas["risk_officer"], model_id=model.pk, answers=ANSWERS)

    body = api_as("engineer").get(URL).json()

    assert body["intended_purpose"] == ANSWERS["intended_purpose"]
    assert body["proposal"]["is_high_risk"] is True


def test_an_unclassified_model_is_not_found_with_a_reason(api_as, model):
    response = api_as("engineer").get(URL)

    assert response.status_code == 404
    assert response.json()["detail"] == "customer-churn-predictor has not been classified yet."


def test_a_lead_changing_the_risk_level_is_refused(api_as, model):
    api = api_as("lead")

    with nothing_written():
        response = put(api, ANSWERS)

    assert response.status_code == 403
    assert "To change the risk level" in response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**ANSWERS, "annex_iii_point": "5b"}, "annex_iii_point"),
        ({**ANSWERS, "organisation_role": "importer"}, "organisation_role"),
        ({**ANSWERS, "intended_purpose": 7}, "intended_purpose"),
        ({k: v for k, v in ANSWERS.items() if k != "general_purpose_ai"}, "general_purpose_ai"),
        ({**ANSWERS, "exemption_reasoning": "Because."}, "exemption_reasoning"),
        (
            {**SAME_LEVEL, "art6_3_exemption": "preparatory_task", "exemption_reasoning": "Why."},
            "art6_3_exemption",
        ),
        ({**ANSWERS, "art6_3_exemption": "preparatory_task"}, "exemption_reasoning"),
    ],
)
def test_bad_answers_are_a_400_naming_the_field(api_as, model, body, field):
    api = api_as("risk_officer")

    with nothing_written():
        response = put(api, body)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert list(response.json()["errors"]) == [field]
