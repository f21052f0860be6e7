"""Card and Annex IV exports for everyone who may see the version (auditors read the
technical documentation this way): the card as Markdown, JSON, a print page and PDF; the
Annex IV technical documentation as a print page, Markdown and PDF. The documents are
built by governance.docs.exports, the functions the auditor's bundle calls too."""

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from governance.docs import exports as documents
from governance.exceptions import PdfUnavailable
from governance.models import ModelVersion
from governance.selectors import version_get_for

MARKDOWN = "text/markdown; charset=utf-8"
PDF = "application/pdf"


def _attachment(response: HttpResponse, version: ModelVersion, suffix: str) -> HttpResponse:
    """suffix: "card.md", "annex-iv.pdf", ... after the model's name and version."""
    filename = f"{version.model.name}-{version.version}-{suffix}"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@login_required
@require_GET
def card_markdown(request: HttpRequest, name: str, version: str) -> HttpResponse:
    found = version_get_for(user=request.user, name=name, version=version)
    response = HttpResponse(documents.card_markdown(found), content_type=MARKDOWN)
    return _attachment(response, found, "card.md")


@login_required
@require_GET
def card_json(request: HttpRequest, name: str, version: str) -> HttpResponse:
    found = version_get_for(user=request.user, name=name, version=version)
    # ensure_ascii off: names and card text stay readable in the file (it is UTF-8).
    params = {"indent": 2, "ensure_ascii": False}
    response = JsonResponse(found.to_dict(), json_dumps_params=params)
    return _attachment(response, found, "card.json")


@login_required
@require_GET
def card_print(request: HttpRequest, name: str, version: str) -> HttpResponse:
    found = version_get_for(user=request.user, name=name, version=version)
    context = {"version": found, "model": found.model, "nav": "models"}
    return render(request, "governance/versions/print.html", context)


@login_required
@require_GET
def card_pdf(request: HttpRequest, name: str, version: str) -> HttpResponse:
    found = version_get_for(user=request.user, name=name, version=version)
    return _pdf(documents.card_pdf, found, "card.pdf")


@login_required
@require_GET
def annex_iv_page(request: HttpRequest, name: str, version: str) -> HttpResponse:
    found = version_get_for(user=request.user, name=name, version=version)
    return HttpResponse(documents.annex_iv_html(found, standalone=False, request=request))


@login_required
@require_GET
def annex_iv_markdown(request: HttpRequest, name: str, version: str) -> HttpResponse:
    found = version_get_for(user=request.user, name=name, version=version)
    response = HttpResponse(documents.annex_iv_markdown(found), content_type=MARKDOWN)
    return _attachment(response, found, "annex-iv.md")


@login_required
@require_GET
def annex_iv_pdf(request: HttpRequest, name: str, version: str) -> HttpResponse:
    found = version_get_for(user=request.user, name=name, version=version)
    return _pdf(documents.annex_iv_pdf, found, "annex-iv.pdf")


def _pdf(
    build: Callable[[ModelVersion], bytes], version: ModelVersion, suffix: str
) -> HttpResponse:
    try:
        response = HttpResponse(build(version), content_type=PDF)
    except PdfUnavailable as unavailable:  # no Pango on this server: say what to install
        return HttpResponse(unavailable.message, status=503, content_type="text/plain")
    return _attachment(response, version, suffix)
