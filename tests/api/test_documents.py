"""Documents over the API: the card as PDF and the Annex IV technical documentation as
Markdown and PDF, for everyone who may see the version, whatever Accept header is sent."""

import sys

import pytest

from governance.docs.exports import annex_iv_markdown
from tests.pdf_support import NoPango

VERSION = "/api/v1/models/customer-churn-predictor/versions/2.4.1/"
CARD_PDF = VERSION + "card.pdf"
ANNEX_MD = VERSION + "annex-iv.md"
ANNEX_PDF = VERSION + "annex-iv.pdf"


@pytest.mark.parametrize("path", [CARD_PDF, ANNEX_MD, ANNEX_PDF])
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
def test_document_permissions(api_as, version, path, persona, status):
    assert api_as(persona).get(path).status_code == status


@pytest.mark.parametrize(
    ("path", "content_type", "filename"),
    [
        (CARD_PDF, "application/pdf", "customer-churn-predictor-2.4.1-card.pdf"),
        (ANNEX_MD, "text/markdown; charset=utf-8", "customer-churn-predictor-2.4.1-annex-iv.md"),
        (ANNEX_PDF, "application/pdf", "customer-churn-predictor-2.4.1-annex-iv.pdf"),
    ],
)
@pytest.mark.parametrize("accept", ["application/json", "text/html", "*/*"])
def test_the_path_names_the_format_whatever_the_accept_header(
    api_as, version, path, content_type, filename, accept
):
    response = api_as("engineer").get(path, Accept=accept)

    assert (response.status_code, response["Content-Type"]) == (200, content_type)
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'


def test_annex_iv_markdown_is_the_document(api_as, version):
    body = api_as("auditor").get(ANNEX_MD).content.decode()

    expected = annex_iv_markdown(version)
    assert body.split("- **Generated**")[0] == expected.split("- **Generated**")[0]
    assert "## 9. Post-market monitoring plan" in body


@pytest.mark.parametrize("path", [CARD_PDF, ANNEX_PDF])
def test_pdfs_are_pdf_documents(api_as, version, path):
    assert api_as("engineer").get(path).content.startswith(b"%PDF-")


@pytest.mark.parametrize("path", [CARD_PDF, ANNEX_MD, ANNEX_PDF])
def test_refusals_are_problem_details(api_as, version, path):
    response = api_as("no_role").get(path, Accept="application/pdf")

    assert (response.status_code, response["Content-Type"]) == (404, "application/problem+json")
    assert response.json()["detail"] == "No such version, or you may not see it."


@pytest.mark.parametrize("path", [CARD_PDF, ANNEX_MD, ANNEX_PDF])
def test_documents_are_read_only(api_as, version, path):
    client = api_as("lead")

    assert (client.post(path).status_code, client.patch(path).status_code) == (405, 405)


@pytest.mark.parametrize("path", ["card.pdf", "annex-iv.pdf"])
def test_without_pango_a_pdf_is_a_503_problem_saying_what_to_install(
    api_as, version, monkeypatch, path
):
    monkeypatch.setitem(sys.modules, "governance.docs.pdf", NoPango("governance.docs.pdf"))

    response = api_as("lead").get(f"/api/v1/models/{version.model.name}/versions/2.4.1/{path}")

    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert "libpango" in response.json()["detail"]
