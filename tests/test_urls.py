import pytest


def test_favicon_redirects_to_the_vendored_icon(client):
    response = client.get("/favicon.ico")

    assert (response.status_code, response["Location"]) == (301, "/static/favicon.svg")


@pytest.mark.parametrize("path", ["/accounts/password_reset/", "/accounts/reset/done/"])
def test_there_is_no_self_service_password_reset(client, db, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/models/%00/",
        "/models/%00/history/",
        "/models/churn/versions/%00/",
        "/models/churn/versions/1.0%00/card.json",
    ],
)
def test_nul_bytes_in_names_are_not_found(client, personas, path):
    client.force_login(personas["global_risk"])

    assert client.get(path).status_code == 404
