"""/api/v1/models/{name}/classification/: read a model's EU AI Act risk classification, and
confirm one (services.classification.classification_confirm, as the review UI does)."""

from django.http import Http404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.api.common import TextField, input_of
from governance.api.fields_cache import ModelSerializer, Serializer
from governance.models import (
    AnnexIIIPoint,
    Art63Exemption,
    OrganisationRole,
    RiskClassification,
    RiskLevel,
)
from governance.models.classification import PURPOSE_LIMIT, REASONING_LIMIT
from governance.selectors import model_get_for
from governance.selectors.classification import classification_of
from governance.services.classification import classification_confirm

NOT_ADVICE = "Product guidance, not legal advice."


class ClassificationAnswersSerializer(Serializer):
    """The questionnaire (Art. 6, Annex I and III); the service checks how answers combine."""

    organisation_role = serializers.ChoiceField(choices=OrganisationRole.choices)
    intended_purpose = TextField(max_length=PURPOSE_LIMIT)
    annex_i_safety_component = serializers.BooleanField(
        help_text="Safety component of a product under Annex I law needing a third-party "
        "conformity assessment (Art. 6(1))."
    )
    annex_iii_point = serializers.ChoiceField(
        choices=AnnexIIIPoint.choices, help_text="The Annex III point, e.g. `5(b)`, or `none`."
    )
    profiles_natural_persons = serializers.BooleanField()
    art6_3_exemption = serializers.ChoiceField(
        choices=Art63Exemption.choices, required=False, default=Art63Exemption.NONE
    )
    exemption_reasoning = TextField(
        max_length=REASONING_LIMIT, allow_blank=True, required=False, default=""
    )
    general_purpose_ai = serializers.BooleanField()


class ProposalSerializer(Serializer):
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices)
    is_high_risk = serializers.BooleanField(help_text="High-risk under Art. 6.")
    reasons = serializers.ListField(child=serializers.CharField())


class ClassificationSerializer(ModelSerializer):
    model = serializers.CharField(source="model.name")
    model_risk_level = serializers.ChoiceField(source="model.risk_level", choices=RiskLevel.choices)
    proposal = serializers.SerializerMethodField()
    confirmed_by = serializers.CharField(source="confirmed_by.get_username")
    note = serializers.SerializerMethodField()

    class Meta:
        model = RiskClassification
        fields = [
            "model",
            "model_risk_level",
            *ClassificationAnswersSerializer._declared_fields,
            "proposal",
            "confirmed_by",
            "confirmed_at",
            "note",
        ]

    @extend_schema(responses=ProposalSerializer)
    def get_proposal(self, obj: RiskClassification) -> dict:
        return ProposalSerializer(
            {
                "risk_level": obj.proposed_risk_level,
                "is_high_risk": obj.is_high_risk,
                "reasons": obj.proposal_reasons,
            }
        ).data

    def get_note(self, obj: RiskClassification) -> str:
        return NOT_ADVICE


class ModelClassificationApi(APIView):
    @extend_schema(
        responses=ClassificationSerializer,
        description="The model's confirmed classification; 404 when it has none yet. " + NOT_ADVICE,
    )
    def get(self, request: Request, name: str) -> Response:
        model = model_get_for(user=request.user, name=name)
        classification = classification_of(model)
        if classification is None:
            raise Http404(f"{model.name} has not been classified yet.")
        classification.model = model
        return Response(ClassificationSerializer(classification).data)

    @extend_schema(
        request=ClassificationAnswersSerializer,
        responses=ClassificationSerializer,
        description="Confirm the answers and Tutela's proposal in your name (risk officers, ML "
        "leads and governance admins of the model). A proposed risk level other than the "
        "model's changes it, which needs a risk officer or governance admin and restarts open "
        "reviews whose required roles grow. " + NOT_ADVICE,
    )
    def put(self, request: Request, name: str) -> Response:
        model = model_get_for(user=request.user, name=name)
        answers = input_of(ClassificationAnswersSerializer, request)
        confirmed = classification_confirm(actor=request.user, model_id=model.pk, answers=answers)
        return Response(ClassificationSerializer(confirmed).data)


urlpatterns = [
    path(
        "models/<name:name>/classification/",
        ModelClassificationApi.as_view(),
        name="model-classification",
    ),
]
