"""Card exports: Markdown and JSON downloads and a print-friendly page, for everyone who may
see the version (auditors read the technical documentation this way)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from governance.models import ModelVersion
from governance.selectors import version_get_for


def _attachment(response: HttpResponse, version: ModelVersion, extension: str) -> HttpResponse:
    filename = f"{version.model.name}-{version.version}-card.{extension}"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@login_required
@require_GET
def card_markdown(request: HttpRequest, name: str, version: str) -> HttpResponse:
    found = version_get_for(user=request.user, name=name, version=version)
    response = HttpResponse(found.to_markdown(), content_type="text/markdown; charset=utf-8")
    return _attachment(response, found, "md")


@login_required
@require_GET
def card_json(request: HttpRequest, name: str, version: str) -> HttpResponse:
    found = version_get_for(user=request.user, name=name, version=version)
    # ensure_ascii off: names and card text stay readable in the file (it is UTF-8).
    params = {"indent": 2, "ensure_ascii": False}
    response = JsonResponse(found.to_dict(), json_dumps_params=params)
    return _attachment(response, found, "json")


@login_required
@require_GET
def card_print(request: HttpRequest, name: str, version: str) -> HttpResponse:
    found = version_get_for(user=request.user, name=name, version=version)
    context = {"version": found, "model": found.model, "nav": "models"}
    return render(request, "governance/versions/print.html", context)
