"""The inventory (/models/): who sees which models, what a row shows (production version,
endpoints, age since training, latest metrics with the card as fallback), filters, sorting,
pagination that keeps the filters, bad input that never fails, and the query count."""

import datetime

import pytest
from django.utils import timezone

from governance.models import Environment, ModelVersion, RegisteredModel, Stage
from tests.factories import (
    COMPLETE_CARD,
    DeploymentFactory,
    MetricObservationFactory,
    ModelVersionFactory,
    RegisteredModelFactory,
    RetirementAlertFactory,
)
from tests.web import sign_in, text

INVENTORY = "/models/"


def names(response) -> list[str]:  # noqa: ANN001
    return [row.model.name for row in response.context["page"].object_list]


def at(day: int, hour: int = 12) -> datetime.datetime:
    return datetime.datetime(2026, 11, day, hour, tzinfo=datetime.UTC)


@pytest.fixture
def production(model) -> ModelVersion:
    """customer-churn-predictor 2.3.0 serves production, trained on 2026-10-01."""
    return ModelVersionFactory(model=model, version="2.3.0", stage=Stage.PRODUCTION, complete=True)


@pytest.fixture
def catalog(production, team, other_team, personas) -> dict[str, RegisteredModel]:
    """Three models: churn (fraud, medium, in production), scorer (fraud, high, development
    only, with an open alert) and campaign (marketing, low, in production since longer)."""
    scorer = RegisteredModelFactory(name="fraud-scorer", team=team, risk_level="high")
    RetirementAlertFactory(version=ModelVersionFactory(model=scorer, version="0.1.0"))
    campaign = RegisteredModelFactory(name="campaign-uplift", team=other_team, risk_level="low")
    ModelVersionFactory(
        model=campaign,
        version="9.9.9",
        stage=Stage.PRODUCTION,
        **{**COMPLETE_CARD, "training_date": datetime.date(2026, 6, 1)},
    )
    return {"churn": production.model, "scorer": scorer, "campaign": campaign}


# --- who may see it -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status", "visible"),
    [
        ("anonymous", 302, []),
        ("no_role", 200, []),
        ("other_team_lead", 200, ["campaign-uplift"]),
        ("engineer", 200, ["customer-churn-predictor", "fraud-scorer"]),
        ("lead", 200, ["customer-churn-predictor", "fraud-scorer"]),
        ("risk_officer", 200, ["customer-churn-predictor", "fraud-scorer"]),
        ("legal", 200, ["customer-churn-predictor", "fraud-scorer"]),
        ("auditor", 200, ["campaign-uplift", "customer-churn-predictor", "fraud-scorer"]),
        ("admin", 200, ["customer-churn-predictor", "fraud-scorer"]),
    ],
)
def test_inventory_permissions(client, personas, catalog, persona, status, visible):
    response = sign_in(client, personas, persona).get(INVENTORY)

    assert response.status_code == status
    if status == 302:
        assert response["Location"] == "/accounts/login/?next=/models/"
        return
    assert names(response) == visible
    for model in catalog.values():
        assert (f'href="/models/{model.name}/"' in text(response)) is (model.name in visible)


def test_inventory_refuses_post(client, personas):
    response = sign_in(client, personas, "lead").post(INVENTORY)

    assert response.status_code == 405


def test_team_choices_are_the_teams_whose_models_i_see(client, personas, catalog):
    response = sign_in(client, personas, "lead").get(INVENTORY)

    assert response.context["teams"] == [("fraud", "Fraud")]
    assert '<option value="marketing"' not in text(response)


# --- the rows -------------------------------------------------------------------------


def test_row_shows_the_production_version_endpoints_age_and_latest_metrics(
    client, personas, production
):
    DeploymentFactory(version=production, endpoint="churn-api", environment="production")
    DeploymentFactory(version=production, endpoint="churn-canary", environment="staging")
    DeploymentFactory(version=production, endpoint="churn-old", active=False)
    MetricObservationFactory(version=production, name="accuracy", value=0.87, observed_at=at(1))
    MetricObservationFactory(version=production, name="accuracy", value=0.89, observed_at=at(3))
    MetricObservationFactory(version=production, name="drift_score", value=0.12, observed_at=at(2))

    response = sign_in(client, personas, "lead").get(INVENTORY)

    [row] = response.context["page"].object_list
    assert row.production_version == "2.3.0"
    assert row.endpoints == [("production", "churn-api"), ("staging", "churn-canary")]
    assert row.age_days == (timezone.localdate() - datetime.date(2026, 10, 1)).days
    assert [(m.name, m.value, m.from_card) for m in row.metrics] == [
        ("accuracy", 0.89, False),
        ("auc", 0.94, True),
        ("drift_score", 0.12, False),
    ]
    page = text(response)
    assert "production: <code>churn-api</code>" in page
    assert "churn-old" not in page
    assert 'auc <span class="metric-value">0.940</span> <span class="badge badge-card"' in page
    assert f"{row.age_days} days" in page


def test_latest_metrics_are_per_version_and_name(client, personas, production, catalog):
    campaign = ModelVersion.objects.get(version="9.9.9")
    MetricObservationFactory(version=production, name="auc", value=0.5, observed_at=at(5))
    MetricObservationFactory(version=production, name="auc", value=0.6, observed_at=at(4))
    MetricObservationFactory(version=campaign, name="auc", value=0.7, observed_at=at(9))
    MetricObservationFactory(version=campaign, name="auc", value=0.8, observed_at=at(8))

    response = sign_in(client, personas, "auditor").get(INVENTORY)

    metrics = {row.model.name: row.metrics for row in response.context["page"].object_list}
    assert [(m.name, m.value) for m in metrics["customer-churn-predictor"]] == [
        ("accuracy", 0.91),
        ("auc", 0.5),
    ]
    assert [(m.name, m.value) for m in metrics["campaign-uplift"]] == [
        ("accuracy", 0.91),
        ("auc", 0.7),
    ]
    assert metrics["fraud-scorer"] == []


def test_a_model_without_production_version_says_none(client, personas, catalog):
    response = sign_in(client, personas, "lead").get(INVENTORY)

    scorer = next(r for r in response.context["page"].object_list if r.model.name == "fraud-scorer")
    assert (scorer.production_version, scorer.endpoints, scorer.age_days) == (None, [], None)
    row_html = text(response).split('href="/models/fraud-scorer/"')[1].split("</tr>")[0]
    assert '<span class="muted">none</span>' in row_html


def test_card_text_in_rows_is_escaped(client, personas, model):
    ModelVersionFactory(
        model=model,
        stage=Stage.PRODUCTION,
        evaluation_metrics={"<b>x</b>": 1.0},
    )

    response = sign_in(client, personas, "lead").get(INVENTORY)

    assert "<b>x</b>" not in text(response)
    assert "&lt;b&gt;x&lt;/b&gt;" in text(response)


# --- filters --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["campaign-uplift", "customer-churn-predictor", "fraud-scorer"]),
        ("team=fraud", ["customer-churn-predictor", "fraud-scorer"]),
        ("team=marketing", ["campaign-uplift"]),
        ("stage=production", ["campaign-uplift", "customer-churn-predictor"]),
        ("stage=development", ["fraud-scorer"]),
        ("stage=retired", []),
        ("risk=high", ["fraud-scorer"]),
        ("risk=low", ["campaign-uplift"]),
        ("alerts=1", ["fraud-scorer"]),
        ("q=CHURN", ["customer-churn-predictor"]),
        ("q=u", ["campaign-uplift", "customer-churn-predictor", "fraud-scorer"]),
        ("team=fraud&stage=production&risk=medium", ["customer-churn-predictor"]),
        ("team=fraud&risk=low", []),
    ],
)
def test_filters(client, personas, catalog, query, expected):
    response = sign_in(client, personas, "auditor").get(f"{INVENTORY}?{query}")

    assert names(response) == expected


def test_acknowledged_alerts_count_as_open_and_resolved_ones_do_not(client, personas, catalog):
    RetirementAlertFactory(version=ModelVersion.objects.get(version="2.3.0"), status="acknowledged")
    RetirementAlertFactory(version=ModelVersion.objects.get(version="9.9.9"), status="resolved")

    response = sign_in(client, personas, "auditor").get(f"{INVENTORY}?alerts=1")

    assert names(response) == ["customer-churn-predictor", "fraud-scorer"]


def test_filter_form_has_a_label_for_every_control_and_keeps_the_values(client, personas, catalog):
    response = sign_in(client, personas, "auditor").get(
        f"{INVENTORY}?q=churn&team=fraud&stage=production&risk=medium&alerts=1&sort=-age"
    )

    page = text(response)
    assert '<form method="get"' in page
    for control in ("filter-q", "filter-team", "filter-stage", "filter-risk", "filter-alerts"):
        assert f'<label for="{control}">' in page
        assert f'id="{control}"' in page
    assert 'name="q" value="churn"' in page
    assert '<option value="fraud" selected>' in page
    assert '<option value="production" selected>' in page
    assert '<option value="medium" selected>' in page
    assert 'name="alerts" value="1" checked' in page
    assert '<input type="hidden" name="sort" value="-age">' in page


@pytest.mark.parametrize(
    "query",
    [
        "stage=nope",
        "risk=extreme",
        "team=nobody",
        "alerts=yes",
        "page=abc",
        "page=-1",
        "page=0",
        "page=99999",
        "page=1e9",
        "sort=evil",
        "sort=-",
        "sort=--name",
        "sort=name;drop",
        "stage=production%00",
        "q=%00",
        "q=%20%00%20",
    ],
)
def test_bad_filter_values_are_ignored(client, personas, catalog, query):
    response = sign_in(client, personas, "auditor").get(f"{INVENTORY}?{query}")

    assert response.status_code == 200
    assert names(response) == ["campaign-uplift", "customer-churn-predictor", "fraud-scorer"]


def test_a_long_search_is_cut_not_refused(client, personas, catalog):
    response = sign_in(client, personas, "auditor").get(f"{INVENTORY}?q={'a' * 5000}")

    assert response.status_code == 200
    assert response.context["filters"].q == "a" * 100


# --- sorting --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["campaign-uplift", "customer-churn-predictor", "fraud-scorer"]),
        ("-name", ["fraud-scorer", "customer-churn-predictor", "campaign-uplift"]),
        ("team", ["customer-churn-predictor", "fraud-scorer", "campaign-uplift"]),
        ("-team", ["campaign-uplift", "customer-churn-predictor", "fraud-scorer"]),
        ("risk", ["campaign-uplift", "customer-churn-predictor", "fraud-scorer"]),
        ("-risk", ["fraud-scorer", "customer-churn-predictor", "campaign-uplift"]),
        # Models without a production version come last in both directions.
        ("production", ["customer-churn-predictor", "campaign-uplift", "fraud-scorer"]),
        ("-production", ["campaign-uplift", "customer-churn-predictor", "fraud-scorer"]),
        ("age", ["customer-churn-predictor", "campaign-uplift", "fraud-scorer"]),
        ("-age", ["campaign-uplift", "customer-churn-predictor", "fraud-scorer"]),
    ],
)
def test_sorting(client, personas, catalog, sort, expected):
    response = sign_in(client, personas, "auditor").get(f"{INVENTORY}?sort={sort}")

    assert names(response) == expected


def test_sort_links_toggle_the_direction_and_keep_the_filters(client, personas, catalog):
    response = sign_in(client, personas, "auditor").get(f"{INVENTORY}?risk=low&sort=risk&page=1")

    page = text(response)
    assert '<th scope="col" aria-sort="ascending">' in page
    assert '<a href="?risk=low&amp;sort=-risk">Risk' in page
    assert '<a href="?risk=low&amp;sort=team">Team</a>' in page
    assert '<a href="?risk=low&amp;sort=age">Age since training</a>' in page


def test_a_descending_column_links_back_to_ascending(client, personas, catalog):
    response = sign_in(client, personas, "auditor").get(f"{INVENTORY}?sort=-age")

    page = text(response)
    assert 'aria-sort="descending"' in page
    assert '<a href="?sort=age">Age since training' in page


# --- pagination -----------------------------------------------------------------------


@pytest.fixture
def many(team, personas) -> None:
    """120 models of the fraud team: three pages."""
    RegisteredModel.objects.bulk_create(
        RegisteredModel(name=f"bulk-{number:03d}", team=team, owner=personas["lead"])
        for number in range(120)
    )


@pytest.mark.parametrize(
    ("page_param", "number", "first", "rows"),
    [
        ("1", 1, "bulk-000", 50),
        ("2", 2, "bulk-050", 50),
        ("3", 3, "bulk-100", 20),
        ("99999", 3, "bulk-100", 20),
        ("abc", 1, "bulk-000", 50),
        ("", 1, "bulk-000", 50),
    ],
)
def test_pages_of_fifty(client, personas, many, page_param, number, first, rows):
    response = sign_in(client, personas, "lead").get(f"{INVENTORY}?page={page_param}")

    current = response.context["page"]
    assert (current.number, names(response)[0], len(current.object_list)) == (number, first, rows)
    assert f"Page {number} of 3" in text(response)


def test_page_links_keep_the_filters_and_the_sort(client, personas, many):
    response = sign_in(client, personas, "lead").get(f"{INVENTORY}?q=bulk&sort=-name&page=2")

    page = text(response)
    assert names(response)[0] == "bulk-069"
    assert '<a href="?q=bulk&amp;sort=-name&amp;page=3" rel="next">Next</a>' in page
    assert '<a href="?q=bulk&amp;sort=-name&amp;page=1" rel="prev">Previous</a>' in page


def test_an_empty_result_says_so(client, personas, catalog):
    response = sign_in(client, personas, "lead").get(f"{INVENTORY}?q=nothing-like-this")

    assert "No model matches these filters." in text(response)


# --- queries --------------------------------------------------------------------------


def populate(team, count: int) -> None:  # noqa: ANN001
    """count models, each with a production version serving two endpoints, two metric
    series of three points, a staging version and an open alert."""
    for number in range(count):
        model = RegisteredModelFactory(team=team, name=f"m-{number:03d}")
        live = ModelVersionFactory(
            model=model, version="1.0.0", stage=Stage.PRODUCTION, complete=True
        )
        ModelVersionFactory(model=model, version="1.1.0", stage=Stage.STAGING)
        for environment in (Environment.PRODUCTION, Environment.STAGING):
            DeploymentFactory(version=live, environment=environment)
        for day in (1, 2, 3):
            for name in ("accuracy", "drift_score"):
                MetricObservationFactory(version=live, name=name, observed_at=at(day))
        RetirementAlertFactory(version=live)


@pytest.mark.parametrize("count", [2, 200])
@pytest.mark.parametrize("persona", ["lead", "global_risk", "auditor", "no_role"])
@pytest.mark.parametrize(
    "query", ["", "?team=fraud&stage=production&risk=medium&alerts=1&q=m-&sort=-age&page=2"]
)
def test_inventory_queries_do_not_grow_with_models(
    client, personas, team, django_assert_max_num_queries, count, persona, query
):
    populate(team, count)
    sign_in(client, personas, persona)

    with django_assert_max_num_queries(15):
        response = client.get(f"{INVENTORY}{query}")

    assert response.status_code == 200
