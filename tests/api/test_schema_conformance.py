"""Schemathesis over the OpenAPI schema: generated requests to every operation, as an ML
lead and as a risk officer, get no 5xx and responses that conform to the schema."""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
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
def tokens(personas, version):
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
