"""Serializer fields built once per class.

DRF builds a serializer's fields for every instance: it deep-copies each declared field (a
deep copy calls the field's __init__ again) and maps the model's fields again. For a
version with its card that took more time than the rest of the answer. CachedFields builds
them on a class's first use and gives each instance shallow copies to bind; a field that
holds other fields (a nested serializer, a list or dict field's child) is deep-copied as
DRF does, so no bound child is shared between instances.

Safe because fields keep no per-request state of their own (binding sets field_name,
parent and source on the copy) and no serializer here builds its fields from the context.
"""

import copy

from rest_framework import serializers


def _copy(field: serializers.Field) -> serializers.Field:
    if isinstance(field, serializers.BaseSerializer) or hasattr(field, "child"):
        return copy.deepcopy(field)
    return copy.copy(field)


class CachedFields:
    def get_fields(self) -> dict[str, serializers.Field]:
        cls = type(self)
        prototypes = cls.__dict__.get("_field_prototypes")
        if prototypes is None:
            prototypes = super().get_fields()
            cls._field_prototypes = prototypes
        return {name: _copy(field) for name, field in prototypes.items()}


# The API's serializers derive from these two. No docstrings: drf-spectacular would give
# their text to every schema component that has none of its own.
class Serializer(CachedFields, serializers.Serializer):
    pass


class ModelSerializer(CachedFields, serializers.ModelSerializer):
    pass
