"""The Annex IV technical documentation (print page, Markdown, PDF) and the card's PDF in
the review UI: who may read them, their content types and file names, the print page's
strict-CSP markup, and the links on the version page."""

import re
import sys

import pytest

from governance.docs.exports import annex_iv_markdown
from tests.factories import ModelVersionFactory
from tests.pdf_support import NoPango
from tests.web import sign_in, text

VERSION = "/models/customer-churn-predictor/versions/2.4.1/"
PATHS = ["annex-iv/", "annex-iv.md", "annex-iv.pdf", "card.pdf"]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 302),  # to the login page
        ("no_role", 404),
        ("other_team_lead", 404),
        ("engineer", 200),
        ("lead", 200),
        ("risk_officer", 200),
        ("legal", 200),
        ("auditor", 200),
        ("admin", 200),
    ],
)
def test_document_permissions(client, personas, version, path, persona, status):
    response = sign_in(client, personas, persona).get(VERSION + path)

    assert response.status_code == status
    if status == 302:
        assert response["Location"] == f"/accounts/login/?next={VERSION}{path}"


@pytest.mark.parametrize("path", PATHS)
def test_documents_of_unknown_versions_are_not_found(client, personas, version, path):
    response = sign_in(client, personas, "lead").get(
        "/models/customer-churn-predictor/versions/9.9.9/" + path
    )

    assert response.status_code == 404


@pytest.mark.parametrize("path", PATHS)
def test_documents_refuse_post(client, personas, version, path):
    assert sign_in(client, personas, "lead").post(VERSION + path).status_code == 405


@pytest.mark.parametrize(
    ("path", "content_type", "disposition"),
    [
        ("annex-iv/", "text/html; charset=utf-8", None),
        (
            "annex-iv.md",
            "text/markdown; charset=utf-8",
            'attachment; filename="customer-churn-predictor-2.4.1-annex-iv.md"',
        ),
        (
            "annex-iv.pdf",
            "application/pdf",
            'attachment; filename="customer-churn-predictor-2.4.1-annex-iv.pdf"',
        ),
        (
            "card.pdf",
            "application/pdf",
            'attachment; filename="customer-churn-predictor-2.4.1-card.pdf"',
        ),
    ],
)
def test_documents_content_types_and_file_names(
    client, personas, version, path, content_type, disposition
):
    response = sign_in(client, personas, "auditor").get(VERSION + path)

    assert response["Content-Type"] == content_type
    assert response.get("Content-Disposition") == disposition


def test_the_markdown_download_is_the_annex_iv_document(client, personas, version):
    body = text(sign_in(client, personas, "auditor").get(VERSION + "annex-iv.md"))

    # The document carries its generation time; the rest is the same.
    def timeless(markdown: str) -> str:
        return re.sub(r"- \*\*Generated\*\*: .*", "", markdown)

    assert timeless(body) == timeless(annex_iv_markdown(version))
    assert "> This is product guidance, not legal advice." in body


def test_pdfs_are_pdf_documents(client, personas, version):
    sign_in(client, personas, "engineer")

    for path in ("annex-iv.pdf", "card.pdf"):
        assert client.get(VERSION + path).content.startswith(b"%PDF-")


def test_print_page_is_the_document_without_the_apps_navigation(client, personas, version):
    response = sign_in(client, personas, "risk_officer").get(VERSION + "annex-iv/")

    html = text(response)
    assert "<h1>Annex IV technical documentation: customer-churn-predictor 2.4.1</h1>" in html
    assert '<p class="doc-note">This is product guidance, not legal advice.</p>' in html
    assert 'class="site-nav"' not in html
    assert '<link rel="stylesheet" href="/static/css/documents.css">' in html
    assert '<script src="/static/js/print.js" defer></script>' in html
    assert '<button type="button" class="button primary" data-print-page>Print</button>' in html
    assert f'href="{VERSION}annex-iv.pdf"' in html
    # CSP: no inline script, style or handler, and no data: stylesheet on a served page.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert not re.search(r"<style|\sstyle=|\son[a-z]+=|data:text/css", html)
    assert "style-src 'self'" in response["Content-Security-Policy"]


def test_print_page_renders_card_text_inert(client, personas, model):
    ModelVersionFactory(
        model=model,
        version="2.4.1",
        complete=True,
        intended_use='<script>alert(1)</script> <img src="file:///etc/passwd"> **bold**',
    )

    html = text(sign_in(client, personas, "engineer").get(VERSION + "annex-iv/"))

    assert "<script>alert(1)" not in html
    assert "<img" not in html
    assert "<strong>bold</strong>" in html


def test_version_page_links_the_documents(client, personas, version):
    html = text(sign_in(client, personas, "auditor").get(VERSION))

    for path in PATHS:
        assert f'href="{VERSION}{path}"' in html


@pytest.mark.parametrize("path", ["card.pdf", "annex-iv.pdf"])
def test_without_pango_a_pdf_is_a_503_saying_what_to_install(
    client, personas, version, monkeypatch, path
):
    monkeypatch.setitem(sys.modules, "governance.docs.pdf", NoPango("governance.docs.pdf"))

    response = sign_in(client, personas, "lead").get(VERSION + path)

    assert response.status_code == 503
    assert "libpango" in response.content.decode()
