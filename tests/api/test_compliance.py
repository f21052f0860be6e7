"""GET /api/v1/models/{name}/versions/{version}/compliance/ (who may read it, what it
holds), and the transitions endpoint's 409 for a high-risk version lacking evidence."""

import pytest

from governance.models import Stage
from tests.compliance.support import classify, complete_evidence
from tests.db_state import nothing_written
from tests.factories import COMPLETE_CARD, HIGH_RISK_CARD, ModelVersionFactory

URL = "/api/v1/models/customer-churn-predictor/versions/2.4.1/compliance/"


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 401),
        ("no_role", 404),
        ("other_team_lead", 404),
        ("engineer", 200),
        ("lead", 200),
        ("risk_officer", 200),
        ("legal", 200),
        ("global_risk", 200),
        ("auditor", 200),
        ("superuser", 200),
    ],
)
def test_read_checklist_permissions(api_as, version, persona, status):
    response = api_as(persona).get(URL)

    assert response.status_code == status
    if status != 200:
        assert response["Content-Type"] == "application/problem+json"


def test_the_checklist_has_every_article_with_its_items_status_and_reasons(api_as, personas, model):
    complete_evidence(model, personas)

    body = api_as("auditor").get(URL).json()

    assert (body["model"], body["version"], body["stage"]) == (
        "customer-churn-predictor",
        "2.4.1",
        "production",
    )
    assert (body["high_risk"], body["organisation_role"], body["status"]) == (
        True,
        "provider",
        "red",
    )
    assert 0 < body["score"] < 100
    assert body["note"] == "This is product guidance, not legal advice."
    articles = {article["article"]: article for article in body["articles"]}
    assert list(articles) == ["6", "9", "10", "11", "12", "13", "14", "15", "17", "26", "72", "73"]
    assert articles["10"]["status"] == "green"
    assert articles["10"]["due_from"] == "2027-12-02"
    assert articles["26"] == {
        "article": "26",
        "title": "Obligations of deployers (with Art. 27)",
        "status": "not_applicable",
        "reason": "A deployer's duty; the organisation is the provider.",
        "due_from": None,
        "not_yet_due": False,
        "items": [],
    }
    item = next(i for i in articles["14"]["items"] if i["key"] == "art14.runtime_measures")
    assert item == {
        "key": "art14.runtime_measures",
        "title": "Override, stop and automation-bias measures in the system",
        "level": "must",
        "state": "missing",
        "looked_at": "runtime oversight measures (Art. 14(4)(b), (d), (e))",
        "reason": "not recorded in Tutela: keep it in the technical file",
    }
    assert len(articles["11"]["items"]) == 29  # every Annex IV item


def test_an_unknown_version_is_not_found(api_as, model):
    response = api_as("lead").get(URL.replace("2.4.1", "9.9.9"))

    assert response.status_code == 404


def _ask(client, version):  # noqa: ANN001, ANN202
    url = f"/api/v1/models/{version.model.name}/versions/{version.version}/transitions/"
    return client.post(url, {"target_stage": "production", "justification": "Ready."})


def test_a_high_risk_version_lacking_evidence_gets_409_with_what_is_missing(
    api_as, personas, model
):
    classify(model, personas)
    version = ModelVersionFactory(
        model=model, version="3.0.0", stage=Stage.STAGING, **COMPLETE_CARD
    )

    client = api_as("lead")

    with nothing_written():
        response = _ask(client, version)

    assert response.status_code == 409
    assert response.json()["missing"] == [
        "Art. 10: Bias findings and mitigations",
        "Art. 11: Annex IV 1(d) Forms in which the system is placed on the market or put into "
        "service",
        "Art. 15: Integrity, robustness and security testing",
    ]


def test_a_high_risk_version_with_its_evidence_is_requested(api_as, personas, model):
    classify(model, personas)
    version = ModelVersionFactory(
        model=model, version="3.0.0", stage=Stage.STAGING, **HIGH_RISK_CARD
    )

    response = _ask(api_as("lead"), version)

    assert response.status_code == 201
    assert response.json()["required_roles"] == ["legal", "ml_lead", "risk_officer"]
