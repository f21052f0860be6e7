"""Shared pieces of the API views: strict text and tag bodies, list filters, body input."""

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response

from governance.selectors.tags import parse_tag_filters
from governance.services.common import aware_datetime

TAG_FILTER_HELP = "Repeatable, all must match: `key:value` (exact value) or `key` (has the tag)."


class TextField(serializers.CharField):
    """Text only: a number or a boolean is refused rather than turned into text (1.10 would
    become "1.1")."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


@extend_schema_field(OpenApiTypes.STR)
class UsernameField(serializers.Field):
    """A person, by username (read-only). DRF would inspect the signature of get_username
    on every row of a source like "owner.get_username"; this calls it."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, person: Any) -> str:
        return person.get_username()


class TagsField(serializers.DictField):
    """{"key": "value"}; in a PATCH a null value removes the key. Checked by the service."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "child", TextField(allow_blank=True, allow_null=True, trim_whitespace=False)
        )
        kwargs.setdefault("help_text", "Free key/value tags; keys use letters, digits, ._-/")
        super().__init__(**kwargs)


def tags_of(obj: Any) -> dict[str, str]:
    """Tags from the prefetched relation (no query per row)."""
    return {tag.key: tag.value for tag in obj.tags.all()}


def tag_filters(request: Request) -> list[tuple[str, str | None]]:
    return parse_tag_filters(request.query_params.getlist("tag"))


def text_param(request: Request, name: str, limit: int = 200) -> str:
    """A query parameter as text; PostgreSQL refuses NUL characters, so they are refused."""
    value = request.query_params.get(name, "")
    if "\x00" in value or len(value) > limit:
        raise ValidationError({name: f"Give at most {limit} characters, no NUL."})
    return value.strip()


def choice_param(request: Request, name: str, choices: list[str]) -> str:
    value = request.query_params.get(name, "")
    if value and value not in choices:
        raise ValidationError({name: f"Choose one of: {', '.join(choices)}."})
    return value


def bool_param(request: Request, name: str) -> bool | None:
    """`true` or `false`; absent (or empty) is None, anything else is refused."""
    value = choice_param(request, name, ["true", "false"])
    return None if not value else value == "true"


def input_of(
    serializer_class: type[serializers.Serializer], request: Request, **kwargs: Any
) -> dict:
    """The request body checked for shape and types (the service checks the rules)."""
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


MOMENT_HELP = "ISO 8601 with a time zone, e.g. 2026-11-27T10:00:00Z (write + as %2B in a URL)."


def moment_param(request: Request, name: str) -> datetime | None:
    """A since/until query parameter; a bad one is refused rather than ignored."""
    raw = request.query_params.get(name)
    if raw is None:
        return None
    try:
        return aware_datetime(raw)
    except ValidationError as error:
        hint = [MOMENT_HELP] if " " in raw else []  # a "+" sent unencoded arrives as " "
        raise ValidationError({name: error.messages + hint}) from None


class AwareDateTimeField(serializers.DateTimeField):
    """A date-time that must name its time zone: a naive one is refused, never guessed."""

    def to_internal_value(self, value: Any) -> datetime:
        try:
            return aware_datetime(value)
        except ValidationError as error:
            raise serializers.ValidationError(error.messages) from None


def paginated(
    request: Request,
    queryset: Any,
    serializer_class: type[serializers.Serializer],
    pagination_class: type[BasePagination],
) -> Response:
    """One page of a list, with the cursor links to the next and previous pages."""
    paginator = pagination_class()
    page = paginator.paginate_queryset(queryset, request)
    return paginator.get_paginated_response(serializer_class(page, many=True).data)
