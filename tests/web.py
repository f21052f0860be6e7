"""Helpers for tests that drive pages with Django's test client."""

from django.http import HttpResponse
from django.test import Client


def sign_in(client: Client, personas: dict, persona: str) -> Client:
    """Sign the client in as a persona (tests/conftest.py), or leave it anonymous."""
    if persona != "anonymous":
        client.force_login(personas[persona])
    return client


def text(response: HttpResponse) -> str:
    return response.content.decode()
