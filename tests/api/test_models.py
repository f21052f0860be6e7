"""Models API: who may list, register, read and edit registered models; filters (team,
stage, risk, search, tags); tags set on registration and merged on PATCH; bad input
refused with nothing written; a query bound on the list."""

import pytest

from governance.models import AuditEvent, AuditEventType, ModelTag, RegisteredModel
from governance.services.tags import model_tags_set
from tests.db_state import nothing_written
from tests.factories import ModelVersionFactory, RegisteredModelFactory
from tests.workflows import promote

MODELS = "/api/v1/models/"
CHURN = MODELS + "customer-churn-predictor/"
NEW = {
    "name": "fraud-scorer",
    "team": "fraud",
    "description": "Scores card transactions.",
    "tags": {"domain": "payments", "ticket/id": "GOV-12"},
}


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 401),
        ("no_role", 200),
        ("other_team_lead", 200),
        ("engineer", 200),
        ("auditor", 200),
        ("superuser", 200),
    ],
)
def test_list_permissions(api_as, model, persona, status):
    assert api_as(persona).get(MODELS).status_code == status


@pytest.mark.parametrize(
    ("persona", "names"),
    [
        ("no_role", []),
        ("other_team_lead", ["other-model"]),
        ("engineer", ["customer-churn-predictor"]),
        ("auditor", ["customer-churn-predictor", "other-model"]),
        ("global_risk", ["customer-churn-predictor", "other-model"]),
    ],
)
def test_list_shows_only_visible_models(api_as, model, other_team, persona, names):
    RegisteredModelFactory(name="other-model", team=other_team)
    results = api_as(persona).get(MODELS).json()["results"]
    assert [row["name"] for row in results] == names


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 401),
        ("no_role", 403),
        ("other_team_lead", 403),
        ("auditor", 403),
        ("risk_officer", 403),
        ("legal", 403),
        ("engineer", 201),
        ("lead", 201),
    ],
)
def test_register_permissions(api_as, personas, persona, status):
    response = api_as(persona).post(MODELS, NEW)
    assert response.status_code == status, response.content
    assert RegisteredModel.objects.filter(name="fraud-scorer").exists() == (status == 201)


def test_register_sets_owner_tags_and_one_audit_event(api_as, personas):
    response = api_as("engineer").post(MODELS, NEW)
    body = response.json()
    assert body["owner"] == "engineer"
    assert body["team"] == "fraud"
    assert body["tags"] == {"domain": "payments", "ticket/id": "GOV-12"}
    assert body["production_version"] is None
    [event] = AuditEvent.objects.filter(event_type=AuditEventType.MODEL_REGISTERED)
    assert event.details_data["tags"] == NEW["tags"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**NEW, "name": "Bad Name"}, "name"),
        ({**NEW, "team": "nowhere"}, "team"),
        ({**NEW, "owner": "nobody"}, "owner"),
        ({**NEW, "risk_level": "extreme"}, "risk_level"),
        ({**NEW, "tags": {"bad key": "x"}}, "tags"),
        ({**NEW, "tags": {"k": "v" * 5001}}, "tags"),
        ({**NEW, "tags": ["a"]}, "tags"),
        ({**NEW, "grace_period_days": 0}, "grace_period_days"),
        ({**NEW, "description": "nul\x00"}, "description"),
    ],
)
def test_register_refuses_bad_input_and_writes_nothing(api_as, personas, body, field):
    client = api_as("engineer")
    with nothing_written():
        response = client.post(MODELS, body)
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert field in response.json()["errors"]


def test_register_an_existing_name_is_a_conflict(api_as, model):
    client = api_as("lead")
    with nothing_written():
        response = client.post(MODELS, {**NEW, "name": model.name})
    assert response.status_code == 409


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 401),
        ("no_role", 404),
        ("other_team_lead", 404),
        ("engineer", 200),
        ("auditor", 200),
    ],
)
def test_detail_permissions(api_as, model, persona, status):
    assert api_as(persona).get(CHURN).status_code == status


def test_detail_names_the_production_version(api_as, personas, version):
    promote(version, personas, "staging")
    promote(version, personas, "production")
    assert api_as("engineer").get(CHURN).json()["production_version"] == "2.4.1"


@pytest.mark.parametrize(
    ("persona", "body", "status"),
    [
        ("engineer", {"description": "New text."}, 403),  # ml_lead or admin edit the model
        ("lead", {"description": "New text."}, 200),
        ("lead", {"risk_level": "high"}, 403),  # risk officers and admins set the risk
        ("risk_officer", {"risk_level": "high"}, 200),
        ("engineer", {"tags": {"domain": "churn"}}, 200),
        ("risk_officer", {"tags": {"domain": "churn"}}, 403),
        ("auditor", {"description": "x"}, 403),
        ("other_team_lead", {"description": "x"}, 404),
    ],
)
def test_patch_permissions(api_as, model, persona, body, status):
    response = api_as(persona).patch(CHURN, body)
    assert response.status_code == status, response.content


def test_patch_merges_tags_and_null_removes_one(api_as, model, personas):
    model_tags_set(actor=personas["lead"], model_id=model.pk, tags={"a": "1", "b": "2"})
    response = api_as("lead").patch(CHURN, {"tags": {"b": None, "c": "3"}})
    assert response.json()["tags"] == {"a": "1", "c": "3"}
    event = AuditEvent.objects.filter(event_type=AuditEventType.TAGS_CHANGED).last()
    assert event.details_data["before"] == {"b": "2", "c": None}
    assert event.details_data["after"] == {"b": None, "c": "3"}


def test_patch_refuses_unknown_fields_types_and_writes_nothing(api_as, model):
    client = api_as("lead")
    with nothing_written():
        assert client.patch(CHURN, {"risk_level": 3}).status_code == 400
        assert client.patch(CHURN, {"tags": {"x": 5}}).status_code == 400
        assert client.patch(CHURN, {"owner": "nobody"}).status_code == 400


@pytest.fixture
def catalogue(personas, team, other_team, model):
    """Models to filter: tags, teams, risks and a production version."""
    fraud = RegisteredModelFactory(name="fraud-scorer", team=team, risk_level="high")
    RegisteredModelFactory(name="ads-ranker", team=other_team)
    model_tags_set(actor=personas["lead"], model_id=model.pk, tags={"domain": "retail"})
    model_tags_set(
        actor=personas["lead"], model_id=fraud.pk, tags={"domain": "payments", "pci": "yes:1"}
    )
    promote(ModelVersionFactory(model=fraud, complete=True), personas, "staging")


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("", ["ads-ranker", "customer-churn-predictor", "fraud-scorer"]),
        ("?team=marketing", ["ads-ranker"]),
        ("?risk_level=high", ["fraud-scorer"]),
        ("?stage=staging", ["fraud-scorer"]),
        ("?search=cust", ["customer-churn-predictor"]),
        ("?search=SCORER", ["fraud-scorer"]),
        ("?tag=domain", ["customer-churn-predictor", "fraud-scorer"]),
        ("?tag=domain:payments", ["fraud-scorer"]),
        ("?tag=pci:yes:1", ["fraud-scorer"]),  # the first ':' splits key and value
        ("?tag=domain&tag=pci", ["fraud-scorer"]),
        ("?tag=domain:retail&tag=pci", []),
        ("?tag=missing", []),
    ],
)
def test_list_filters(api_as, catalogue, query, names):
    response = api_as("global_risk").get(MODELS + query)
    assert [row["name"] for row in response.json()["results"]] == names


@pytest.mark.parametrize(
    "query",
    ["?stage=live", "?risk_level=huge", "?tag=bad key", "?tag=:v", "?search=" + "x" * 101],
)
def test_list_refuses_bad_filters(api_as, model, query):
    response = api_as("lead").get(MODELS + query)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"


def test_list_pages_with_a_cursor(api_as, personas, team):
    for index in range(5):
        RegisteredModelFactory(name=f"model-{index}", team=team)
    client = api_as("lead")
    first = client.get(MODELS + "?page_size=3").json()
    second = client.get(first["next"]).json()
    names = [row["name"] for row in first["results"] + second["results"]]
    assert names == [f"model-{index}" for index in range(5)]
    assert second["next"] is None


@pytest.mark.parametrize("count", [2, 20])
def test_list_queries_do_not_grow_with_rows(
    api_as, personas, team, count, django_assert_max_num_queries
):
    for index in range(count):
        created = RegisteredModelFactory(name=f"model-{index:02d}", team=team)
        ModelTag.objects.create(model=created, key="k", value="v", value_sha256="0" * 64)
    client = api_as("lead")
    with django_assert_max_num_queries(8):
        response = client.get(MODELS + "?page_size=50")
    assert len(response.json()["results"]) == count


def test_text_fields_refuse_numbers_and_write_nothing(api_as, model, team):
    client = api_as("lead")
    with nothing_written():
        assert client.patch(CHURN, {"description": 5}).status_code == 400
        assert client.post(MODELS, {"name": 2024, "team": team.slug}).status_code == 400
