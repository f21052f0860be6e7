"""Your API tokens (/tokens/): people see and manage only their own tokens; a new token's
secret is shown once, on the answer to the create form, and works against the API at once;
a revoked token stops working; refusals change nothing."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from governance.models import ApiToken, AuditEventType
from governance.models.api_tokens import token_digest
from governance.services.api_tokens import api_token_create, api_token_revoke
from tests.db_state import audit_mark, new_events, nothing_written

LIST = "/tokens/"
CREATE = "/tokens/new/"
API = "/api/v1/models/"
SECRET = re.compile(r'id="token-secret" value="(tut_[^"]+)"')


def revoke_url(token: ApiToken) -> str:
    return f"/tokens/{token.pk}/revoke/"


def make_token(user, name: str = "pipeline", **fields) -> tuple[ApiToken, str]:  # noqa: ANN001
    """A token through the service; fields set afterwards (e.g. a past expiry) by update."""
    token, secret = api_token_create(actor=user, user_id=user.pk, name=name)
    if fields:
        ApiToken.objects.filter(pk=token.pk).update(**fields)
        token.refresh_from_db()
    return token, secret


def api_status(secret: str) -> int:
    return Client().get(API, headers={"Authorization": f"Bearer {secret}"}).status_code


@pytest.fixture
def engineer_client(client, personas):
    client.force_login(personas["engineer"])
    return client


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 302),  # to sign in
        ("no_role", 200),
        ("engineer", 200),
        ("auditor", 200),
        ("superuser", 200),
    ],
)
def test_token_page_permissions(client, personas, persona, status):
    if persona != "anonymous":
        client.force_login(personas[persona])

    response = client.get(LIST)

    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith("/accounts/login/")


def test_the_header_links_to_the_token_page(engineer_client):
    page = engineer_client.get("/").content.decode()

    assert f'href="{LIST}"' in page


def test_page_lists_only_my_own_tokens(engineer_client, personas):
    make_token(personas["engineer"], "my training pipeline")
    make_token(personas["lead"], "the lead's monitor")

    page = engineer_client.get(LIST).content.decode()

    assert "my training pipeline" in page
    assert "the lead&#x27;s monitor" not in page
    assert "the lead's monitor" not in page


def test_page_shows_each_tokens_hint_dates_and_status(engineer_client, personas):
    now = timezone.now()
    active, _ = make_token(personas["engineer"], "active one", last_used_at=now)
    make_token(
        personas["engineer"],
        "expired one",
        created_at=now - timedelta(days=40),
        expires_at=now - timedelta(days=10),
    )
    revoked, _ = make_token(personas["engineer"], "revoked one")
    api_token_revoke(actor=personas["engineer"], token_id=revoked.pk)

    response = engineer_client.get(LIST)
    rows = {token.name: token.status for token in response.context["tokens"]}
    page = response.content.decode()

    assert rows == {"active one": "active", "expired one": "expired", "revoked one": "revoked"}
    assert f"<code>{active.hint}…</code>" in page
    assert f'<time datetime="{active.last_used_at.isoformat()}' in page
    assert page.count(">Revoke…</a>") == 1  # only the active token can be revoked
    assert response["Cache-Control"].startswith("max-age=0")


def test_creating_a_token_shows_its_secret_once_and_it_works_against_the_api(
    engineer_client, personas
):
    mark = audit_mark()

    response = engineer_client.post(CREATE, {"name": "training pipeline", "expires_in": "90"})

    assert response.status_code == 200
    page = response.content.decode()
    secret = SECRET.search(page)[1]
    assert "Copy it now: it will not be shown again." in page
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get(user=personas["engineer"])
    assert (token.name, token.digest) == ("training pipeline", token_digest(secret))
    assert secret not in engineer_client.get(LIST).content.decode()
    assert api_status(secret) == 200
    [(event_type, actor, *_, details)] = new_events(mark)
    assert (event_type, actor, details["user"]) == (
        AuditEventType.API_TOKEN_CREATED,
        "engineer",
        "engineer",
    )


@pytest.mark.parametrize(("choice", "days"), [("30", 30), ("90", 90), ("365", 365)])
def test_the_expiry_choice_sets_when_the_token_expires(engineer_client, personas, choice, days):
    engineer_client.post(CREATE, {"name": "monitor", "expires_in": choice})

    token = ApiToken.objects.get(user=personas["engineer"])
    expected = timezone.now() + timedelta(days=days)
    assert abs(token.expires_at - expected) < timedelta(minutes=1)


def test_a_token_can_be_made_to_never_expire(engineer_client, personas):
    engineer_client.post(CREATE, {"name": "service", "expires_in": "never"})

    assert ApiToken.objects.get(user=personas["engineer"]).expires_at is None


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "", "expires_in": "90"}, "name"),
        ({"name": "x" * 101, "expires_in": "90"}, "name"),
        ({"name": "pipeline", "expires_in": "7"}, "expires_in"),
        ({"name": "two\nlines", "expires_in": "90"}, "name"),  # refused by the service
        ({"name": "nul\x00", "expires_in": "90"}, "name"),
    ],
)
def test_bad_input_shows_the_form_again_and_creates_nothing(engineer_client, data, field):
    with nothing_written():
        response = engineer_client.post(CREATE, data)

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert "tut_" not in response.content.decode()


def test_revoking_asks_for_confirmation_first(engineer_client, personas):
    token, secret = make_token(personas["engineer"])

    with nothing_written():
        response = engineer_client.get(revoke_url(token))

    assert response.status_code == 200
    assert "Revoke the token pipeline?" in response.content.decode()
    assert api_status(secret) == 200


def test_revoking_a_token_makes_api_calls_with_it_fail(engineer_client, personas):
    token, secret = make_token(personas["engineer"])
    assert api_status(secret) == 200
    mark = audit_mark()

    response = engineer_client.post(revoke_url(token), follow=True)

    assert response.redirect_chain == [(LIST, 302)]
    assert f"Revoked the token {token}." in response.content.decode()
    assert api_status(secret) == 401
    [(event_type, actor, *_)] = new_events(mark)
    assert (event_type, actor) == (AuditEventType.API_TOKEN_REVOKED, "engineer")


@pytest.mark.parametrize("persona", ["engineer", "admin", "superuser"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_someone_elses_token_is_not_found_here(client, personas, persona, method):
    token, secret = make_token(personas["lead"])
    client.force_login(personas[persona])

    with nothing_written():
        response = getattr(client, method)(revoke_url(token))

    assert response.status_code == 404
    assert api_status(secret) == 200


def test_revoking_a_revoked_token_again_is_refused(engineer_client, personas):
    token, _ = make_token(personas["engineer"])
    api_token_revoke(actor=personas["engineer"], token_id=token.pk)

    with nothing_written():
        response = engineer_client.post(revoke_url(token))

    assert response.status_code == 409
    assert "was already revoked" in response.content.decode()


def test_revoking_needs_the_csrf_token(personas):
    token, secret = make_token(personas["engineer"])
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(personas["engineer"])

    response = browser.post(revoke_url(token))

    assert response.status_code == 403
    assert api_status(secret) == 200


@pytest.mark.parametrize("rows", [2, 20])
def test_token_list_keeps_a_fixed_number_of_queries(
    engineer_client, personas, django_assert_max_num_queries, rows
):
    for number in range(rows):
        make_token(personas["engineer"], f"token {number}")

    with django_assert_max_num_queries(6):
        response = engineer_client.get(LIST)

    assert len(response.context["tokens"]) == rows
