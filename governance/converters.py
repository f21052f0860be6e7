"""Path converters shared by the review UI's and the API's URLs."""

from django.urls import register_converter


class NameConverter:
    """A model name or version in a path: any characters but "/" and NUL (a NUL would reach
    PostgreSQL, which refuses it; such a path is simply not found)."""

    regex = "[^/\x00]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(NameConverter, "name")
