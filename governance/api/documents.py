"""/api/v1/models/{name}/versions/{version}/card.pdf, annex-iv.md and annex-iv.pdf: the
model card as PDF and the Annex IV technical documentation (governance.docs.exports, the
same functions as the review UI and the auditor's bundle). The path names the format;
refusals (404, 401, ...) stay problem-details JSON."""

from collections.abc import Callable

from django.http import HttpResponse
from django.urls import path
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.views import APIView

from governance.api.card_exports import VERSION, PathNamesFormat
from governance.docs import exports as documents
from governance.models import ModelVersion
from governance.selectors import version_get_for

MARKDOWN, PDF = "text/markdown; charset=utf-8", "application/pdf"


def _document(
    request: Request,
    name: str,
    version: str,
    build: Callable[[ModelVersion], str | bytes],
    content_type: str,
    suffix: str,
) -> HttpResponse:
    found = version_get_for(user=request.user, name=name, version=version)
    response = HttpResponse(build(found), content_type=content_type)
    filename = f"{found.model.name}-{found.version}-{suffix}"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


class VersionCardPdfApi(APIView):
    content_negotiation_class = PathNamesFormat

    @extend_schema(
        operation_id="v1_models_versions_card_pdf",
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
    )
    def get(self, request: Request, name: str, version: str) -> HttpResponse:
        """The model card as PDF."""
        return _document(request, name, version, documents.card_pdf, PDF, "card.pdf")


class VersionAnnexIvMarkdownApi(APIView):
    content_negotiation_class = PathNamesFormat

    @extend_schema(
        operation_id="v1_models_versions_annex_iv_markdown",
        responses={(200, "text/markdown"): OpenApiTypes.STR},
    )
    def get(self, request: Request, name: str, version: str) -> HttpResponse:
        """The version's EU AI Act Annex IV technical documentation as Markdown: every
        Annex IV point in order, filled from Tutela's records, with MISSING markers where
        evidence is absent. Product guidance, not legal advice."""
        build = documents.annex_iv_markdown
        return _document(request, name, version, build, MARKDOWN, "annex-iv.md")


class VersionAnnexIvPdfApi(APIView):
    content_negotiation_class = PathNamesFormat

    @extend_schema(
        operation_id="v1_models_versions_annex_iv_pdf",
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
    )
    def get(self, request: Request, name: str, version: str) -> HttpResponse:
        """The Annex IV technical documentation as PDF (the same document as annex-iv.md)."""
        build = documents.annex_iv_pdf
        return _document(request, name, version, build, PDF, "annex-iv.pdf")


urlpatterns = [
    path(VERSION + "card.pdf", VersionCardPdfApi.as_view(), name="version-card-pdf"),
    path(
        VERSION + "annex-iv.md",
        VersionAnnexIvMarkdownApi.as_view(),
        name="version-annex-iv-markdown",
    ),
    path(VERSION + "annex-iv.pdf", VersionAnnexIvPdfApi.as_view(), name="version-annex-iv-pdf"),
]
