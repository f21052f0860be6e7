"""/api/v1/deployments/: serving platforms report which version serves which endpoint.
Every report is recorded (we must know the truth); a version not approved for the
environment is a shadow model and raises an alert, whose id the answer carries."""

from django.db.models import QuerySet
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from governance import policies
from governance.api.common import (
    MOMENT_HELP,
    AwareDateTimeField,
    UsernameField,
    bool_param,
    choice_param,
    input_of,
    paginated,
    text_param,
)
from governance.api.fields_cache import ModelSerializer, Serializer
from governance.api.pagination import ReportedAtPagination
from governance.models import OPEN_ALERT_STATUSES, AlertRule, Deployment, Environment
from governance.selectors import alerts_visible_to, deployments_visible_to, version_locate_for
from governance.services.deployments import deployment_record
from governance.validators import VERSION_MAX_LENGTH


class DeploymentSerializer(ModelSerializer):
    model = serializers.CharField(source="version.model.name")
    version = serializers.CharField(source="version.version")
    stage = serializers.CharField(source="version.stage", help_text="The version's stage now.")
    approved = serializers.SerializerMethodField()
    reported_by = UsernameField()

    class Meta:
        model = Deployment
        fields = [
            "id",
            "endpoint",
            "environment",
            "model",
            "version",
            "stage",
            "approved",
            "active",
            "reported_by",
            "reported_at",
            "ended_at",
        ]

    def get_approved(self, deployment: Deployment) -> bool:
        """Whether the version's stage now allows it to serve this environment."""
        return policies.is_approved_for(deployment.version, deployment.environment)


class DeploymentRecordedSerializer(DeploymentSerializer):
    alert = serializers.IntegerField(
        allow_null=True, help_text="The shadow-model alert this report raised, if any."
    )

    class Meta(DeploymentSerializer.Meta):
        fields = [*DeploymentSerializer.Meta.fields, "alert"]


class DeploymentCreateSerializer(Serializer):
    endpoint = serializers.CharField(max_length=200)
    environment = serializers.ChoiceField(choices=Environment.choices)
    model = serializers.CharField(max_length=100, help_text="The registered model's name.")
    version = serializers.CharField(max_length=VERSION_MAX_LENGTH)
    reported_at = AwareDateTimeField(required=False, help_text=f"Default now. {MOMENT_HELP}")


DEPLOYMENT_FILTERS = [
    OpenApiParameter("model", OpenApiTypes.STR, description="The registered model's name."),
    OpenApiParameter("environment", OpenApiTypes.STR, enum=Environment.values),
    OpenApiParameter("active", OpenApiTypes.BOOL, description="Serving now (true) or ended."),
]


def shadow_alert_id(request: Request, deployment: Deployment) -> int | None:
    if policies.is_approved_for(deployment.version, deployment.environment):
        return None
    alerts = alerts_visible_to(request.user).filter(
        version=deployment.version,
        rule=AlertRule.SHADOW_DEPLOYMENT,
        status__in=OPEN_ALERT_STATUSES,
    )
    return alerts.values_list("pk", flat=True).first()


class DeploymentListApi(APIView):
    pagination_class = ReportedAtPagination

    def _filtered(self, request: Request) -> QuerySet:
        deployments = deployments_visible_to(request.user)
        if model := text_param(request, "model", 100):
            deployments = deployments.filter(version__model__name=model)
        if environment := choice_param(request, "environment", Environment.values):
            deployments = deployments.filter(environment=environment)
        if (active := bool_param(request, "active")) is not None:
            deployments = deployments.filter(active=active)
        return deployments.select_related("version__model", "reported_by")

    @extend_schema(parameters=DEPLOYMENT_FILTERS, responses=DeploymentSerializer(many=True))
    def get(self, request: Request) -> Response:
        """Deployments you may see, the latest report first."""
        return paginated(
            request, self._filtered(request), DeploymentSerializer, self.pagination_class
        )

    @extend_schema(
        request=DeploymentCreateSerializer, responses={201: DeploymentRecordedSerializer}
    )
    def post(self, request: Request) -> Response:
        """Report that a version serves an endpoint (engineers and leads of the model)."""
        data = input_of(DeploymentCreateSerializer, request)
        found = version_locate_for(user=request.user, name=data["model"], version=data["version"])
        deployment = deployment_record(
            actor=request.user,
            version_id=found.pk,
            endpoint=data["endpoint"],
            environment=data["environment"],
            reported_at=data.get("reported_at"),
        )
        deployment.alert = shadow_alert_id(request, deployment)
        body = DeploymentRecordedSerializer(deployment).data
        return Response(body, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("deployments/", DeploymentListApi.as_view(), name="deployment-list"),
]
