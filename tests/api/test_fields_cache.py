"""Serializer fields built once per class: each instance still binds fields of its own, and
fields that hold other fields are never shared."""

from rest_framework import serializers

from governance.api.fields_cache import Serializer


class Inner(Serializer):
    value = serializers.IntegerField()


class Outer(Serializer):
    name = serializers.CharField(max_length=5)
    names = serializers.ListField(child=serializers.CharField())
    inner = Inner()


def test_fields_are_built_once_per_class_and_bound_per_instance():
    first, second = Outer(), Outer()
    assert first.fields
    prototypes = Outer._field_prototypes

    assert second.fields.keys() == first.fields.keys() == {"name", "names", "inner"}
    assert Outer._field_prototypes is prototypes
    for name in first.fields:
        assert first.fields[name] is not second.fields[name]
        assert (first.fields[name].parent, second.fields[name].parent) == (first, second)
    assert first.fields["names"].child is not second.fields["names"].child
    assert first.fields["inner"].fields["value"] is not second.fields["inner"].fields["value"]
    assert prototypes["name"].parent is None  # the prototypes stay unbound


def test_each_instance_validates_on_its_own():
    good = Outer(data={"name": "ok", "names": ["a"], "inner": {"value": 1}})
    bad = Outer(data={"name": "too long", "names": [1.5, {}], "inner": {"value": "x"}})

    assert good.is_valid(), good.errors
    assert not bad.is_valid()
    assert good.validated_data == {"name": "ok", "names": ["a"], "inner": {"value": 1}}
    assert set(bad.errors) == {"name", "names", "inner"}
