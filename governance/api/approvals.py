"""/api/v1/: stage transitions of a version, approval requests, their decisions and revocation."""

from datetime import datetime

from django.db.models import QuerySet
from django.http import Http404
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from governance import policies
from governance.api.common import (
    TextField,
    UsernameField,
    bool_param,
    choice_param,
    input_of,
    paginated,
    text_param,
)
from governance.api.fields_cache import ModelSerializer, Serializer
from governance.api.pagination import NewestFirstPagination
from governance.models import (
    ALL_DECISIONS,
    ApprovalDecision,
    ApprovalRequest,
    ApprovalStatus,
    Decision,
    ModelVersion,
    Role,
    Stage,
)
from governance.models.approvals import NOTE_LIMIT
from governance.models.prefetch import attach_prefetched
from governance.selectors import User, request_visible_on_refusal, version_locate_for
from governance.selectors.reviews import awaiting_decision_for, requests_list_for
from governance.services.approvals import approval_decide, approval_revoke
from governance.services.versions import version_transition


class DecisionSerializer(ModelSerializer):
    approver = UsernameField()
    decided_at = serializers.DateTimeField(source="created_at")
    live = serializers.SerializerMethodField(
        help_text="False once a card edit or risk raise restarted the review."
    )

    class Meta:
        model = ApprovalDecision
        fields = ["role", "decision", "approver", "notes", "decided_at", "live", "superseded_at"]
        read_only_fields = fields

    def get_live(self, obj: ApprovalDecision) -> bool:
        return obj.superseded_at is None


class ApprovalRequestSerializer(ModelSerializer):
    kind = serializers.SerializerMethodField()
    model = serializers.CharField(source="version.model.name")
    version = serializers.CharField(source="version.version")
    requester = UsernameField()
    required_roles = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices))
    missing_roles = serializers.SerializerMethodField()
    decisions = DecisionSerializer(many=True)
    revoked_by = UsernameField(allow_null=True)
    updated_at = serializers.SerializerMethodField()

    class Meta:
        model = ApprovalRequest
        fields = [
            "kind",
            "id",
            "status",
            "model",
            "version",
            "from_stage",
            "target_stage",
            "requester",
            "justification",
            "required_roles",
            "missing_roles",
            "decisions",
            "created_at",
            "updated_at",
            "decided_at",
            "revoked_by",
            "revoked_at",
            "revoke_reason",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=["approval_request"]))
    def get_kind(self, obj: ApprovalRequest | None) -> str:
        return "approval_request"

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=Role.choices)))
    def get_missing_roles(self, obj: ApprovalRequest) -> list[str]:
        return sorted(policies.missing_roles(obj))

    def get_updated_at(self, obj: ApprovalRequest) -> datetime:
        """The last change: made, decided on, restarted, closed or revoked."""
        moments = [obj.created_at, obj.decided_at, obj.revoked_at]
        for decision in obj.decisions.all():
            moments += [decision.created_at, decision.superseded_at]
        return max(moment for moment in moments if moment is not None)


class StageChangeSerializer(Serializer):
    kind = serializers.SerializerMethodField()
    model = serializers.CharField()
    version = serializers.CharField()
    from_stage = serializers.ChoiceField(choices=Stage.choices)
    to_stage = serializers.ChoiceField(choices=Stage.choices)
    reason = serializers.CharField()
    changed_at = serializers.DateTimeField()

    @extend_schema_field(serializers.ChoiceField(choices=["stage_change"]))
    def get_kind(self, obj: dict | None) -> str:
        return "stage_change"


class TransitionInputSerializer(Serializer):
    target_stage = serializers.ChoiceField(choices=Stage.choices)
    justification = TextField(max_length=NOTE_LIMIT)


class DecisionInputSerializer(Serializer):
    decision = serializers.ChoiceField(choices=Decision.choices)
    role = serializers.ChoiceField(
        choices=Role.choices,
        required=False,
        allow_null=True,
        help_text="Needed only when you hold several of the missing roles.",
    )
    notes = TextField(
        max_length=NOTE_LIMIT,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required when rejecting.",
    )


class RevokeInputSerializer(Serializer):
    reason = TextField(max_length=NOTE_LIMIT)


TRANSITION_RESULT = PolymorphicProxySerializer(
    component_name="TransitionResult",
    serializers=[ApprovalRequestSerializer, StageChangeSerializer],
    resource_type_field_name="kind",
)


def _requests(user: User) -> QuerySet[ApprovalRequest]:
    """Visible requests with every decision (superseded ones too) and the people named."""
    requests = requests_list_for(user=user).select_related("revoked_by")
    return requests.prefetch_related(None).prefetch_related(ALL_DECISIONS)


def _request_body(user: User, pk: int) -> dict:
    found = _requests(user).filter(pk=pk).first()
    if found is None:
        raise Http404("No such request, or you may not see it.")
    return ApprovalRequestSerializer(found).data


class VersionTransitionApi(APIView):
    @extend_schema(
        request=TransitionInputSerializer,
        responses={201: TRANSITION_RESULT},
        description=(
            "Ask to move the version to `target_stage` (an approval request, `kind` "
            "`approval_request`), or move it directly where the policy needs no approval "
            "(deprecate, retire: `kind` `stage_change`, the justification is the reason)."
        ),
    )
    def post(self, request: Request, name: str, version: str) -> Response:
        found = version_locate_for(user=request.user, name=name, version=version)
        data = input_of(TransitionInputSerializer, request)
        source, reason = found.stage, data["justification"]
        result = version_transition(
            actor=request.user,
            version=found,
            target_stage=data["target_stage"],
            justification=reason,
        )
        if isinstance(result, ApprovalRequest):
            attach_prefetched(result, "decisions", [])  # a new request has none yet
            body = ApprovalRequestSerializer(result).data
        else:
            body = _stage_change_body(result, source, reason)
        return Response(body, status=status.HTTP_201_CREATED)


def _stage_change_body(version: ModelVersion, source: str, reason: str) -> dict:
    change = {
        "model": version.model.name,
        "version": version.version,
        "from_stage": source,
        "to_stage": version.stage,
        "reason": reason,
        "changed_at": version.stage_changed_at,
    }
    return StageChangeSerializer(change).data


APPROVAL_FILTERS = [
    OpenApiParameter("status", OpenApiTypes.STR, enum=ApprovalStatus.values),
    OpenApiParameter("model", OpenApiTypes.STR, description="Registered model name."),
    OpenApiParameter(
        "awaiting_me",
        OpenApiTypes.STR,
        enum=["true", "false"],
        description="`true`: open requests missing a role you hold, not yours, not decided by "
        "you; `false`: the others.",
    ),
]


class ApprovalListApi(APIView):
    pagination_class = NewestFirstPagination

    def _filtered(self, request: Request) -> QuerySet[ApprovalRequest]:
        requests = _requests(request.user)
        if wanted := choice_param(request, "status", ApprovalStatus.values):
            requests = requests.filter(status=wanted)
        if model := text_param(request, "model", 100):
            requests = requests.filter(version__model__name=model)
        awaiting_me = bool_param(request, "awaiting_me")
        if awaiting_me is not None:
            awaiting = [found.pk for found in awaiting_decision_for(user=request.user)]
            if awaiting_me:
                requests = requests.filter(pk__in=awaiting)
            else:
                requests = requests.exclude(pk__in=awaiting)
        return requests

    @extend_schema(parameters=APPROVAL_FILTERS, responses=ApprovalRequestSerializer(many=True))
    def get(self, request: Request) -> Response:
        return paginated(
            request, self._filtered(request), ApprovalRequestSerializer, self.pagination_class
        )


class ApprovalDetailApi(APIView):
    @extend_schema(responses=ApprovalRequestSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(_request_body(request.user, pk))


class ApprovalDecideApi(APIView):
    @extend_schema(
        request=DecisionInputSerializer,
        responses={201: ApprovalRequestSerializer},
        description="Approve or reject in one role; the last missing approval moves the version.",
    )
    def post(self, request: Request, pk: int) -> Response:
        # The service returns the request as it ends up, with its people and decisions.
        with request_visible_on_refusal(user=request.user, pk=pk):
            data = input_of(DecisionInputSerializer, request)
            decided = approval_decide(
                actor=request.user,
                request_id=pk,
                approve=data["decision"] == Decision.APPROVED,
                note=data["notes"],
                role=data.get("role"),
            )
        return Response(ApprovalRequestSerializer(decided).data, status=status.HTTP_201_CREATED)


class ApprovalRevokeApi(APIView):
    @extend_schema(
        request=RevokeInputSerializer,
        responses=ApprovalRequestSerializer,
        description="Withdraw an approved production request; the version leaves production.",
    )
    def post(self, request: Request, pk: int) -> Response:
        with request_visible_on_refusal(user=request.user, pk=pk):
            data = input_of(RevokeInputSerializer, request)
            revoked = approval_revoke(actor=request.user, request_id=pk, reason=data["reason"])
        return Response(ApprovalRequestSerializer(revoked).data)


urlpatterns = [
    path(
        "models/<name:name>/versions/<name:version>/transitions/",
        VersionTransitionApi.as_view(),
        name="version-transition",
    ),
    path("approvals/", ApprovalListApi.as_view(), name="approval-list"),
    path("approvals/<int:pk>/", ApprovalDetailApi.as_view(), name="approval-detail"),
    path("approvals/<int:pk>/decisions/", ApprovalDecideApi.as_view(), name="approval-decide"),
    path("approvals/<int:pk>/revoke/", ApprovalRevokeApi.as_view(), name="approval-revoke"),
]
