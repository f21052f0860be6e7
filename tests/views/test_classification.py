"""The risk classification page (/models/<name>/classification/): who sees it and who may
confirm, what it shows, form errors with nothing saved, CSRF, and a bounded query count."""

import pytest
from django.test import Client

from governance.models import RiskClassification
from governance.services.classification import classification_confirm
from tests.db_state import nothing_written
from tests.web import sign_in, text

PAGE = "/models/customer-churn-predictor/classification/"
FORM = 'name="intended_purpose"'
POSTED = {  # profiles customers, in no Annex III area: medium, the fixture model's level
    "organisation_role": "provider",
    "intended_purpose": "Rank customers by churn risk for retention outreach.",
    "annex_i_safety_component": "no",
    "annex_iii_point": "none",
    "profiles_natural_persons": "yes",
    "art6_3_exemption": "none",
    "exemption_reasoning": "",
    "general_purpose_ai": "no",
}
ANSWERS = {
    **POSTED,
    "annex_i_safety_component": False,
    "profiles_natural_persons": True,
    "general_purpose_ai": False,
}


def _classify(personas: dict, model, **changes: object) -> RiskClassification:
    return classification_confirm(
        actor=personas["risk_officer"], model_id=model.pk, answers={**ANSWERS, **changes}
    )


@pytest.mark.parametrize(
    ("persona", "status", "form_shown"),
    [
        ("anonymous", 302, False),
        ("no_role", 404, False),
        ("other_team_lead", 404, False),
        ("engineer", 200, False),
        ("legal", 200, False),
        ("auditor", 200, False),
        ("superuser", 200, False),
        ("lead", 200, True),
        ("risk_officer", 200, True),
        ("admin", 200, True),
        ("global_risk", 200, True),
    ],
)
def test_view_classification_permissions(client, personas, model, persona, status, form_shown):
    response = sign_in(client, personas, persona).get(PAGE)

    assert response.status_code == status
    if status == 302:
        assert response["Location"] == f"/accounts/login/?next={PAGE}"
    if status == 200:
        assert (FORM in text(response)) is form_shown


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 302),
        ("no_role", 404),
        ("other_team_lead", 404),
        ("engineer", 403),
        ("legal", 403),
        ("auditor", 403),
        ("superuser", 403),
        ("lead", 302),
        ("risk_officer", 302),
        ("admin", 302),
        ("global_risk", 302),
    ],
)
def test_confirm_classification_permissions(client, personas, model, persona, status):
    response = sign_in(client, personas, persona).post(PAGE, POSTED)

    assert response.status_code == status
    confirmed = RiskClassification.objects.filter(model=model).first()
    if persona != "anonymous" and status == 302:
        assert response["Location"] == PAGE
        assert confirmed.confirmed_by == personas[persona]
    else:
        assert confirmed is None


def test_page_shows_the_classification_its_reasons_history_and_dates(client, personas, model):
    _classify(personas, model, intended_purpose="First purpose.")
    _classify(personas, model, annex_iii_point="4(a)")  # raises the model to high

    page = text(sign_in(client, personas, "auditor").get(PAGE))

    assert "This is product guidance, not legal advice." in page
    assert "It is an Annex III point 4(a) (Employment, workers&#x27; management" in page
    assert "Proposed high: high-risk under Art. 6." in page
    assert "by <strong>risk_officer</strong>" in page
    earlier = page[page.index('id="earlier-heading"') :]
    assert "medium" in earlier[: earlier.index("</table>")]
    assert "2027-12-02" in page and "Annex III systems (was 2 Aug 2026)" in page
    assert "Regulation (EU) 2026/1744 (Digital Omnibus)" in page


def test_an_unclassified_model_says_so_and_offers_the_questionnaire(client, personas, model):
    page = text(sign_in(client, personas, "risk_officer").get(PAGE))

    assert "Not classified yet." in page
    assert FORM in page and 'name="csrfmiddlewaretoken"' in page


def test_the_form_starts_from_the_stored_answers(client, personas, model):
    _classify(personas, model, intended_purpose="Stored purpose.")

    response = sign_in(client, personas, "lead").get(PAGE)

    assert response.context["form"].initial["intended_purpose"] == "Stored purpose."
    assert response.context["form"].initial["profiles_natural_persons"] == "yes"


def test_missing_answers_are_shown_and_nothing_is_saved(client, personas, model):
    sign_in(client, personas, "risk_officer")
    posted = {**POSTED, "intended_purpose": "", "profiles_natural_persons": ""}

    with nothing_written():
        response = client.post(PAGE, posted)

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "intended_purpose": ["This field is required."],
        "profiles_natural_persons": ["Answer yes or no."],
    }
    assert "Nothing was saved: correct the answers marked below." in text(response)


def test_contradicting_answers_show_the_service_error_and_nothing_is_saved(client, personas, model):
    sign_in(client, personas, "risk_officer")
    posted = {**POSTED, "art6_3_exemption": "preparatory_task", "exemption_reasoning": "Why."}

    with nothing_written():
        response = client.post(PAGE, posted)

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["art6_3_exemption"]
    assert "An Art. 6(3) exemption applies only to an Annex III use" in text(response)


def test_an_ml_lead_is_told_a_risk_change_needs_a_risk_officer(client, personas, model):
    sign_in(client, personas, "lead")

    with nothing_written():
        response = client.post(PAGE, {**POSTED, "annex_iii_point": "5(b)"})

    assert response.status_code == 403
    assert "To change the risk level you need one of these roles" in text(response)


def test_a_post_without_csrf_token_is_refused(personas, model):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas["risk_officer"])

    with nothing_written():
        response = client.post(PAGE, POSTED)

    assert response.status_code == 403


def test_the_model_page_links_to_its_classification(client, personas, model):
    page = text(sign_in(client, personas, "engineer").get("/models/customer-churn-predictor/"))

    assert f'href="{PAGE}"' in page


@pytest.mark.parametrize("count", [2, 20])
def test_classification_page_queries_stay_fixed(
    client, personas, model, count, django_assert_max_num_queries
):
    for number in range(count):
        _classify(personas, model, intended_purpose=f"Purpose {number}.")
    sign_in(client, personas, "risk_officer")

    with django_assert_max_num_queries(10):
        response = client.get(PAGE)

    assert response.status_code == 200
    assert len(response.context["page"].earlier) == count - 1
