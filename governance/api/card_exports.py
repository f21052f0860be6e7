"""/api/v1/models/{name}/versions/{version}/card.md and card.json: the model card's exports.

The path names the format, so these views answer in it whatever Accept says; refusals
(404, 401, ...) stay problem-details JSON.
"""

from typing import Any

from django.http import HttpResponse, JsonResponse
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.request import Request
from rest_framework.views import APIView

from governance.cards import SECTIONS
from governance.selectors import version_get_for


class PathNamesFormat(BaseContentNegotiation):
    """The path names the export's format, so Accept is not negotiated (refusals are JSON)."""

    def select_parser(self, request: Request, parsers: list) -> Any:
        return parsers[0] if parsers else None

    def select_renderer(
        self, request: Request, renderers: list, format_suffix: str | None = None
    ) -> tuple:
        return renderers[0], renderers[0].media_type


def _section_schema(fields: tuple[str, ...]) -> dict:
    return {"type": "object", "properties": dict.fromkeys(fields, {})}


CARD_JSON = {
    "type": "object",
    "properties": {
        "identity": _section_schema(("name", "version", "owner", "team", "stage", "card_revision")),
        **{key: _section_schema(fields) for key, _title, fields in SECTIONS},
    },
}


class VersionCardMarkdownApi(APIView):
    content_negotiation_class = PathNamesFormat

    @extend_schema(
        operation_id="v1_models_versions_card_markdown",
        responses={(200, "text/markdown"): OpenApiTypes.STR},
    )
    def get(self, request: Request, name: str, version: str) -> HttpResponse:
        """The model card as Markdown (the technical documentation)."""
        found = version_get_for(user=request.user, name=name, version=version)
        return HttpResponse(found.to_markdown(), content_type="text/markdown; charset=utf-8")


class VersionCardJsonApi(APIView):
    content_negotiation_class = PathNamesFormat

    @extend_schema(
        operation_id="v1_models_versions_card_json",
        responses={(200, "application/json"): CARD_JSON},
    )
    def get(self, request: Request, name: str, version: str) -> HttpResponse:
        """The model card as JSON, section by section (the export format)."""
        found = version_get_for(user=request.user, name=name, version=version)
        # ensure_ascii off: card text stays readable (the body is UTF-8), as in the UI export.
        return JsonResponse(found.to_dict(), json_dumps_params={"ensure_ascii": False})


VERSION = "models/<name:name>/versions/<name:version>/"
urlpatterns = [
    path(VERSION + "card.md", VersionCardMarkdownApi.as_view(), name="version-card-markdown"),
    path(VERSION + "card.json", VersionCardJsonApi.as_view(), name="version-card-json"),
]
