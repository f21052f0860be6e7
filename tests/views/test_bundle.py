"""GET /models/<name>/audit-bundle.zip in the review UI: who may download the auditor's
bundle (everyone who may see the model), the download itself, the model page's button, and
that downloading writes nothing (not even an audit event)."""

import io
import json
import re
import sys
import zipfile

import pytest

from tests.db_state import nothing_written
from tests.pdf_support import NoPango
from tests.web import sign_in, text

URL = "/models/customer-churn-predictor/audit-bundle.zip"
FILENAME = re.compile(
    r'attachment; filename="customer-churn-predictor-audit-bundle-\d{8}T\d{6}Z\.zip"'
)


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
        ("admin", 200),
        ("auditor", 200),
        ("global_risk", 200),
    ],
)
def test_bundle_download_permissions(client, personas, version, persona, status):
    response = sign_in(client, personas, persona).get(URL)

    assert response.status_code == status
    if status == 302:
        assert response["Location"] == f"/accounts/login/?next={URL}"


def test_the_download_is_a_streamed_zip_attachment_naming_who_exported_it(
    client, personas, version
):
    response = sign_in(client, personas, "auditor").get(URL)

    assert response.streaming
    assert response["Content-Type"] == "application/zip"
    assert FILENAME.fullmatch(response["Content-Disposition"])
    data = b"".join(response.streaming_content)
    assert int(response["Content-Length"]) == len(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert (manifest["model"]["name"], manifest["generated_by"]) == (
        "customer-churn-predictor",
        "auditor",
    )


def test_downloading_a_bundle_writes_nothing(client, personas, version):
    sign_in(client, personas, "auditor")

    with nothing_written():
        response = client.get(URL)
        b"".join(response.streaming_content)


def test_the_bundle_is_read_only(client, personas, version):
    response = sign_in(client, personas, "auditor").post(URL)

    assert response.status_code == 405


def test_the_model_page_offers_the_bundle(client, personas, version):
    html = text(sign_in(client, personas, "auditor").get("/models/customer-churn-predictor/"))

    assert f'href="{URL}" download' in html


def test_without_pango_the_bundle_is_a_503_saying_what_to_install(
    client, personas, version, monkeypatch
):
    monkeypatch.setitem(sys.modules, "governance.docs.pdf", NoPango("governance.docs.pdf"))

    response = sign_in(client, personas, "auditor").get(URL)

    assert response.status_code == 503
    assert "libpango" in text(response)
