import pytest


def test_favicon_redirects_to_the_vendored_icon(client):
    response = client.get("/favicon.ico")

    assert (response.status_code, response["Location"]) == (301, "/static/favicon.svg")


@pytest.mark.parametrize("path", ["/accounts/password_reset/", "/accounts/reset/done/"])
def test_there_is_no_self_service_password_reset(client, db, path):
    assert client.get(path).status_code == 404
