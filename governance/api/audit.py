"""/api/v1/audit/: read and export the hash-chained audit trail, and verify the chain.

The JSONL export carries every hashed field as it was hashed (created_at as
audit.format_timestamp writes it, details as the exact canonical JSON text), so anyone
can recompute each hash with audit.event_hash and follow prev_hash from line to line.
"""

import json
from collections.abc import Iterator
from itertools import chain, islice
from typing import Any

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder
from rest_framework.views import APIView

from governance import policies
from governance.api.common import MOMENT_HELP, choice_param, moment_param, paginated, text_param
from governance.api.fields_cache import Serializer
from governance.api.pagination import SequencePagination
from governance.audit import format_timestamp, verify_chain
from governance.models import AuditEvent, AuditEventType
from governance.selectors import audit_events_visible_to, visibility

EXPORT_CHUNK = 2000  # rows per database fetch and per streamed piece of the export
# The hashed columns, and their names in the export (the names event_hash's JSON uses).
EXPORT_COLUMNS = {
    "sequence": "sequence",
    "created_at": "created_at",
    "event_type": "event_type",
    "actor": "actor",
    "model_id": "model",
    "version_id": "version",
    "request_id": "request",
    "details": "details",
    "prev_hash": "prev_hash",
    "hash": "hash",
}


class JsonLinesRenderer(BaseRenderer):
    """Lets `?format=jsonl` or `Accept: application/jsonl` choose the export (DRF reads
    `format` as a renderer choice); an error body renders as one JSON line."""

    media_type = "application/jsonl"
    format = "jsonl"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None
    ) -> bytes:
        return (json.dumps(data, cls=JSONEncoder) + "\n").encode()


@extend_schema_field(OpenApiTypes.DATETIME)
class StampField(serializers.Field):
    """created_at exactly as it was hashed: UTC, microseconds, "Z"."""

    def to_representation(self, value: Any) -> str:
        return format_timestamp(value)


class AuditEventSerializer(Serializer):
    sequence = serializers.IntegerField()
    created_at = StampField()
    event_type = serializers.ChoiceField(choices=AuditEventType.choices)
    actor = serializers.CharField(help_text="Username, or system:<task>.")
    model = serializers.IntegerField(source="model_id", allow_null=True)
    model_name = serializers.CharField(source="model.name", allow_null=True)
    version = serializers.IntegerField(source="version_id", allow_null=True)
    version_name = serializers.CharField(source="version.version", allow_null=True)
    request = serializers.IntegerField(source="request_id", allow_null=True)
    details = serializers.CharField(help_text="The exact canonical JSON text that was hashed.")
    data = serializers.SerializerMethodField(help_text="details, parsed.")
    prev_hash = serializers.CharField()
    hash = serializers.CharField()

    def get_data(self, event: AuditEvent) -> dict:
        return event.details_data


class ChainStatusSerializer(Serializer):
    ok = serializers.BooleanField()
    count = serializers.IntegerField(help_text="Events verified in order (all when ok).")
    head_sequence = serializers.IntegerField(help_text="The last event verified in order.")
    head_hash = serializers.CharField(help_text="Its hash (the genesis hash when none).")
    broken_at = serializers.IntegerField(allow_null=True, help_text="The first broken sequence.")
    problem = serializers.CharField(allow_blank=True)


AUDIT_FILTERS = [
    OpenApiParameter("model", OpenApiTypes.STR, description="The registered model's name."),
    OpenApiParameter("type", OpenApiTypes.STR, enum=AuditEventType.values),
    OpenApiParameter("actor", OpenApiTypes.STR, description="Username, or system:<task>."),
    OpenApiParameter("since", OpenApiTypes.DATETIME, description=f"At or after. {MOMENT_HELP}"),
    OpenApiParameter("until", OpenApiTypes.DATETIME, description=f"Before. {MOMENT_HELP}"),
    OpenApiParameter(
        "format",
        OpenApiTypes.STR,
        enum=["json", "jsonl"],
        description="jsonl: every matching event, one JSON object per line, streamed.",
    ),
]


def _export_line(row: tuple) -> str:
    event = dict(zip(EXPORT_COLUMNS.values(), row, strict=True))
    event["created_at"] = format_timestamp(event["created_at"])
    return json.dumps(event, separators=(",", ":")) + "\n"


def export_lines(events: QuerySet) -> Iterator[str]:
    """The events in sequence order, fetched and sent in chunks: memory stays flat."""
    rows = events.order_by("sequence").values_list(*EXPORT_COLUMNS)
    rows = rows.iterator(chunk_size=EXPORT_CHUNK)
    while chunk := list(islice(rows, EXPORT_CHUNK)):
        yield "".join(_export_line(row) for row in chunk)


def export_response(events: QuerySet) -> StreamingHttpResponse:
    lines = export_lines(events)
    # The first chunk is read now: a failing query answers with an error status instead
    # of breaking off a response already sent as 200.
    first = next(lines, "")
    response = StreamingHttpResponse(
        chain([first], lines), content_type="application/jsonl; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="audit-events.jsonl"'
    return response


class AuditEventListApi(APIView):
    pagination_class = SequencePagination
    renderer_classes = [JSONRenderer, JsonLinesRenderer]

    def _filtered(self, request: Request) -> QuerySet:
        events = audit_events_visible_to(request.user)
        if model := text_param(request, "model", 100):
            events = events.filter(model__name=model)
        if event_type := choice_param(request, "type", AuditEventType.values):
            events = events.filter(event_type=event_type)
        if actor := text_param(request, "actor", 150):
            events = events.filter(actor=actor)
        if (since := moment_param(request, "since")) is not None:
            events = events.filter(created_at__gte=since)
        if (until := moment_param(request, "until")) is not None:
            events = events.filter(created_at__lt=until)
        return events

    @extend_schema(
        parameters=AUDIT_FILTERS,
        responses={
            (200, "application/json"): AuditEventSerializer(many=True),
            (200, "application/jsonl"): OpenApiTypes.STR,
        },
    )
    def get(self, request: Request) -> Response | StreamingHttpResponse:
        """Audit events you may see, in chain order; `format=jsonl` exports them all."""
        events = self._filtered(request)
        if request.accepted_renderer.format == JsonLinesRenderer.format:
            return export_response(events)
        return paginated(
            request,
            events.select_related("model", "version"),
            AuditEventSerializer,
            self.pagination_class,
        )


class AuditVerifyApi(APIView):
    @extend_schema(responses=ChainStatusSerializer)
    def get(self, request: Request) -> Response:
        """Walk the whole chain; for people who may see every event (auditors, global roles)."""
        policies.require_can_verify_audit(request.user, visibility(request.user).everything)
        report = verify_chain()
        body = {
            "ok": report.ok,
            "count": report.count,
            "head_sequence": report.count,
            "head_hash": report.head_hash,
            "broken_at": report.broken_at,
            "problem": report.problem,
        }
        return Response(ChainStatusSerializer(body).data)


urlpatterns = [
    path("audit/events/", AuditEventListApi.as_view(), name="audit-event-list"),
    path("audit/verify/", AuditVerifyApi.as_view(), name="audit-verify"),
]
