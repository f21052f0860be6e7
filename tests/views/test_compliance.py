"""The EU AI Act checklist in the review UI: the version's checklist page (loaded into the
version page), the overview of production versions (loaded into the dashboard), the
inventory's column and filter, and the promotion page of a high-risk version lacking
evidence. Who may see each, what it says, and query counts that do not grow."""

import pytest
from django.contrib.messages import get_messages

from governance.models import ApprovalRequest, Environment, ModelVersion, Stage
from tests.compliance.support import classified, complete_evidence, observe
from tests.db_state import nothing_written
from tests.factories import (
    COMPLETE_CARD,
    DeploymentFactory,
    ModelVersionFactory,
    RegisteredModelFactory,
)
from tests.web import sign_in, text

VERSION = "/models/customer-churn-predictor/versions/2.4.1/"
CHECKLIST = VERSION + "compliance/"
OVERVIEW = "/compliance/"
DISCLAIMER = "This is product guidance, not legal advice."


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 302),
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
def test_checklist_page_permissions(client, personas, version, persona, status):
    response = sign_in(client, personas, persona).get(CHECKLIST)

    assert response.status_code == status
    if status == 302:
        assert response["Location"] == f"/accounts/login/?next={CHECKLIST}"


def test_the_checklist_page_shows_each_article_its_items_and_the_disclaimer(
    client, personas, model
):
    complete_evidence(model, personas)

    page = text(sign_in(client, personas, "auditor").get(CHECKLIST))

    assert DISCLAIMER in page
    assert '<span class="compliance compliance-red" id="compliance-status">red</span>' in page
    assert 'id="art-10-heading">Art. 10 Data and data governance' in page
    start = page.index('id="item-art14runtime_measures"')
    row = page[start : page.index("</tr>", start)]
    assert '<span class="evidence evidence-missing">missing</span>' in row
    assert "not recorded in Tutela: keep it in the technical file" in row
    assert 'Obligations of deployers (with Art. 27): <span class="muted">A deployer' in page


def test_an_unclassified_version_says_which_articles_wait_for_the_classification(
    client, personas, version
):
    page = text(sign_in(client, personas, "lead").get(CHECKLIST))

    assert "not classified yet: only Art. 6 applies until it is" in page
    assert "the model is not classified yet (see Art. 6)." in page


def test_the_version_page_loads_the_checklist_and_says_it_is_not_legal_advice(
    client, personas, version
):
    page = text(sign_in(client, personas, "engineer").get(VERSION))

    start = page.index('id="compliance"')
    block = page[start : page.index("</section>", start)]
    assert f'hx-get="{CHECKLIST}" hx-select="#compliance-checklist"' in block
    assert f'<a href="{CHECKLIST}">Open the checklist</a>' in block
    assert DISCLAIMER in block


@pytest.mark.parametrize(
    ("persona", "status", "seen"),
    [
        ("anonymous", 302, None),
        ("no_role", 200, 0),
        ("other_team_lead", 200, 0),
        ("engineer", 200, 2),
        ("auditor", 200, 2),
    ],
)
def test_overview_counts_only_the_production_versions_one_may_see(
    client, personas, model, persona, status, seen
):
    complete_evidence(model, personas)
    other = RegisteredModelFactory(team=model.team, name="other", owner=personas["lead"])
    ModelVersionFactory(model=other, version="1.0.0", stage=Stage.PRODUCTION, **COMPLETE_CARD)

    response = sign_in(client, personas, persona).get(OVERVIEW)

    assert response.status_code == status
    if seen is not None:
        overview = response.context["overview"]
        assert overview.total == seen
        assert (
            dict(overview.statuses)["red"] == seen
        )  # Art. 11 and 13: outside Tutela; other: unclassified
        assert DISCLAIMER in text(response)


def test_the_dashboard_loads_the_overview(client, personas, version):
    page = text(sign_in(client, personas, "lead").get("/"))

    start = page.index('id="compliance"')
    assert 'hx-get="/compliance/" hx-select="#compliance-overview"' in page[start : start + 400]


def _inventory(team, personas, count: int) -> None:  # noqa: ANN001
    """count models with a production version: odd ones classified not high-risk (green),
    even ones unclassified (red)."""
    for number in range(count):
        model = RegisteredModelFactory(team=team, name=f"m-{number:03d}", owner=personas["lead"])
        if number % 2:
            classified(model, is_high_risk=False, annex_iii_point="none", proposed_risk_level="low")
        live = ModelVersionFactory(
            model=model, version="1.0.0", stage=Stage.PRODUCTION, complete=True
        )
        DeploymentFactory(version=live, environment=Environment.PRODUCTION)
        observe(live, personas)


def test_inventory_shows_the_production_versions_status_and_score(client, personas, team):
    _inventory(team, personas, 2)

    page = text(sign_in(client, personas, "lead").get("/models/"))

    link = "/models/m-001/versions/1.0.0/compliance/"
    assert (
        f'<a href="{link}"><span class="compliance compliance-green">green</span> 100%</a>' in page
    )
    assert '<span class="compliance compliance-red">red</span> 0%' in page


@pytest.mark.parametrize(
    ("status", "names"), [("red", ["m-000", "m-002"]), ("green", ["m-001", "m-003"]), ("amber", [])]
)
def test_inventory_filters_on_the_checklist_status(client, personas, team, status, names):
    _inventory(team, personas, 4)

    response = sign_in(client, personas, "lead").get("/models/", {"compliance": status})

    assert [row.model.name for row in response.context["page"].object_list] == names
    assert f'<option value="{status}" selected>' in text(response)


def test_an_unknown_checklist_status_filters_nothing(client, personas, team):
    _inventory(team, personas, 2)

    response = sign_in(client, personas, "lead").get("/models/", {"compliance": "purple"})

    assert response.context["filters"].compliance == ""
    assert len(response.context["page"].object_list) == 2


@pytest.mark.parametrize("count", [2, 20])
@pytest.mark.parametrize("persona", ["lead", "auditor"])
def test_inventory_queries_stay_fixed_with_the_checklist_filter(
    client, personas, team, django_assert_max_num_queries, count, persona
):
    _inventory(team, personas, count)
    sign_in(client, personas, persona)

    with django_assert_max_num_queries(15):
        response = client.get("/models/", {"compliance": "red", "sort": "-age"})

    assert len(response.context["page"].object_list) == count // 2


def test_a_high_risk_version_lacking_evidence_is_refused_with_the_list(client, personas, model):
    classified(model)
    version = ModelVersionFactory(
        model=model, version="3.0.0", stage=Stage.STAGING, **COMPLETE_CARD
    )
    url = "/models/customer-churn-predictor/versions/3.0.0/"
    sign_in(client, personas, "lead")

    page = text(client.get(url + "request/"))
    with nothing_written():
        posted = client.post(
            url + "request/", {"target_stage": "production", "justification": "Go."}
        )

    start = page.index('id="card-check"')
    check = page[start : page.index("</section>", start)]
    assert (
        f'<a href="{url}compliance/">Art. 10: Bias findings and mitigations</a> '
        '<span class="muted small">(EU AI Act evidence of a high-risk version)</span>' in check
    )
    assert posted.status_code == 409
    assert [str(m) for m in get_messages(posted.wsgi_request)] == [
        "Nothing was requested. Card incomplete: Art. 10: Bias findings and mitigations, "
        "Art. 11: Annex IV 1(d) Forms in which the system is placed on the market or put into "
        "service, Art. 15: Integrity, robustness and security testing."
    ]
    assert not ApprovalRequest.objects.filter(version=version).exists()
    assert "needs these card fields: Art. 10" in text(client.get(url))
    assert ModelVersion.objects.get(pk=version.pk).stage == Stage.STAGING


@pytest.mark.parametrize("count", [2, 20])
@pytest.mark.parametrize("persona", ["lead", "auditor", "no_role"])
def test_overview_queries_do_not_grow_with_versions(
    client, personas, team, django_assert_max_num_queries, count, persona
):
    _inventory(team, personas, count)
    sign_in(client, personas, persona)

    with django_assert_max_num_queries(8):
        response = client.get(OVERVIEW)

    assert response.context["overview"].total == (0 if persona == "no_role" else count)
