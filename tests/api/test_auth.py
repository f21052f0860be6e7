"""API authentication: personal tokens (Bearer or Token), the browser session with CSRF, and
per-token throttling. A token acts with its user's permissions and nothing more; a bad,
revoked or expired token, or one of an inactive person, is a 401 problem."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client, override_settings
from django.utils import timezone

from governance.api import throttling
from governance.models import ApiToken, RegisteredModel
from governance.services.api_tokens import api_token_create, api_token_revoke
from tests.factories import RegisteredModelFactory

MODELS = "/api/v1/models/"
CHURN = "/api/v1/models/customer-churn-predictor/"
PROBLEM = "application/problem+json"


def token_for(user, **fields) -> tuple[ApiToken, str]:  # noqa: ANN001
    token, secret = api_token_create(actor=user, user_id=user.pk, name="test")
    if fields:  # moments the service refuses to set (a past expiry), written directly
        ApiToken.objects.filter(pk=token.pk).update(**fields)
    return token, secret


def get(path: str, authorization: str | None) -> object:
    headers = {"Authorization": authorization} if authorization is not None else {}
    return Client().get(path, headers=headers)


def assert_401_problem(response: object) -> None:
    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    body = response.json()
    assert (body["status"], body["title"]) == (401, "Not authenticated")
    assert body["detail"]


@pytest.mark.parametrize("keyword", ["Bearer", "Token", "bearer", "TOKEN"])
def test_both_header_keywords_authenticate(personas, model, keyword):
    _, secret = token_for(personas["lead"])

    response = get(MODELS, f"{keyword} {secret}")

    assert response.status_code == 200
    assert [row["name"] for row in response.json()["results"]] == [model.name]


@pytest.mark.parametrize(
    "authorization",
    [
        None,  # no credentials at all
        "Bearer tut_not-a-real-token",
        "Bearer",  # keyword without a token
        "Bearer two parts",
        "Token ",
        "Basic bGVhZDpzZWNyZXQ=",  # another scheme: not ours, so not authenticated
    ],
)
def test_missing_or_wrong_credentials_are_a_401_problem(personas, authorization):
    assert_401_problem(get(MODELS, authorization))


def test_a_revoked_token_is_refused(personas):
    token, secret = token_for(personas["lead"])
    api_token_revoke(actor=personas["lead"], token_id=token.pk)

    assert_401_problem(get(MODELS, f"Bearer {secret}"))


def test_an_expired_token_is_refused(personas):
    now = timezone.now()
    _, secret = token_for(
        personas["lead"], created_at=now - timedelta(days=2), expires_at=now - timedelta(seconds=1)
    )

    response = get(MODELS, f"Bearer {secret}")

    assert_401_problem(response)
    assert "expired" in response.json()["detail"]


def test_a_token_not_yet_expired_still_works(personas):
    _, secret = token_for(personas["lead"], expires_at=timezone.now() + timedelta(minutes=5))

    assert get(MODELS, f"Bearer {secret}").status_code == 200


def test_the_token_of_an_inactive_person_is_refused(personas):
    _, secret = token_for(personas["lead"])
    personas["lead"].is_active = False
    personas["lead"].save(update_fields=["is_active"])

    assert_401_problem(get(MODELS, f"Bearer {secret}"))


def test_an_engineer_token_cannot_change_the_risk_level(api_as, model):
    response = api_as("engineer").patch(CHURN, {"risk_level": "low"})

    assert response.status_code == 403
    assert response["Content-Type"] == PROBLEM
    model.refresh_from_db()
    assert model.risk_level != "low"


@pytest.mark.parametrize(
    ("persona", "visible"),
    [
        ("engineer", ["customer-churn-predictor"]),
        ("other_team_lead", ["campaign-uplift"]),
        ("global_risk", ["campaign-uplift", "customer-churn-predictor"]),
        ("no_role", []),
    ],
)
def test_a_token_sees_only_what_its_user_sees(api_as, model, other_team, persona, visible):
    RegisteredModelFactory(name="campaign-uplift", team=other_team)

    response = api_as(persona).get(MODELS)

    assert sorted(row["name"] for row in response.json()["results"]) == visible


def test_a_call_records_when_the_token_was_last_used(personas):
    token, secret = token_for(personas["lead"])
    before = timezone.now()

    get(MODELS, f"Bearer {secret}")

    token.refresh_from_db()
    assert token.last_used_at is not None and token.last_used_at >= before


@pytest.mark.parametrize(
    ("ago", "moves"), [(timedelta(seconds=20), False), (timedelta(hours=1), True)]
)
def test_last_used_is_written_at_most_once_a_minute(personas, ago, moves):
    used = timezone.now() - ago
    token, secret = token_for(personas["lead"], last_used_at=used)

    get(MODELS, f"Bearer {secret}")

    token.refresh_from_db()
    assert (token.last_used_at != used) is moves


def test_session_authenticates_reads(personas, model):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(personas["lead"])

    response = browser.get(MODELS)

    assert response.status_code == 200
    assert [row["name"] for row in response.json()["results"]] == [model.name]


NEW_MODEL = {"name": "fraud-scorer", "team": "fraud", "risk_level": "low"}


def test_session_writes_without_the_csrf_token_are_refused(personas):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(personas["lead"])

    response = browser.post(MODELS, NEW_MODEL, content_type="application/json")

    assert response.status_code == 403
    assert response["Content-Type"] == PROBLEM
    assert "CSRF" in response.json()["detail"]
    assert not RegisteredModel.objects.filter(name="fraud-scorer").exists()


def test_session_writes_with_the_csrf_token_succeed(personas):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(personas["lead"])
    browser.get("/tokens/")  # any page with a form sets the CSRF cookie
    csrf = browser.cookies["csrftoken"].value

    response = browser.post(
        MODELS, NEW_MODEL, content_type="application/json", headers={"X-CSRFToken": csrf}
    )

    assert response.status_code == 201


def test_token_writes_need_no_csrf_token(personas):
    _, secret = token_for(personas["lead"])
    pipeline = Client(enforce_csrf_checks=True)

    response = pipeline.post(
        MODELS,
        NEW_MODEL,
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )

    assert response.status_code == 201


@pytest.fixture
def three_calls_a_minute(monkeypatch):
    """A tiny rate, on a clock stopped mid-window: the throttle counts per fixed window, and
    four calls straddling a minute boundary would otherwise land in two windows."""
    rates = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"token": "3/minute"}}
    monkeypatch.setattr(throttling, "time", SimpleNamespace(time=lambda: 1_700_000_010.0))
    cache.clear()
    with override_settings(REST_FRAMEWORK=rates):
        yield
    cache.clear()


def test_the_fourth_call_in_a_minute_is_throttled_per_token(personas, three_calls_a_minute):
    _, busy = token_for(personas["lead"])
    _, other = token_for(personas["lead"])

    statuses = [get(MODELS, f"Bearer {busy}").status_code for _ in range(4)]
    throttled = get(MODELS, f"Bearer {busy}")

    assert statuses == [200, 200, 200, 429]
    assert throttled.status_code == 429
    assert throttled["Content-Type"] == PROBLEM
    assert throttled.json()["title"] == "Too many requests"
    assert throttled["Retry-After"] == "31"  # seconds left in the window, rounded up
    assert get(MODELS, f"Bearer {other}").status_code == 200  # its own budget
