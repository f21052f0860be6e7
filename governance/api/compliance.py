"""/api/v1/models/{name}/versions/{version}/compliance/: the version's EU AI Act compliance
checklist (governance.compliance, the same one the review UI shows), for everyone who may
see the version. Computed on each call, never stored. Product guidance, not legal advice."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.api.fields_cache import Serializer
from governance.compliance import DISCLAIMER, Level, State, Status
from governance.selectors.compliance import version_compliance_for

VERSION = "models/<name:name>/versions/<name:version>/"


class EvidenceItemSerializer(Serializer):
    key = serializers.CharField(help_text="Stable identifier, e.g. `art10.bias_examination`.")
    title = serializers.CharField()
    level = serializers.ChoiceField(choices=Level.choices)
    state = serializers.ChoiceField(choices=State.choices)
    looked_at = serializers.CharField(help_text="The records the check read.")
    reason = serializers.CharField(help_text="What was found, or why it is partial or missing.")


class ArticleSerializer(Serializer):
    article = serializers.CharField(source="number", help_text="The article, e.g. `10`.")
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=Status.choices)
    reason = serializers.CharField(help_text="Why this status, or why it does not apply.")
    due_from = serializers.DateField(
        allow_null=True, help_text="When its duties apply (regulatory dates table), if known."
    )
    not_yet_due = serializers.BooleanField(help_text="Red, but its duties do not apply yet.")
    items = EvidenceItemSerializer(many=True, help_text="Empty when the article does not apply.")


class ChecklistSerializer(Serializer):
    model = serializers.CharField()
    version = serializers.CharField()
    stage = serializers.CharField()
    high_risk = serializers.BooleanField(
        allow_null=True, help_text="High-risk under Art. 6; null when the model is not classified."
    )
    organisation_role = serializers.CharField(help_text="provider, deployer, both; empty if none.")
    status = serializers.ChoiceField(
        choices=Status.choices, help_text="The worst status of the applicable articles."
    )
    score = serializers.IntegerField(
        help_text="Percent of the applicable evidence weight present (MUST 3, SHOULD 1; "
        "complete 1, partial 0.5, missing 0)."
    )
    generated_at = serializers.DateTimeField()
    articles = ArticleSerializer(many=True)
    note = serializers.SerializerMethodField()

    def get_note(self, obj: object) -> str:
        return DISCLAIMER


class VersionComplianceApi(APIView):
    @extend_schema(
        responses=ChecklistSerializer,
        description="The version's checklist per article (6, 9, 10, 11 with every Annex IV "
        "item, 12, 13, 14, 15, 17, 26, 72, 73): each evidence item complete, partial or "
        "missing with what was read and why, each article green, amber, red or "
        "not_applicable, the overall status and score. " + DISCLAIMER,
    )
    def get(self, request: Request, name: str, version: str) -> Response:
        page = version_compliance_for(user=request.user, name=name, version=version)
        return Response(ChecklistSerializer(page.checklist).data)


urlpatterns = [
    path(VERSION + "compliance/", VersionComplianceApi.as_view(), name="version-compliance"),
]
