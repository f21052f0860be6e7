"""Card exports over the API: card.md and card.json are the card's own renderings, for
everyone who may see the version, whatever Accept header a client sends."""

import json

import pytest

from governance.models import Stage
from tests.factories import ModelVersionFactory
from tests.workflows import promote

VERSION = "/api/v1/models/customer-churn-predictor/versions/2.4.1/"
MARKDOWN = VERSION + "card.md"
JSON = VERSION + "card.json"


@pytest.mark.parametrize("path", [MARKDOWN, JSON])
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
        ("admin", 200),
        ("auditor", 200),
        ("global_risk", 200),
        ("superuser", 200),
    ],
)
def test_export_permissions(api_as, version, path, persona, status):
    assert api_as(persona).get(path).status_code == status


def test_markdown_export_is_the_cards_markdown(api_as, personas, version):
    promote(version, personas, Stage.STAGING)
    version.refresh_from_db()

    response = api_as("auditor").get(MARKDOWN)

    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response.content.decode() == version.to_markdown()
    assert response.content.decode().startswith("# Model card: customer-churn-predictor 2.4.1\n")
    assert "- **stage**: staging" in response.content.decode()


def test_json_export_is_the_cards_dict(api_as, personas, version):
    promote(version, personas, Stage.STAGING)
    approval = promote(version, personas, Stage.PRODUCTION)
    version.refresh_from_db()

    response = api_as("auditor").get(JSON)

    assert response["Content-Type"] == "application/json"
    card = response.json()
    assert card == json.loads(json.dumps(version.to_dict()))
    assert card["identity"]["stage"] == "production"
    assert card["governance"]["approval_date"] == approval.decided_at.isoformat()
    assert card["training"]["training_date"] == "2026-10-01"


def test_exports_keep_unicode_text_readable(api_as, model):
    ModelVersionFactory(model=model, version="2.4.1", intended_use="Scores — für Kündigung")
    client = api_as("engineer")

    assert "Scores — für Kündigung" in client.get(JSON).content.decode()
    assert "Scores — für Kündigung" in client.get(MARKDOWN).content.decode()


@pytest.mark.parametrize(
    "accept", ["text/markdown", "application/json", "text/html", "application/xml", "*/*"]
)
@pytest.mark.parametrize(
    ("path", "content_type"),
    [(MARKDOWN, "text/markdown; charset=utf-8"), (JSON, "application/json")],
)
def test_the_path_names_the_format_whatever_the_accept_header(
    api_as, version, accept, path, content_type
):
    response = api_as("engineer").get(path, Accept=accept)

    assert (response.status_code, response["Content-Type"]) == (200, content_type)


@pytest.mark.parametrize("path", [MARKDOWN, JSON])
def test_a_format_parameter_is_ignored(api_as, version, path):
    assert api_as("engineer").get(path + "?format=xml").status_code == 200


@pytest.mark.parametrize("path", [MARKDOWN, JSON])
def test_refusals_are_problem_details_even_when_markdown_is_asked(api_as, version, path):
    response = api_as("no_role").get(path, Accept="text/markdown")

    assert (response.status_code, response["Content-Type"]) == (404, "application/problem+json")
    assert response.json()["detail"] == "No such version, or you may not see it."


@pytest.mark.parametrize("suffix", ["card.md", "card.json"])
@pytest.mark.parametrize(
    "version_path",
    [
        "/api/v1/models/customer-churn-predictor/versions/9.9.9/",
        "/api/v1/models/customer-churn-predictor/versions/2.4.1%00/",
        "/api/v1/models/customer-churn-predictor%00/versions/2.4.1/",
        "/api/v1/models/" + "x" * 5_000 + "/versions/2.4.1/",
        "/api/v1/models/customer-churn-predictor/versions/" + "9" * 5_000 + "/",
    ],
)
def test_unknown_or_hostile_versions_are_not_found(api_as, version, version_path, suffix):
    assert api_as("lead").get(version_path + suffix).status_code == 404


@pytest.mark.parametrize("path", [MARKDOWN, JSON])
def test_exports_are_read_only(api_as, version, path):
    client = api_as("lead")

    assert (client.post(path).status_code, client.patch(path).status_code) == (405, 405)


def test_exports_of_unusual_version_numbers(api_as, model):
    ModelVersionFactory(model=model, version="1.0.0-rc.1+build.5")
    path = "/api/v1/models/customer-churn-predictor/versions/1.0.0-rc.1+build.5/card.json"

    response = api_as("engineer").get(path)

    assert response.json()["identity"]["version"] == "1.0.0-rc.1+build.5"
