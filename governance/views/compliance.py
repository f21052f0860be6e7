"""The EU AI Act compliance checklist in the review UI: a version's checklist page (also
loaded into the version page) and the overview of the visible production versions (also
loaded into the dashboard). Product guidance, not legal advice."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from governance.selectors.compliance import compliance_overview_for, version_compliance_for


@login_required
@require_GET
def version_compliance(request: HttpRequest, name: str, version: str) -> HttpResponse:
    page = version_compliance_for(user=request.user, name=name, version=version)
    context = {
        "checklist": page.checklist,
        "version": page.version,
        "model": page.version.model,
        "nav": "models",
    }
    return render(request, "governance/compliance/version.html", context)


@login_required
@require_GET
def compliance_overview(request: HttpRequest) -> HttpResponse:
    context = {"overview": compliance_overview_for(user=request.user), "nav": "dashboard"}
    return render(request, "governance/compliance/overview.html", context)
