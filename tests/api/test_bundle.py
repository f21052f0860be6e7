"""GET /api/v1/models/{name}/audit-bundle.zip: the auditor's bundle over the API, for
everyone who may see the model, whatever Accept says; documented as a binary response."""

import io
import json
import sys
import zipfile

import pytest

from tests.pdf_support import NoPango

URL = "/api/v1/models/customer-churn-predictor/audit-bundle.zip"


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 401),
        ("no_role", 404),
        ("other_team_lead", 404),
        ("engineer", 200),
        ("lead", 200),
        ("legal", 200),
        ("auditor", 200),
        ("global_risk", 200),
        ("superuser", 200),
    ],
)
def test_bundle_permissions(api_as, version, persona, status):
    assert api_as(persona).get(URL).status_code == status


def test_the_bundle_is_a_zip_attachment_whatever_accept_says(api_as, version):
    response = api_as("auditor").get(URL, Accept="application/json")

    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="customer-churn-predictor-audit-bundle-'
    )
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert "versions/2.4.1/card.pdf" in archive.namelist()
    assert manifest["generated_by"] == "auditor"


def test_a_model_out_of_sight_is_a_problem_details_404(api_as, version):
    response = api_as("other_team_lead").get(URL)

    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 404


def test_without_pango_the_bundle_is_a_503_problem(api_as, version, monkeypatch):
    monkeypatch.setitem(sys.modules, "governance.docs.pdf", NoPango("governance.docs.pdf"))

    response = api_as("auditor").get(URL)

    assert response.status_code == 503
    assert "libpango" in response.json()["detail"]


def test_the_schema_documents_a_zip_download(api_as):
    schema = api_as("auditor").get("/api/schema/?format=json").json()

    operation = schema["paths"]["/api/v1/models/{name}/audit-bundle.zip"]["get"]
    assert operation["operationId"] == "v1_models_audit_bundle"
    assert operation["responses"]["200"]["content"] == {
        "application/zip": {"schema": {"type": "string", "format": "binary"}}
    }
    assert {"401", "404"} <= set(operation["responses"])
