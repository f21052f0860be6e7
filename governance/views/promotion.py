"""The promotion request page (/models/<name>/versions/<version>/request/): the next
stage, the roles the policy will require and what the card lacks; the request itself is
made by services.versions.version_transition (a rollback request for a deprecated
version)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from governance import policies
from governance.forms import PromotionForm
from governance.models import ApprovalRequest, ModelVersion, Role
from governance.selectors import version_get_for
from governance.selectors.promotion import PromotionPage, promotion_page_for
from governance.services.versions import version_transition
from governance.views.card_editor import version_path
from governance.views.outcomes import attempt, require_allowed


@login_required
def version_request(request: HttpRequest, name: str, version: str) -> HttpResponse:
    found = version_get_for(user=request.user, name=name, version=version)
    require_allowed(policies.require_can_ask_promotion, request.user, found)
    page = promotion_page_for(user=request.user, version=found)
    data = request.POST if request.method == "POST" else None
    form = PromotionForm(data, initial={"target_stage": page.target})
    if not form.is_bound:
        return _page(request, found, page, form)
    if not form.is_valid():
        messages.error(request, "Nothing was requested: correct the fields marked below.")
        return _page(request, found, page, form, status=400)
    # The form offers staging and production only: the transition is always a request.
    outcome = attempt(
        lambda: version_transition(actor=request.user, version=found, **form.cleaned_data)
    )
    if outcome.ok:
        messages.success(request, _requested_message(outcome.value, found))
        return redirect(f"/reviews/{outcome.value.pk}/")
    form.add_service_errors(outcome.errors or {})
    messages.error(request, f"Nothing was requested. {outcome.message}")
    return _page(request, found, page, form, status=outcome.status)


def _requested_message(made: ApprovalRequest, version: ModelVersion) -> str:
    roles = ", ".join(Role(name).label for name in made.required_roles)
    return f"Request #{made.pk} to move {version} to {made.target_stage} is open; it needs {roles}."


def _page(
    request: HttpRequest,
    version: ModelVersion,
    page: PromotionPage,
    form: PromotionForm,
    *,
    status: int = 200,
) -> HttpResponse:
    context = {
        "nav": "models",
        "model": version.model,
        "version": version,
        "page": page,
        "form": form,
        "version_url": version_path(version),
        "edit_url": version_path(version) + "edit/",
    }
    return render(request, "governance/versions/request.html", context, status=status)
