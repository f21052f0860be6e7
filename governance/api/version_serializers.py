"""Serializers of /api/v1/models/{name}/versions/: a version in a list, a version with its
whole card, and the bodies that register and edit one.

Card fields sit at the top level of a version, in responses and in bodies alike; text is
taken as sent (not trimmed, a number is not turned into text) and the model's validators
check it, so nothing here re-implements a rule.
"""

from collections.abc import Mapping
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from governance.api.common import TagsField, TextField, UsernameField
from governance.api.fields_cache import ModelSerializer, Serializer
from governance.models import ModelVersion, ReviewSchedule
from governance.validators import VERSION_MAX_LENGTH, validate_version_string

TRANSITIONS = "Read-only here: change the stage with POST .../versions/{version}/transitions/."
ELSEWHERE = {
    "stage": TRANSITIONS,
    "stage_changed_at": TRANSITIONS,
    "approved_by": TRANSITIONS + " Approvers come from the approval request.",
    "approval_date": TRANSITIONS + " The date comes from the approval request.",
    **dict.fromkeys(
        ("risk_level", "owner", "team"), "Belongs to the registered model: PATCH /models/{name}/."
    ),
}
NUMBERS = {"type": "object", "additionalProperties": {"type": "number"}}
OBJECT = {"type": "object", "additionalProperties": {}}


def _json_field(schema: dict) -> type[serializers.JSONField]:
    """A JSON value documented as schema; the model's validators check it as sent (items,
    lengths, characters), so nothing here coerces it."""
    return extend_schema_field(schema)(type("CardJSONField", (serializers.JSONField,), {}))


TextList = _json_field({"type": "array", "items": {"type": "string"}})
MetricMap = _json_field(NUMBERS)
GroupMetrics = _json_field({"type": "object", "additionalProperties": NUMBERS})
FreeObject = _json_field(OBJECT)


def _text(**kwargs: Any) -> TextField:
    return TextField(required=False, allow_blank=True, trim_whitespace=False, **kwargs)


class CardFieldsSerializer(Serializer):
    """The model card's editable fields (all optional; see DESIGN.md for their meaning)."""

    intended_use = _text()
    out_of_scope_uses = TextList(required=False)
    primary_users = TextList(required=False)
    training_data_description = _text()
    training_data_version = _text()
    training_date = serializers.DateField(required=False, allow_null=True)
    training_pipeline = _text()
    hyperparameters = FreeObject(required=False)
    code_revision = _text(help_text="Fixed once set.")
    artifact_uri = _text(help_text="Fixed once set, e.g. s3://bucket/model.pkl.")
    artifact_sha256 = _text(help_text="Fixed once set; 64 lowercase hex digits.")
    evaluation_metrics = MetricMap(required=False)
    performance_by_group = GroupMetrics(required=False)
    known_limitations = TextList(required=False)
    ethical_considerations = TextList(required=False)
    fairness_assessment = FreeObject(required=False, help_text="method, summary, groups, results")
    review_schedule = serializers.ChoiceField(choices=ReviewSchedule.choices, required=False)
    retirement_criteria = FreeObject(
        required=False,
        help_text="max_age_days, metric_floors [{metric, min, days}], drift_ceiling, "
        "retire_on_replacement",
    )


class StrictInputSerializer(CardFieldsSerializer):
    """Card fields; any other field is refused (400), not dropped: a typo is not a no-op."""

    def to_internal_value(self, data: Any) -> dict:
        if isinstance(data, Mapping):
            unknown = sorted(str(key)[:100] for key in data if key not in self.fields)
            if unknown:
                raise serializers.ValidationError(
                    {key: ELSEWHERE.get(key, "Not a field you can set here.") for key in unknown}
                )
        return super().to_internal_value(data)


class VersionRegisterSerializer(StrictInputSerializer):
    """A new version with its card (top level or in `card`) and tags."""

    version = TextField(
        max_length=VERSION_MAX_LENGTH,
        validators=[validate_version_string],
        trim_whitespace=False,
    )
    card = CardFieldsSerializer(
        required=False, help_text="Card fields may also be given here instead of the top level."
    )
    tags = TagsField(required=False)

    def to_internal_value(self, data: Any) -> dict:
        if isinstance(data, Mapping) and "card" in data:
            data = _lift_card(data)
        return super().to_internal_value(data)


def _lift_card(data: Mapping) -> dict:
    """Card fields nested in `card` join the top level; each field may be in one place only."""
    card = {} if data["card"] is None else data["card"]
    if not isinstance(card, Mapping):
        raise serializers.ValidationError({"card": "Expected an object of card fields."})
    twice = sorted(str(key)[:100] for key in card if key in data)
    if twice:
        raise serializers.ValidationError(
            dict.fromkeys(twice, "Given both at the top level and in card.")
        )
    return {**{key: value for key, value in data.items() if key != "card"}, **card}


class VersionUpdateSerializer(StrictInputSerializer):
    """Card fields to change and tags to merge; stage and approval fields are refused."""

    tags = TagsField(required=False, help_text="Merged into the tags; null removes a key.")


class VersionSerializer(ModelSerializer):
    """A version in a list; read the version itself for its card."""

    model = serializers.CharField(source="model.name", read_only=True)
    created_by = UsernameField()
    tags = serializers.SerializerMethodField()

    class Meta:
        model = ModelVersion
        fields = [
            "model",
            "version",
            "stage",
            "stage_changed_at",
            "created_at",
            "created_by",
            "card_revision",
            "card_updated_at",
            "tags",
        ]
        read_only_fields = fields

    def get_tags(self, version: ModelVersion) -> dict[str, str]:
        return {tag.key: tag.value for tag in version.tags.all()}


APPROVED_BY = {
    "oneOf": [
        {"type": "array", "items": {"type": "string"}},
        {"type": "string", "enum": ["PENDING"]},
    ],
    "description": "Approvers of the approval that put the version in production, as "
    "'username (role)', or PENDING.",
}


class VersionDetailSerializer(VersionSerializer, CardFieldsSerializer):
    """A version with its whole card: card fields at the top level, as PATCH takes them."""

    team = serializers.CharField(source="model.team.slug")
    owner = UsernameField(source="model.owner")
    risk_level = serializers.CharField(source="model.risk_level")
    approved_by = serializers.SerializerMethodField()
    approval_date = serializers.SerializerMethodField()

    class Meta(VersionSerializer.Meta):
        fields = [
            *VersionSerializer.Meta.fields,
            "team",
            "owner",
            "risk_level",
            *CardFieldsSerializer._declared_fields,
            "approved_by",
            "approval_date",
        ]
        read_only_fields = fields

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        for field in fields.values():  # the card fields are declared for input too
            field.read_only, field.required = True, False
        return fields

    def to_representation(self, version: ModelVersion) -> dict:
        # The card derives the approval fields (two queries); derive them once per version.
        self._governance = version.to_dict()["governance"]
        return super().to_representation(version)

    @extend_schema_field(APPROVED_BY)
    def get_approved_by(self, version: ModelVersion) -> list[str] | str:
        return self._governance["approved_by"]

    @extend_schema_field({"type": "string", "description": "ISO date-time, or PENDING."})
    def get_approval_date(self, version: ModelVersion) -> str:
        return self._governance["approval_date"]
