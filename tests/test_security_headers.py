"""Every kind of answer carries the security headers: a CSP with no inline or eval'd script,
X-Frame-Options DENY, a Referrer-Policy and X-Content-Type-Options nosniff. The review UI's
pages are listed by their contract URLs with the status each must answer."""

import pytest
from django.http import HttpResponse
from django.test import Client

from tests.factories import ApprovalRequestFactory

# (who, method, path, status): signed-in pages, redirects, errors, the admin portal.
PAGES = [
    ("anonymous", "get", "/accounts/login/", 200),
    ("anonymous", "post", "/accounts/login/", 200),  # wrong password: the form again
    ("anonymous", "get", "/", 302),  # redirect to sign in
    ("anonymous", "get", "/admin/login/", 200),
    ("lead", "get", "/", 200),
    ("lead", "get", "/models/", 200),
    ("lead", "get", "/models/customer-churn-predictor/", 200),
    ("lead", "get", "/models/customer-churn-predictor/versions/2.4.1/", 200),
    ("lead", "get", "/models/customer-churn-predictor/versions/2.4.1/edit/", 200),
    ("lead", "get", "/models/customer-churn-predictor/versions/2.4.1/request/", 200),
    ("lead", "get", "/reviews/", 200),
    ("lead", "get", "/reviews/{request_id}/", 200),
    ("lead", "get", "/models/no-such-model/", 404),
    ("lead", "get", "/accounts/password_change/", 200),
    ("lead", "get", "/admin/", 302),  # not staff: redirect to the admin's login
    ("superuser", "get", "/admin/", 200),
    ("superuser", "get", "/admin/governance/team/", 200),
    ("superuser", "get", "/admin/governance/team/{team_id}/change/", 200),
]


def check_headers(response: HttpResponse) -> None:
    csp = response.headers.get("Content-Security-Policy")
    assert csp, f"no CSP on {response.status_code} {response.request['PATH_INFO']}"
    directives = dict(
        (part.split(maxsplit=1) + [""])[:2] for part in csp.split(";") if part.strip()
    )
    for directive in ("script-src", "style-src"):
        sources = directives[directive].split()
        assert sources == ["'self'"], f"{directive} allows more than 'self': {sources}"
    assert directives["default-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "method", "path", "status"), PAGES)
def test_every_page_sends_the_security_headers(
    client, personas, version, who, method, path, status
):
    production_request = ApprovalRequestFactory(version=version, requester=personas["lead"])
    if who != "anonymous":
        client.force_login(personas[who])
    path = path.format(request_id=production_request.pk, team_id=version.model.team_id)

    response = getattr(client, method)(
        path, {"username": "x", "password": "y"} if method == "post" else None
    )

    assert response.status_code == status
    check_headers(response)


@pytest.mark.django_db
def test_htmx_partial_answers_send_them_too(client, personas):
    client.force_login(personas["risk_officer"])

    check_headers(client.get("/reviews/", headers={"HX-Request": "true"}))


@pytest.mark.django_db
def test_the_lockout_page_sends_them(client, personas):
    for _ in range(5):
        response = client.post("/accounts/login/", {"username": "lead", "password": "nope"})

    assert response.status_code == 429
    check_headers(response)


@pytest.mark.django_db
def test_a_csrf_refusal_sends_them(personas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas["lead"])

    response = client.post("/accounts/logout/")

    assert response.status_code == 403
    check_headers(response)


@pytest.mark.django_db
def test_a_redirect_sends_them(client):
    response = client.get("/accounts/password_change/")

    assert response.status_code == 302
    check_headers(response)
