"""Shared admin plumbing: every state change goes through a service, nothing is deleted,
and input from URLs and forms is checked before it reaches a query.

The admin is a client of governance/services like the review UI and the API: forms and
actions collect input, the service checks the policy, writes and appends the audit event.
"""

from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    PermissionDenied,
    ValidationError,
)
from django.db import models, transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect

from governance.exceptions import REFUSALS, refusal_message
from governance.models import ModelVersion, RegisteredModel
from governance.services.common import lock_models

PK_MAX = 2**63 - 1  # BigAutoField; larger ids overflow the database driver.
NUL = "\x00"


def valid_pk(model: type[models.Model], value: Any) -> bool:
    """Whether value can be looked up as the model's primary key without a database error."""
    try:
        pk = model._meta.pk.to_python(unquote(str(value)))
    except ValidationError:
        return False
    return not isinstance(pk, int) or 0 < pk <= PK_MAX


def require_pk(model: type[models.Model], value: Any) -> None:
    if not valid_pk(model, value):
        raise Http404(f"No {model._meta.verbose_name} matches the given id.")


def model_id_of(obj: models.Model) -> int | None:
    """The registered model a row belongs to (None for people and teams)."""
    if isinstance(obj, RegisteredModel):
        return obj.pk
    if isinstance(obj, ModelVersion):
        return obj.model_id
    version = getattr(obj, "version", None)  # requests, alerts, deployments
    return version.model_id if isinstance(version, ModelVersion) else None


def run_service(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    objects: Iterable[models.Model],
    apply: Callable[[models.Model], object],
    done: str,
) -> None:
    """Apply a service call to every selected row in one transaction: all or nothing."""
    current = None
    try:
        with transaction.atomic():
            lock_models(filter(None, map(model_id_of, objects)))
            count = 0
            for current in objects:
                apply(current)
                count += 1
    except REFUSALS as error:
        where = f"{current}: " if current is not None else ""
        modeladmin.message_user(
            request, f"{where}{refusal_message(error)} Nothing was changed.", messages.ERROR
        )
        return
    modeladmin.message_user(request, f"{done} ({count}).", messages.SUCCESS)


class SafeInputMixin:
    """Refuse malformed selections and NUL bytes before Django turns them into a failing
    query (PostgreSQL rejects NUL in text; the list filters pass it through unchecked)."""

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> Any:
        if any(NUL in text for key, values in request.GET.lists() for text in (key, *values)):
            self.message_user(request, "The filter sent is not valid.", messages.ERROR)
            return HttpResponseRedirect(request.path)
        return super().changelist_view(request, extra_context)

    def get_search_results(
        self, request: HttpRequest, queryset: models.QuerySet, search_term: str
    ) -> tuple[models.QuerySet, bool]:
        # Also serves the autocomplete widgets of other admins' forms.
        return super().get_search_results(request, queryset, search_term.replace(NUL, ""))

    def response_action(self, request: HttpRequest, queryset: models.QuerySet) -> Any:
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not all(valid_pk(self.model, value) for value in selected):
            self.message_user(
                request, "The selection sent is not valid; select rows in the list.", messages.ERROR
            )
            return HttpResponseRedirect(request.get_full_path())
        return super().response_action(request, queryset)


class GovernanceAdminMixin(SafeInputMixin):
    """Governance records are never deleted from the admin, not even by superusers."""

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


class ViewOnlyMixin:
    """Rows written only by services (or never changed at all): view only, for everyone,
    superusers included. Also usable on inlines."""

    def has_add_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False


class ReadOnlyAdminMixin(ViewOnlyMixin, GovernanceAdminMixin):
    """A view-only model admin; state changes happen only in its service-calling actions."""


class HistoryAdminMixin:
    """simple-history's history pages, without its revert: a revert would bypass services."""

    def revert_disabled(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return True

    def has_change_history_permission(
        self, request: HttpRequest, obj: models.Model | None = None
    ) -> bool:
        return False

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict | None = None
    ) -> HttpResponse:
        require_pk(self.model, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(
        self,
        request: HttpRequest,
        object_id: str,
        version_id: str,
        extra_context: dict | None = None,
    ) -> HttpResponse:
        if request.method != "GET":
            raise PermissionDenied("History is read-only; change the object through its page.")
        require_pk(self.model, object_id)
        if not str(version_id).isdigit() or int(version_id) > PK_MAX:
            raise Http404("No such history entry.")
        return super().history_form_view(request, object_id, version_id, extra_context)


class ServiceModelForm(forms.ModelForm):
    """A model form that hands its cleaned data to a service instead of saving itself.

    The admin has no hook between validating a form and rendering its errors, so the service
    call is the last validation step: a refusal becomes a form error and the input is kept.
    The service runs inside the transaction Django's change form view opens, and validates
    the instance itself (full_clean), so the model form's own instance validation is skipped.
    """

    save_through_service: Callable[["ServiceModelForm"], models.Model]

    def _post_clean(self) -> None:
        if self._errors:
            return
        try:
            self.instance = self.save_through_service(self)
        except ValidationError as error:
            self._add_service_errors(error)
        except REFUSALS as error:
            self.add_error(None, refusal_message(error))

    def _add_service_errors(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for field, field_errors in error.error_dict.items():
            if field in self.fields:
                self.add_error(field, ValidationError(field_errors))
            elif field == NON_FIELD_ERRORS:
                self.add_error(None, ValidationError(field_errors))
            else:
                self.add_error(None, refusal_message(ValidationError({field: field_errors})))

    def value(self, name: str) -> Any:
        """The cleaned value; an emptied JSON field becomes the model field's default."""
        value = self.cleaned_data.get(name)
        field = self._meta.model._meta.get_field(name)
        if value is None and isinstance(field, models.JSONField) and not field.null:
            return field.get_default()
        return value

    def changed_values(self, names: Iterable[str]) -> dict[str, Any]:
        return {name: self.value(name) for name in self.changed_data if name in names}


class ServiceFormAdminMixin:
    """Add and change pages call a service with actor=request.user; nothing else saves."""

    form = ServiceModelForm

    def service_save(
        self, request: HttpRequest, obj: models.Model | None, form: ServiceModelForm
    ) -> models.Model:
        raise NotImplementedError

    def get_form(
        self, request: HttpRequest, obj: models.Model | None = None, change: bool = False, **kw: Any
    ) -> type[ServiceModelForm]:
        form = super().get_form(request, obj, change=change, **kw)
        # A subclass per request binds the acting user without sharing state between requests.
        bound = partial(self.service_save, request, obj)
        return type(form.__name__, (form,), {"save_through_service": staticmethod(bound)})

    def save_form(self, request: HttpRequest, form: ServiceModelForm, change: bool) -> models.Model:
        return form.instance

    def save_model(
        self, request: HttpRequest, obj: models.Model, form: ServiceModelForm, change: bool
    ) -> None:
        """Already saved by the service during validation."""

    def save_related(
        self, request: HttpRequest, form: ServiceModelForm, formsets: list, change: bool
    ) -> None:
        """Governed models have no many-to-many fields or inlines to save."""
