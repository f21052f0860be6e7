"""/api/v1/: the serious-incident register of a version (EU AI Act Art. 73): list and record
incidents (optionally suspending the version), report one to the authority, close it, keep
its corrective action current. The same services as the review UI (services.incidents)."""

from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.api.common import TextField, UsernameField, input_of
from governance.api.fields_cache import ModelSerializer, Serializer
from governance.incident_rules import DUE_SOON, ON_TRACK, OVERDUE, deadline_state
from governance.models import IncidentSeverity, IncidentStatus, SeriousIncident
from governance.models.incidents import (
    CORRECTIVE_ACTION_LIMIT,
    DESCRIPTION_LIMIT,
    REFERENCE_LIMIT,
)
from governance.selectors import version_locate_for
from governance.selectors.incidents import (
    due_soon_days,
    incident_require_visible,
    version_incidents,
)
from governance.services import incidents as services

NOT_ADVICE = (
    "Deadlines follow Art. 73 of the EU AI Act as Tutela reads it: 2 days for a widespread "
    "infringement or a serious and irreversible disruption of critical infrastructure, 10 days "
    "for a death, 15 days otherwise, from the date of awareness. Product guidance, not legal "
    "advice."
)
DEADLINE_STATES = [OVERDUE, DUE_SOON, ON_TRACK]


class IncidentSerializer(ModelSerializer):
    model = serializers.CharField(source="version.model.name")
    version = serializers.CharField(source="version.version")
    reported_by = UsernameField(help_text="Who recorded the incident in Tutela.")
    deadline_state = serializers.SerializerMethodField(
        help_text="Open incidents only (null otherwise): `overdue` after the deadline day, "
        "`due_soon` within TUTELA_INCIDENT_DUE_SOON_DAYS of it, else `on_track`."
    )
    revoked_request = serializers.PrimaryKeyRelatedField(
        read_only=True,
        allow_null=True,
        help_text="The production approval revoked to suspend the version, if it was.",
    )

    class Meta:
        model = SeriousIncident
        fields = [
            "id",
            "model",
            "version",
            "description",
            "severity",
            "occurred_at",
            "aware_at",
            "report_deadline",
            "deadline_state",
            "status",
            "reported_at",
            "authority_reference",
            "corrective_action",
            "closed_at",
            "revoked_request",
            "reported_by",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(
        serializers.ChoiceField(choices=DEADLINE_STATES, allow_null=True, read_only=True)
    )
    def get_deadline_state(self, obj: SeriousIncident) -> str | None:
        if obj.status != IncidentStatus.OPEN:
            return None
        today = timezone.localdate()
        return deadline_state(obj.report_deadline, today, due_soon_days()).state


class IncidentRecordInputSerializer(Serializer):
    description = TextField(max_length=DESCRIPTION_LIMIT)
    severity = serializers.ChoiceField(choices=IncidentSeverity.choices)
    aware_at = serializers.DateField(help_text="The date of awareness (YYYY-MM-DD), not future.")
    occurred_at = serializers.DateField(required=False, allow_null=True, default=None)
    corrective_action = TextField(
        max_length=CORRECTIVE_ACTION_LIMIT, required=False, allow_blank=True, default=""
    )
    suspend = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Take the version out of production by revoking the approval that put it "
        "there (risk officers and legal of the model; 403 and nothing recorded otherwise).",
    )


class IncidentReportInputSerializer(Serializer):
    reported_at = serializers.DateField(help_text="The day the report reached the authority.")
    reference = TextField(max_length=REFERENCE_LIMIT, help_text="The authority's reference.")


class CorrectiveActionInputSerializer(Serializer):
    corrective_action = TextField(max_length=CORRECTIVE_ACTION_LIMIT)


class VersionIncidentListApi(APIView):
    @extend_schema(
        responses=IncidentSerializer(many=True),
        description="The version's serious incidents, newest awareness first. " + NOT_ADVICE,
    )
    def get(self, request: Request, name: str, version: str) -> Response:
        found = version_locate_for(user=request.user, name=name, version=version)
        return Response(IncidentSerializer(version_incidents(found), many=True).data)

    @extend_schema(
        request=IncidentRecordInputSerializer,
        responses={201: IncidentSerializer},
        description="Record a serious incident (ML engineers, ML leads and risk officers of "
        "the model); its reporting deadline comes from its class. " + NOT_ADVICE,
    )
    def post(self, request: Request, name: str, version: str) -> Response:
        found = version_locate_for(user=request.user, name=name, version=version)
        data = input_of(IncidentRecordInputSerializer, request)
        recorded = services.incident_record(actor=request.user, version_id=found.pk, **data)
        return Response(IncidentSerializer(recorded).data, status=status.HTTP_201_CREATED)


class IncidentReportApi(APIView):
    @extend_schema(
        request=IncidentReportInputSerializer,
        responses=IncidentSerializer,
        description="Record that an open incident was reported to the market surveillance "
        "authority (risk officers and legal of the model). " + NOT_ADVICE,
    )
    def post(self, request: Request, pk: int) -> Response:
        incident_require_visible(user=request.user, pk=pk)
        data = input_of(IncidentReportInputSerializer, request)
        reported = services.incident_report_to_authority(actor=request.user, incident_id=pk, **data)
        return Response(IncidentSerializer(reported).data)


class IncidentCloseApi(APIView):
    @extend_schema(
        request=CorrectiveActionInputSerializer,
        responses=IncidentSerializer,
        description="Close an incident reported to the authority, with the corrective action "
        "taken (risk officers and legal of the model).",
    )
    def post(self, request: Request, pk: int) -> Response:
        incident_require_visible(user=request.user, pk=pk)
        data = input_of(CorrectiveActionInputSerializer, request)
        closed = services.incident_close(actor=request.user, incident_id=pk, **data)
        return Response(IncidentSerializer(closed).data)


class IncidentCorrectiveActionApi(APIView):
    @extend_schema(
        request=CorrectiveActionInputSerializer,
        responses=IncidentSerializer,
        description="Update the corrective action of an open or reported incident (ML "
        "engineers, ML leads, risk officers and legal of the model).",
    )
    def post(self, request: Request, pk: int) -> Response:
        incident_require_visible(user=request.user, pk=pk)
        data = input_of(CorrectiveActionInputSerializer, request)
        updated = services.incident_update_corrective_action(
            actor=request.user, incident_id=pk, **data
        )
        return Response(IncidentSerializer(updated).data)


urlpatterns = [
    path(
        "models/<name:name>/versions/<name:version>/incidents/",
        VersionIncidentListApi.as_view(),
        name="incident-list",
    ),
    path("incidents/<int:pk>/report/", IncidentReportApi.as_view(), name="incident-report"),
    path("incidents/<int:pk>/close/", IncidentCloseApi.as_view(), name="incident-close"),
    path(
        "incidents/<int:pk>/corrective-action/",
        IncidentCorrectiveActionApi.as_view(),
        name="incident-corrective-action",
    ),
]
