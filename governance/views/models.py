"""The model page (/models/<name>/) and its history sections: the audit events (in the page,
?page=N) and the field changes (loaded into it by htmx, ?changes=N), each also a page of its
own that works without JavaScript."""

import datetime

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from governance.selectors.history import model_audit_for, model_changes_for, page_number
from governance.selectors.models import model_page_for


class AsOfForm(forms.Form):
    """The day of "what was in production on date X": any day up to today."""

    date = forms.DateField(
        label="Date",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "Pick a date.", "invalid": "Enter a date as YYYY-MM-DD."},
    )

    def clean_date(self) -> datetime.date:
        day = self.cleaned_data["date"]
        if day > timezone.localdate():
            raise ValidationError("Pick a date up to today.")
        return day


@login_required
@require_GET
def model_detail(request: HttpRequest, name: str) -> HttpResponse:
    form = AsOfForm(request.GET if "date" in request.GET else None)
    as_of = form.cleaned_data["date"] if form.is_bound and form.is_valid() else None
    audit_page = page_number(request.GET.get("page"))
    page = model_page_for(user=request.user, name=name, as_of=as_of, audit_page=audit_page)
    context = {
        "page": page,
        "model": page.model,
        "events": page.audit,
        "as_of_form": form,
        "changes_page": page_number(request.GET.get("changes")),
        "embedded": True,  # the history sections' links swap just their section
        "nav": "models",
    }
    return render(request, "governance/models/detail.html", context)


def _section(request: HttpRequest, full_page: str, partial: str, context: dict) -> HttpResponse:
    """htmx asks for the section inside the model page; a plain request gets a page."""
    template = partial if request.htmx else full_page
    response = render(request, template, {**context, "embedded": bool(request.htmx)})
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_GET
def model_history(request: HttpRequest, name: str) -> HttpResponse:
    page = page_number(request.GET.get("page"))
    model, events = model_audit_for(user=request.user, name=name, page=page)
    context = {"model": model, "events": events, "nav": "models"}
    return _section(
        request,
        "governance/models/history.html",
        "governance/partials/_history_audit.html",
        context,
    )


@login_required
@require_GET
def model_changes(request: HttpRequest, name: str) -> HttpResponse:
    page = page_number(request.GET.get("page"))
    model, changes = model_changes_for(user=request.user, name=name, page=page)
    context = {"model": model, "changes": changes, "nav": "models"}
    return _section(
        request,
        "governance/models/changes.html",
        "governance/partials/_history_changes.html",
        context,
    )
