"""API test set-up: a client per persona, authenticated with a real API token."""

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from governance.services.api_tokens import api_token_create


class ApiClient:
    """A Django test client that speaks JSON and sends a Bearer token (or none)."""

    def __init__(self, token: str | None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def _send(self, method: str, path: str, body: Any = None, **headers: str) -> Any:
        kwargs: dict[str, Any] = {"headers": {**self.headers, **headers}}
        if body is not None:
            kwargs["data"] = body if isinstance(body, (str, bytes)) else json.dumps(body)
            kwargs["content_type"] = "application/json"
        return getattr(self.client, method)(path, **kwargs)

    def get(self, path: str, **headers: str) -> Any:
        return self._send("get", path, **headers)

    def post(self, path: str, body: Any = None, **headers: str) -> Any:
        return self._send("post", path, {} if body is None else body, **headers)

    def patch(self, path: str, body: Any = None, **headers: str) -> Any:
        return self._send("patch", path, {} if body is None else body, **headers)


@pytest.fixture
def api_as(personas) -> Callable[[str], ApiClient]:
    """api_as("lead") -> a client with a fresh token of that persona; "anonymous" has none."""

    def make(persona: str) -> ApiClient:
        if persona == "anonymous":
            return ApiClient(None)
        user = personas[persona]
        _, secret = api_token_create(actor=user, user_id=user.pk, name=f"{persona} test")
        return ApiClient(secret)

    return make
