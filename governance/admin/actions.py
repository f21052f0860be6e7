"""Admin actions that call a service: directly, or after a confirmation page whose form
collects what the service needs (notes, a reason, a role)."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.db import models
from django.http import HttpRequest
from django.template.response import TemplateResponse

from governance.admin.base import run_service

CONFIRM_FIELD = "_confirm"
CONFIRM_TEMPLATE = "admin/governance/confirm_action.html"

Apply = Callable[[HttpRequest, models.Model, dict[str, Any]], object]
Action = Callable[[admin.ModelAdmin, HttpRequest, models.QuerySet], TemplateResponse | None]


def service_action(*, description: str, done: str) -> Callable[[Apply], Action]:
    """An action that calls the service on each selected row without asking anything."""

    def decorate(apply: Apply) -> Action:
        @admin.action(description=description)
        @wraps(apply)
        def action(
            modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: models.QuerySet
        ) -> None:
            run_service(modeladmin, request, queryset, lambda obj: apply(request, obj, {}), done)

        return action

    return decorate


def confirmed_action(
    *, form: type[forms.Form], description: str, done: str
) -> Callable[[Apply], Action]:
    """An action that first shows a page with the selected rows and the form; on submit it
    calls the service on each row with the form's cleaned data, all or nothing."""

    def decorate(apply: Apply) -> Action:
        @admin.action(description=description)
        @wraps(apply)
        def action(
            modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: models.QuerySet
        ) -> TemplateResponse | None:
            bound = form(request.POST if CONFIRM_FIELD in request.POST else None)
            if not bound.is_valid():
                return _confirmation_page(modeladmin, request, queryset, bound, apply.__name__)
            data = bound.cleaned_data
            run_service(modeladmin, request, queryset, lambda obj: apply(request, obj, data), done)
            return None

        return action

    return decorate


def _confirmation_page(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: models.QuerySet,
    form: forms.Form,
    action_name: str,
) -> TemplateResponse:
    action = modeladmin.get_actions(request)[action_name]
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": str(action[2]).rstrip("…. "),
        "subtitle": None,
        "opts": modeladmin.model._meta,
        "queryset": queryset,
        "form": form,
        "action_name": action_name,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "confirm_field": CONFIRM_FIELD,
        "media": modeladmin.media + form.media,
    }
    return TemplateResponse(request, CONFIRM_TEMPLATE, context)
