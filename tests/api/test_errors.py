"""Every refusal of the API is an RFC 9457 problem (application/problem+json with type,
title, status and detail; per-field messages for bad input), never a 500. The OpenAPI
schema is valid, and the Swagger UI page is served offline and works under the site's CSP."""

import base64
import hashlib
import json
import re
from collections.abc import Callable
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.test import Client, override_settings
from drf_spectacular.validation import validate_schema

from governance.api import throttling
from governance.models import RegisteredModel
from tests.api.conftest import ApiClient
from tests.test_templates_csp import csp_findings

MODELS = "/api/v1/models/"
CHURN = "/api/v1/models/customer-churn-predictor/"
PROBLEM = "application/problem+json"
NEW_MODEL = {"name": "fraud-scorer", "team": "fraud", "risk_level": "low"}


def assert_problem(response: object, status: int, title: str) -> dict:
    assert response.status_code == status
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["type"] == "about:blank"
    assert (body["status"], body["title"]) == (status, title)
    assert isinstance(body["detail"], str) and body["detail"]
    return body


def raw_post(api: ApiClient, body: str, content_type: str) -> object:
    return api.client.post(MODELS, body, content_type=content_type, headers=api.headers)


# (case, persona, expected status, title): each case is one request below.
CASES = [
    ("bad_json", "lead", 400, "Bad input"),
    ("body_not_an_object", "lead", 400, "Bad input"),
    ("no_credentials", "anonymous", 401, "Not authenticated"),
    ("not_allowed", "engineer", 403, "Not allowed"),
    ("unknown_model", "lead", 404, "Not found"),
    ("other_teams_model", "other_team_lead", 404, "Not found"),
    ("unknown_path", "lead", 404, "Not found"),
    ("wrong_method", "lead", 405, "Method not allowed"),
    ("html_wanted", "lead", 406, "Not acceptable"),
    ("duplicate_name", "lead", 409, "Conflict"),
    ("text_body", "lead", 415, "Unsupported media type"),
]
REQUESTS: dict[str, Callable[[ApiClient], object]] = {
    "bad_json": lambda api: raw_post(api, '{"name": "fraud-scorer",', "application/json"),
    "body_not_an_object": lambda api: api.post(MODELS, [NEW_MODEL]),
    "no_credentials": lambda api: api.get(MODELS),
    "not_allowed": lambda api: api.patch(CHURN, {"risk_level": "low"}),
    "unknown_model": lambda api: api.get("/api/v1/models/no-such-model/"),
    "other_teams_model": lambda api: api.get(CHURN),
    "unknown_path": lambda api: api.get("/api/v1/no-such-resource/"),
    "wrong_method": lambda api: api.client.delete(MODELS, headers=api.headers),
    "html_wanted": lambda api: api.get(MODELS, Accept="text/html"),
    "duplicate_name": lambda api: api.post(
        MODELS, {**NEW_MODEL, "name": "customer-churn-predictor"}
    ),
    "text_body": lambda api: raw_post(api, "name=fraud-scorer", "text/plain"),
}


@pytest.mark.parametrize(("case", "persona", "status", "title"), CASES)
def test_refusals_are_problem_details(api_as, model, case, persona, status, title):
    before = RegisteredModel.objects.count()

    response = REQUESTS[case](api_as(persona))

    assert_problem(response, status, title)
    assert RegisteredModel.objects.count() == before


def test_bad_input_names_each_field(api_as, personas):
    response = api_as("lead").post(MODELS, {"name": "", "team": "fraud", "risk_level": "extreme"})

    body = assert_problem(response, 400, "Bad input")
    assert set(body["errors"]) == {"name", "risk_level"}
    assert all(isinstance(message, str) for message in body["errors"]["risk_level"])


def test_service_validation_errors_are_per_field_too(api_as, personas):
    response = api_as("lead").post(MODELS, {**NEW_MODEL, "owner": "nobody"})

    body = assert_problem(response, 400, "Bad input")
    assert set(body["errors"]) == {"owner"}


def test_unauthenticated_problem_says_how_to_authenticate(api_as):
    response = api_as("anonymous").get(MODELS)

    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_wrong_method_lists_the_allowed_ones(api_as, personas):
    response = REQUESTS["wrong_method"](api_as("lead"))

    assert set(response["Allow"].split(", ")) >= {"GET", "POST"}


@override_settings(TUTELA_API_MAX_BODY_BYTES=200)
def test_a_body_over_the_limit_is_a_413_problem(api_as, personas):
    body = {**NEW_MODEL, "description": "x" * 300}

    response = api_as("lead").post(MODELS, body)

    problem = assert_problem(response, 413, "Payload too large")
    assert "200 bytes" in problem["detail"]
    assert not RegisteredModel.objects.filter(name="fraud-scorer").exists()


@override_settings(TUTELA_API_MAX_BODY_BYTES=200)
def test_a_body_just_under_the_limit_is_read(api_as, personas):
    body = {**NEW_MODEL, "description": "x"}
    body["description"] = "x" * (200 - len(json.dumps(body)) + 1)
    assert len(json.dumps(body)) == 200

    assert api_as("lead").post(MODELS, body).status_code == 201


def test_too_many_calls_are_a_429_problem_with_retry_after(api_as, personas, monkeypatch):
    rates = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"token": "1/minute"}}
    monkeypatch.setattr(throttling, "time", SimpleNamespace(time=lambda: 1_700_000_010.0))
    api = api_as("lead")
    cache.clear()
    with override_settings(REST_FRAMEWORK=rates):
        api.get(MODELS)
        response = api.get(MODELS)
    cache.clear()

    assert_problem(response, 429, "Too many requests")
    assert response["Retry-After"] == "31"


def test_the_schema_is_a_valid_openapi_document(api_as, personas):
    response = api_as("lead").get("/api/schema/?format=json")

    assert response.status_code == 200
    schema = response.json()
    validate_schema(schema)  # raises on an invalid document
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/models/", "/api/v1/models/{name}/"} <= set(schema["paths"])
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def _sha256(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def test_the_docs_page_is_served_offline(personas):
    browser = Client()
    browser.force_login(personas["lead"])

    page = browser.get("/api/docs/")
    script = browser.get("/api/docs/?script=")

    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    sources = re.findall(r'(?:src|href)="(/static/[^"?]+)"', page.content.decode())
    assert any(source.endswith("swagger-ui-bundle.js") for source in sources)
    for source in sources:  # vendored (drf-spectacular-sidecar), nothing from a CDN
        assert finders.find(source.removeprefix(settings.STATIC_URL)), source
    assert script.status_code == 200
    assert script["Content-Type"] == "application/javascript"
    assert "SwaggerUIBundle" in script.content.decode()
    assert "/api/schema/" in script.content.decode()


def test_the_docs_page_needs_nothing_the_csp_forbids(personas):
    """Swagger UI's own scripts come from files; an inline <style> would be blocked unless
    the page's CSP allows exactly its hash (checked in Chromium: nothing else is needed)."""
    browser = Client()
    browser.force_login(personas["lead"])

    response = browser.get("/api/docs/")

    html = response.content.decode()
    policy = dict(
        (part.split(maxsplit=1) + [""])[:2]
        for part in response["Content-Security-Policy"].split(";")
        if part.strip()
    )
    assert policy["script-src"] == "'self'"
    blocked = [what for _, what in csp_findings(html) if not what.startswith("<style> block")]
    assert blocked == []
    for style in re.findall(r"<style[^>]*>(.*?)</style>", html, re.DOTALL):
        assert f"'sha256-{_sha256(style)}'" in policy["style-src"], (
            "The docs page has an inline <style> block the CSP blocks (style-src 'self')."
        )
