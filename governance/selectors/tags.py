"""Tag filters for lists: ?tag=key:value (exact) and ?tag=key (has the key), ANDed."""

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, QuerySet

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


def _tagged(tag_class: type, link: str, key: str, value: str | None) -> Exists:
    # The (key, value_sha256, owner) index answers this without scanning the tags.
    match = {"key": key, link: OuterRef("pk")}
    if value is not None:
        match.update(value_sha256=value_digest(value), value=value)
    return Exists(tag_class.objects.filter(**match))


def models_tagged(queryset: QuerySet, specs: list[tuple[str, str | None]]) -> QuerySet:
    for key, value in specs:
        queryset = queryset.filter(_tagged(ModelTag, "model", key, value))
    return queryset


def versions_tagged(queryset: QuerySet, specs: list[tuple[str, str | None]]) -> QuerySet:
    for key, value in specs:
        queryset = queryset.filter(_tagged(VersionTag, "version", key, value))
    return queryset
