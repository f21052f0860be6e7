from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from governance.admin.actions import confirmed_action
from governance.admin.base import (
    GovernanceAdminMixin,
    HistoryAdminMixin,
    ServiceFormAdminMixin,
)
from governance.admin.tags import TaggedModelForm, TagsAdminMixin
from governance.cards import CARD_FIELDS, IMMUTABLE_ONCE_SET, SECTIONS
from governance.models import ModelVersion
from governance.models.approvals import REQUESTABLE_STAGES
from governance.services.approvals import approval_create
from governance.services.tags import version_tags_set
from governance.services.versions import (
    version_deprecate,
    version_register,
    version_retire,
    version_rollback,
    version_update,
)

LIFECYCLE_FIELDS = (
    "model",
    "version",
    "stage",
    "stage_changed_at",
    "created_at",
    "created_by",
    "card_revision",
    "card_updated_at",
    "card_hash",
)
CARD_FIELDSETS = tuple(
    (title, {"fields": tuple(f for f in fields if f in CARD_FIELDS)})
    for _, title, fields in SECTIONS
)


class CardChangeForm(TaggedModelForm):
    """Carries the card revision the editor saw, so a concurrent edit is refused."""

    expected_revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["expected_revision"].initial = self.instance.card_revision


class JustificationForm(forms.Form):
    justification = forms.CharField(
        widget=forms.Textarea, required=False, help_text="Why; kept in the audit trail."
    )


class PromotionForm(JustificationForm):
    target_stage = forms.ChoiceField(
        choices=[(stage.value, stage.label) for stage in REQUESTABLE_STAGES]
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea, required=False, help_text="Why; kept in the audit trail."
    )


@confirmed_action(form=PromotionForm, description="Request promotion…", done="Promotion requested")
def request_promotion(request: HttpRequest, version: ModelVersion, data: dict) -> None:
    approval_create(
        actor=request.user,
        version_id=version.pk,
        target_stage=data["target_stage"],
        justification=data["justification"],
    )


@confirmed_action(
    form=JustificationForm, description="Request rollback to production…", done="Rollback requested"
)
def request_rollback(request: HttpRequest, version: ModelVersion, data: dict) -> None:
    version_rollback(actor=request.user, version_id=version.pk, justification=data["justification"])


@confirmed_action(form=ReasonForm, description="Deprecate…", done="Deprecated")
def deprecate(request: HttpRequest, version: ModelVersion, data: dict) -> None:
    version_deprecate(actor=request.user, version_id=version.pk, reason=data["reason"])


@confirmed_action(form=ReasonForm, description="Retire…", done="Retired")
def retire(request: HttpRequest, version: ModelVersion, data: dict) -> None:
    version_retire(actor=request.user, version_id=version.pk, reason=data["reason"])


@admin.register(ModelVersion)
class ModelVersionAdmin(
    GovernanceAdminMixin,
    TagsAdminMixin,
    ServiceFormAdminMixin,
    HistoryAdminMixin,
    SimpleHistoryAdmin,
):
    """Versions are registered through version_register and their cards and tags edited
    through version_update; stages move only through the actions, which call the services."""

    actions = [request_promotion, request_rollback, deprecate, retire]
    list_display = (
        "__str__",
        "stage",
        "risk_level",
        "team",
        "stage_changed_at",
        "card_revision",
        "created_by",
        "created_at",
    )
    list_filter = ("stage", "model__risk_level", "model__team", "review_schedule")
    list_select_related = ("model__team", "created_by")
    search_fields = ("model__name", "version", "code_revision", "training_data_version")
    date_hierarchy = "created_at"
    autocomplete_fields = ("model",)
    history_list_display = ("stage", "card_revision")

    @admin.display(description="risk level", ordering="model__risk_level")
    def risk_level(self, version: ModelVersion) -> str:
        return version.model.get_risk_level_display()

    @admin.display(description="team", ordering="model__team__slug")
    def team(self, version: ModelVersion) -> str:
        return str(version.model.team)

    @admin.display(description="card hash")
    def card_hash(self, version: ModelVersion) -> str:
        return version.card_hash()

    def get_fieldsets(self, request: HttpRequest, obj: ModelVersion | None = None) -> tuple:
        tags = ("Tags", {"fields": (self.tags_field(request, obj),)})
        if obj is None:
            return ((None, {"fields": ("model", "version")}), *CARD_FIELDSETS, tags)
        lifecycle = LIFECYCLE_FIELDS
        if self.has_change_permission(request, obj):
            lifecycle = (*lifecycle, "expected_revision")
        return (("Lifecycle", {"fields": lifecycle}), *CARD_FIELDSETS, tags)

    def get_readonly_fields(
        self, request: HttpRequest, obj: ModelVersion | None = None
    ) -> tuple[str, ...]:
        if obj is None:
            return ()
        fixed = tuple(field for field in IMMUTABLE_ONCE_SET if getattr(obj, field))
        return (*LIFECYCLE_FIELDS, *fixed, "tag_list")

    def get_form(
        self, request: HttpRequest, obj: ModelVersion | None = None, change: bool = False, **kw: Any
    ) -> type[TaggedModelForm]:
        kw["form"] = CardChangeForm if obj is not None else TaggedModelForm
        return super().get_form(request, obj, change=change, **kw)

    def service_save(
        self, request: HttpRequest, obj: ModelVersion | None, form: TaggedModelForm
    ) -> ModelVersion:
        if obj is None:
            card = {field: form.value(field) for field in CARD_FIELDS if field in form.fields}
            return version_register(
                actor=request.user,
                model_id=form.value("model").pk,
                version=form.value("version"),
                card=card,
                tags=form.tags_to_register(),
            )
        changes, tags = form.changed_values(CARD_FIELDS), form.tag_changes()
        if changes:
            return version_update(
                actor=request.user,
                version_id=obj.pk,
                changes=changes,
                tags=tags,
                expected_revision=form.cleaned_data.get("expected_revision"),
            )
        if tags:  # tags alone: a governance admin may tag a version but not edit its card
            version_tags_set(actor=request.user, version_id=obj.pk, tags=tags, merge=True)
        return obj
