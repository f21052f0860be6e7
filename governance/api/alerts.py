"""/api/v1/alerts/: retirement, review and shadow-deployment alerts, and their acknowledgement."""

from django.db.models import QuerySet
from django.http import Http404
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.api.common import UsernameField, choice_param, paginated, text_param
from governance.api.fields_cache import ModelSerializer
from governance.api.pagination import NewestFirstPagination
from governance.cards import CARD_FIELDS
from governance.models import AlertRule, AlertStatus, RetirementAlert
from governance.selectors import User, alerts_visible_to
from governance.services.alerts import alert_acknowledge


class AlertSerializer(ModelSerializer):
    model = serializers.CharField(source="version.model.name")
    version = serializers.CharField(source="version.version")
    reasons = serializers.ListField(
        child=serializers.DictField(), help_text="What fired, with the observed values."
    )
    acknowledged_by = UsernameField(allow_null=True)

    class Meta:
        model = RetirementAlert
        fields = [
            "id",
            "rule",
            "status",
            "model",
            "version",
            "reasons",
            "opened_at",
            "updated_at",
            "acknowledged_by",
            "acknowledged_at",
            "resolved_at",
        ]
        read_only_fields = fields


def _alerts(user: User) -> QuerySet[RetirementAlert]:
    """Visible alerts with the names a row shows."""
    return (
        alerts_visible_to(user)
        .select_related("version__model", "acknowledged_by")
        # A row shows no card: skip decoding a dozen JSON card fields per row.
        .defer(*(f"version__{field}" for field in CARD_FIELDS))
    )


ALERT_FILTERS = [
    OpenApiParameter("status", OpenApiTypes.STR, enum=AlertStatus.values),
    OpenApiParameter("model", OpenApiTypes.STR, description="Registered model name."),
    OpenApiParameter("rule", OpenApiTypes.STR, enum=AlertRule.values),
]


class AlertListApi(APIView):
    pagination_class = NewestFirstPagination

    def _filtered(self, request: Request) -> QuerySet[RetirementAlert]:
        alerts = _alerts(request.user)
        if wanted := choice_param(request, "status", AlertStatus.values):
            alerts = alerts.filter(status=wanted)
        if model := text_param(request, "model", 100):
            alerts = alerts.filter(version__model__name=model)
        if rule := choice_param(request, "rule", AlertRule.values):
            alerts = alerts.filter(rule=rule)
        return alerts

    @extend_schema(parameters=ALERT_FILTERS, responses=AlertSerializer(many=True))
    def get(self, request: Request) -> Response:
        return paginated(request, self._filtered(request), AlertSerializer, self.pagination_class)


def _visible_alert(user: User, pk: int) -> RetirementAlert:
    found = _alerts(user).filter(pk=pk).first()
    if found is None:
        raise Http404("No such alert, or you may not see it.")
    return found


class AlertAcknowledgeApi(APIView):
    @extend_schema(
        request=None,
        responses=AlertSerializer,
        description="You have seen the alert: it stays quiet until its reasons change.",
    )
    def post(self, request: Request, pk: int) -> Response:
        _visible_alert(request.user, pk)
        alert_acknowledge(actor=request.user, alert_id=pk)
        return Response(AlertSerializer(_visible_alert(request.user, pk)).data)


urlpatterns = [
    path("alerts/", AlertListApi.as_view(), name="alert-list"),
    path("alerts/<int:pk>/acknowledge/", AlertAcknowledgeApi.as_view(), name="alert-acknowledge"),
]
