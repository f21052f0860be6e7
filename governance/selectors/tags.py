"""Tag filters for lists: ?tag=key:value (exact) and ?tag=key (has the key), ANDed."""

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from governance.models import ModelTag, VersionTag
from governance.models.tags import value_digest
from governance.validators import validate_tag_key


def parse_tag_filters(raw: list[str]) -> list[tuple[str, str | None]]:
    """ "key:value" or "key"; keys cannot hold ':', so the first ':' splits."""
    specs = []
    for item in raw:
        key, sep, value = item.partition(":")
        try:
            validate_tag_key(key)
        except ValidationError:
            raise ValidationError({"tag": f"'{item[:60]}' is not key or key:value."}) from None
        specs.append((key, value if sep else None))
    return specs


def _tagged(tag_class: type, link: str, key: str, value: str | None) -> Q:
    # An uncorrelated IN: the database reads the matching tags from the (key, value_sha256,
    # owner) index, then fetches those owners by primary key. A correlated EXISTS made
    # SQLite scan every visible row and probe the (owner, key) unique index instead.
    match = {"key": key}
    if value is not None:
        match.update(value_sha256=value_digest(value), value=value)
    return Q(pk__in=tag_class.objects.filter(**match).values(link))


def models_tagged(queryset: QuerySet, specs: list[tuple[str, str | None]]) -> QuerySet:
    for key, value in specs:
        queryset = queryset.filter(_tagged(ModelTag, "model", key, value))
    return queryset


def versions_tagged(queryset: QuerySet, specs: list[tuple[str, str | None]]) -> QuerySet:
    for key, value in specs:
        queryset = queryset.filter(_tagged(VersionTag, "version", key, value))
    return queryset
