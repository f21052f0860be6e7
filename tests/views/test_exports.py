"""Card exports: the Markdown and JSON downloads (content type, attachment file name, the
card's own renderings) and the print-friendly page (the card alone, a Print button wired by
static JavaScript, card text inert), for everyone who may see the version."""

import json
import re

import pytest

from governance.models import Stage
from tests.factories import ModelVersionFactory
from tests.web import sign_in
from tests.workflows import promote

VERSION = "/models/customer-churn-predictor/versions/2.4.1/"
MARKDOWN = VERSION + "card.md"
JSON = VERSION + "card.json"
PRINT = VERSION + "print/"
HOSTILE = {
    "intended_use": "<script>alert(1)</script> [x](javascript:alert(1)) **bold**",
    "known_limitations": ["<img src=x onerror=alert(1)>", "Ünïcode — fine"],
}


@pytest.mark.parametrize("path", ["card.md", "card.json", "print/"])
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
def test_export_permissions(client, personas, version, path, persona, status):
    response = sign_in(client, personas, persona).get(VERSION + path)

    assert response.status_code == status
    if status == 302:
        assert response["Location"] == f"/accounts/login/?next={VERSION}{path}"


@pytest.mark.parametrize("path", ["card.md", "card.json", "print/"])
def test_exports_of_unknown_versions_are_not_found(client, personas, version, path):
    response = sign_in(client, personas, "lead").get(
        "/models/customer-churn-predictor/versions/9.9.9/" + path
    )

    assert response.status_code == 404


@pytest.mark.parametrize("path", ["card.md", "card.json", "print/"])
def test_exports_refuse_post(client, personas, version, path):
    assert sign_in(client, personas, "lead").post(VERSION + path).status_code == 405


def test_markdown_download_is_the_cards_markdown(client, personas, version):
    promote(version, personas, Stage.STAGING)
    version.refresh_from_db()

    response = sign_in(client, personas, "auditor").get(MARKDOWN)

    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="customer-churn-predictor-2.4.1-card.md"'
    )
    assert response.content.decode() == version.to_markdown()
    assert response.content.decode().startswith("# Model card: customer-churn-predictor 2.4.1\n")
    assert "- **stage**: staging" in response.content.decode()


def test_json_download_is_the_cards_dict_indented(client, personas, version):
    response = sign_in(client, personas, "auditor").get(JSON)

    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == (
        'attachment; filename="customer-churn-predictor-2.4.1-card.json"'
    )
    body = response.content.decode()
    assert body.startswith('{\n  "identity": {\n    "name": "customer-churn-predictor",')
    card = json.loads(body)
    assert card == json.loads(json.dumps(version.to_dict()))
    assert card["governance"]["approved_by"] == "PENDING"
    assert card["training"]["training_date"] == "2026-10-01"


def test_downloads_keep_card_text_as_text(client, personas, model):
    ModelVersionFactory(model=model, version="2.4.1", complete=True, **HOSTILE)
    sign_in(client, personas, "engineer")

    markdown = client.get(MARKDOWN)
    card = json.loads(client.get(JSON).content)

    # A download is never rendered by the browser: nosniff keeps it from guessing HTML.
    assert markdown["X-Content-Type-Options"] == "nosniff"
    assert "<script>alert(1)</script>" in markdown.content.decode()
    assert card["purpose"]["intended_use"] == HOSTILE["intended_use"]
    assert card["performance"]["known_limitations"] == HOSTILE["known_limitations"]
    assert "Ünïcode — fine" in client.get(JSON).content.decode()  # UTF-8, not \\u escapes


def test_download_names_carry_unusual_versions(client, personas, model):
    ModelVersionFactory(model=model, version="1.0.0-rc.1+build.5")

    response = sign_in(client, personas, "engineer").get(
        "/models/customer-churn-predictor/versions/1.0.0-rc.1+build.5/card.md"
    )

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="customer-churn-predictor-1.0.0-rc.1+build.5-card.md"'
    )


def test_print_page_is_the_card_alone_with_a_print_button(client, personas, version):
    response = sign_in(client, personas, "legal").get(PRINT)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Model card: customer-churn-predictor 2.4.1</h1>" in html
    assert 'aria-label="Model card customer-churn-predictor 2.4.1"' in html
    assert '<div class="button-row no-print print-toolbar">' in html
    assert '<button type="button" class="button primary" data-print-page>Print</button>' in html
    assert '<script src="/static/js/print.js" defer></script>' in html
    # CSP: no inline script or handler anywhere on the page.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert not re.search(r"\son[a-z]+=", html)
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_print_page_renders_card_text_inert(client, personas, model):
    ModelVersionFactory(model=model, version="2.4.1", complete=True, **HOSTILE)

    html = sign_in(client, personas, "engineer").get(PRINT).content.decode()

    assert "<script>alert(1)" not in html
    assert 'href="javascript' not in html
    assert "<img" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<strong>bold</strong>" in html
