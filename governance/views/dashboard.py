"""The dashboard (/): what awaits me, what is open, what is wrong, what happened."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from governance.selectors.dashboard import dashboard_for


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    context = {"nav": "dashboard", "dashboard": dashboard_for(user=request.user)}
    return render(request, "governance/dashboard/dashboard.html", context)
