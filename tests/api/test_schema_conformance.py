"""Schemathesis over the OpenAPI schema: generated requests to every operation, as an ML
lead and as a risk officer, get no 5xx and responses that conform to the schema."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from governance.services.api_tokens import api_token_create
from tests.factories import ModelVersionFactory
from tests.workflows import promote

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Bounded so CI stays fast: a few examples per operation and persona.
EXAMPLES = 6


# The schema endpoint needs no database: it is read once, when the tests are collected.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())


@pytest.fixture
def _test_transaction_survives_requests():
    """Schemathesis calls the WSGI app directly, not through Django's test client, which
    would keep the end of each request from closing the test's database connection (and
    with it the transaction the test runs in)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(personas, version, _test_transaction_survives_requests):
    """Each generated call is made as an ML lead and as a risk officer, with data to find:
    a production version with its requests, and a version in development."""
    promote(version, personas, "staging")
    promote(version, personas, "production")
    ModelVersionFactory(model=version.model, version="2.5.0", complete=True)
    users = [personas["lead"], personas["risk_officer"]]
    return [api_token_create(actor=u, user_id=u.pk, name="schemathesis")[1] for u in users]


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case, tokens):
    for token in tokens:
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
