"""/api/v1/models/{name}/versions/{version}/metrics/: monitors push observations in batches
(drift scores are the metric `drift_score`) and read them back as a time series."""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.api.common import (
    MOMENT_HELP,
    AwareDateTimeField,
    moment_param,
    paginated,
    text_param,
)
from governance.api.fields_cache import ModelSerializer, Serializer
from governance.api.pagination import ObservedAtPagination
from governance.models import MetricObservation
from governance.selectors import version_locate_for
from governance.services.metrics import MAX_POINTS, metrics_record


class MetricPointSerializer(Serializer):
    name = serializers.CharField(max_length=100, help_text="e.g. accuracy, drift_score.")
    value = serializers.FloatField(help_text="A finite number; NaN and infinities are refused.")
    observed_at = AwareDateTimeField(help_text=MOMENT_HELP)


class MetricBatchSerializer(Serializer):
    points = MetricPointSerializer(many=True, max_length=MAX_POINTS, allow_empty=False)
    source = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="Which monitor sent them."
    )


class MetricObservationSerializer(ModelSerializer):
    class Meta:
        model = MetricObservation
        fields = ["name", "value", "observed_at", "source", "recorded_at"]


class MetricsRecordedSerializer(Serializer):
    recorded = serializers.IntegerField()


BATCH_BODY = PolymorphicProxySerializer(
    component_name="MetricBatchBody",
    serializers=[MetricPointSerializer(many=True), MetricBatchSerializer],
    resource_type_field_name=None,
    many=False,
)

METRIC_FILTERS = [
    OpenApiParameter("name", OpenApiTypes.STR, description="Only this metric."),
    OpenApiParameter("since", OpenApiTypes.DATETIME, description=f"At or after. {MOMENT_HELP}"),
    OpenApiParameter("until", OpenApiTypes.DATETIME, description=f"Before. {MOMENT_HELP}"),
]


def batch_of(data: Any) -> tuple[Any, Any]:
    """The points and source of a body: a bare list of points, or {"points", "source"}.
    The service checks every point (all or nothing)."""
    if isinstance(data, list):
        return data, ""
    if not isinstance(data, dict):
        raise ValidationError({"points": 'Send a list of points or {"points": [...]}.'})
    unknown = sorted(set(data) - {"points", "source"})
    if unknown:
        raise ValidationError({str(field)[:100]: "Unknown field." for field in unknown})
    return data.get("points"), data.get("source", "")


class MetricListApi(APIView):
    pagination_class = ObservedAtPagination
    # Room for MAX_POINTS points; above it the parser answers 413.
    max_body_bytes = settings.TUTELA_API_MAX_METRICS_BODY_BYTES

    @extend_schema(parameters=METRIC_FILTERS, responses=MetricObservationSerializer(many=True))
    def get(self, request: Request, name: str, version: str) -> Response:
        """The version's observations, oldest first."""
        found = version_locate_for(user=request.user, name=name, version=version)
        observations = MetricObservation.objects.filter(version=found)
        if metric := text_param(request, "name", 100):
            observations = observations.filter(name=metric)
        if (since := moment_param(request, "since")) is not None:
            observations = observations.filter(observed_at__gte=since)
        if (until := moment_param(request, "until")) is not None:
            observations = observations.filter(observed_at__lt=until)
        return paginated(request, observations, MetricObservationSerializer, self.pagination_class)

    @extend_schema(
        request=BATCH_BODY,
        responses={201: MetricsRecordedSerializer},
        description=(
            f"Record up to {MAX_POINTS} observations, all or none: either a bare list of "
            'points or {"points": [...], "source": "..."}. Engineers and leads of the model.'
        ),
    )
    def post(self, request: Request, name: str, version: str) -> Response:
        """Record a batch of observations."""
        found = version_locate_for(user=request.user, name=name, version=version)
        points, source = batch_of(request.data)
        recorded = metrics_record(
            actor=request.user, version_id=found.pk, points=points, source=source
        )
        return Response({"recorded": len(recorded)}, status=status.HTTP_201_CREATED)


urlpatterns = [
    path(
        "models/<name:name>/versions/<name:version>/metrics/",
        MetricListApi.as_view(),
        name="metric-list",
    ),
]
