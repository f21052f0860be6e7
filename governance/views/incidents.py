"""The serious-incident register of a version (/models/<name>/versions/<version>/incidents/):
the list with each deadline and status, the "record an incident" form (with "suspend"), and
each incident's page with its report to the authority, corrective action and closing. Every
write is a service call (services.incidents); nothing is saved on bad input."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from governance import policies
from governance.forms.incidents import CorrectiveActionForm, IncidentRecordForm, IncidentReportForm
from governance.models import SeriousIncident
from governance.selectors import User
from governance.selectors.incidents import (
    IncidentRegister,
    IncidentRow,
    incident_get_for,
    incident_register_for,
)
from governance.services import incidents as services
from governance.views.outcomes import attempt, require_allowed


def incident_path(incident: SeriousIncident) -> str:
    version = incident.version
    args = [version.model.name, version.version, incident.pk]
    return reverse("governance:incident-detail", args=args)


@login_required
@require_GET
def incident_list(request: HttpRequest, name: str, version: str) -> HttpResponse:
    page = incident_register_for(user=request.user, name=name, version=version)
    return _list_page(request, page, IncidentRecordForm())


@login_required
@require_POST
def incident_new(request: HttpRequest, name: str, version: str) -> HttpResponse:
    """Record an incident; with "suspend", the version leaves production (revoke path)."""
    page = incident_register_for(user=request.user, name=name, version=version)
    require_allowed(policies.require_can_record_incident, request.user, page.version)
    form = IncidentRecordForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Nothing was recorded: correct the fields marked below.")
        return _list_page(request, page, form, status=400)
    data, actor, version_id = form.cleaned_data, request.user, page.version.pk
    outcome = attempt(lambda: services.incident_record(actor=actor, version_id=version_id, **data))
    if not outcome.ok:
        form.add_service_errors(outcome.errors or {})
        messages.error(request, f"Nothing was recorded. {outcome.message}")
        return _list_page(request, page, form, status=outcome.status)
    recorded = outcome.value
    suspended = " The version was suspended: it left production." if data["suspend"] else ""
    messages.success(
        request,
        f"Incident #{recorded.pk} recorded; report it to the authority by "
        f"{recorded.report_deadline:%Y-%m-%d}.{suspended}",
    )
    return redirect(incident_path(recorded))


def _list_page(
    request: HttpRequest, page: IncidentRegister, form: Form, *, status: int = 200
) -> HttpResponse:
    context = {"nav": "models", "page": page, "version": page.version, "form": form}
    context["model"] = page.version.model
    return render(request, "governance/incidents/list.html", context, status=status)


@login_required
@require_GET
def incident_detail(request: HttpRequest, name: str, version: str, pk: int) -> HttpResponse:
    row = incident_get_for(user=request.user, name=name, version=version, pk=pk)
    return _detail_page(request, row)


def _forms(row: IncidentRow) -> dict[str, Form]:
    """The report form, and the corrective-action form whose two buttons save it or close
    the incident with it."""
    current = {"corrective_action": row.incident.corrective_action}
    return {
        "report_form": IncidentReportForm(),
        "action_form": CorrectiveActionForm(initial=current),
    }


def _actions(user: User, incident: SeriousIncident) -> dict[str, bool]:
    """What the page offers this person, as the policies say."""
    return {
        "can_report": policies.can(policies.require_can_report_incident, user, incident),
        "can_close": policies.can(policies.require_can_close_incident, user, incident),
        "can_update": policies.can(policies.require_can_update_corrective_action, user, incident),
    }


def _detail_page(
    request: HttpRequest, row: IncidentRow, bound: dict[str, Form] | None = None, status: int = 200
) -> HttpResponse:
    incident = row.incident
    context = {
        "nav": "models",
        "row": row,
        "incident": incident,
        "version": incident.version,
        "model": incident.version.model,
        **_forms(row),
        **(bound or {}),
        **_actions(request.user, incident),
    }
    return render(request, "governance/incidents/detail.html", context, status=status)


def _submit(
    request: HttpRequest,
    row: IncidentRow,
    form_name: str,
    form: Form,
    call: Callable[[dict], SeriousIncident],
    done: str,
) -> HttpResponse:
    """Validate the form, call the service; a refusal shows the page again with the input
    kept and the messages next to the fields, and nothing saved."""
    if not form.is_valid():
        messages.error(request, "Nothing was saved: correct the fields marked below.")
        return _detail_page(request, row, {form_name: form}, status=400)
    outcome = attempt(lambda: call(form.cleaned_data))
    if not outcome.ok:
        form.add_service_errors(outcome.errors or {})
        messages.error(request, f"Nothing was saved. {outcome.message}")
        return _detail_page(request, row, {form_name: form}, status=outcome.status)
    messages.success(request, done)
    return redirect(incident_path(outcome.value))


def _handled(
    request: HttpRequest, name: str, version: str, pk: int, check: Callable
) -> IncidentRow:
    """The incident (404 if not visible), once the person passes check (403 otherwise)."""
    row = incident_get_for(user=request.user, name=name, version=version, pk=pk)
    require_allowed(check, request.user, row.incident.version.model)
    return row


@login_required
@require_POST
def incident_report(request: HttpRequest, name: str, version: str, pk: int) -> HttpResponse:
    row = _handled(request, name, version, pk, policies.require_can_handle_incident)
    form = IncidentReportForm(request.POST)
    actor = request.user

    def call(data: dict) -> SeriousIncident:
        return services.incident_report_to_authority(actor=actor, incident_id=pk, **data)

    done = f"Incident #{pk} is recorded as reported to the authority."
    return _submit(request, row, "report_form", form, call, done)


@login_required
@require_POST
def incident_close(request: HttpRequest, name: str, version: str, pk: int) -> HttpResponse:
    row = _handled(request, name, version, pk, policies.require_can_handle_incident)
    form = CorrectiveActionForm(request.POST)
    actor = request.user

    def call(data: dict) -> SeriousIncident:
        return services.incident_close(actor=actor, incident_id=pk, **data)

    return _submit(request, row, "action_form", form, call, f"Incident #{pk} is closed.")


@login_required
@require_POST
def incident_corrective_action(
    request: HttpRequest, name: str, version: str, pk: int
) -> HttpResponse:
    row = _handled(request, name, version, pk, policies.require_can_edit_incident)
    form = CorrectiveActionForm(request.POST)
    actor = request.user

    def call(data: dict) -> SeriousIncident:
        return services.incident_update_corrective_action(actor=actor, incident_id=pk, **data)

    done = f"The corrective action of incident #{pk} is updated."
    return _submit(request, row, "action_form", form, call, done)
