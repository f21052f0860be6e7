"""/api/v1/models/: list, register, read and edit registered models (with their tags)."""

from django.contrib.auth import get_user_model
from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.api.common import (
    TAG_FILTER_HELP,
    TagsField,
    TextField,
    UsernameField,
    choice_param,
    input_of,
    paginated,
    tag_filters,
    tags_of,
    text_param,
)
from governance.api.fields_cache import ModelSerializer, Serializer
from governance.api.pagination import NameCursorPagination
from governance.models import ModelTag, ModelVersion, RegisteredModel, RiskLevel, Stage, Team
from governance.selectors import model_get_for, models_visible_to
from governance.selectors.tags import models_tagged
from governance.services.registered_models import model_register, model_update


class ModelSerializer(ModelSerializer):
    team = serializers.CharField(source="team.slug")
    owner = UsernameField()
    production_version = serializers.CharField(allow_null=True, read_only=True)
    tags = serializers.SerializerMethodField()

    class Meta:
        model = RegisteredModel
        fields = [
            "name",
            "team",
            "owner",
            "description",
            "risk_level",
            "auto_deprecate",
            "grace_period_days",
            "production_version",
            "tags",
            "created_at",
        ]

    def get_tags(self, obj: RegisteredModel) -> dict[str, str]:
        return tags_of(obj)


class ModelCreateSerializer(Serializer):
    name = TextField(max_length=100)
    team = TextField(max_length=100, help_text="The owning team's slug.")
    owner = TextField(max_length=150, required=False, help_text="Username; you when left out.")
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices, default=RiskLevel.MEDIUM)
    description = TextField(allow_blank=True, required=False, default="")
    auto_deprecate = serializers.BooleanField(required=False, default=False)
    grace_period_days = serializers.IntegerField(required=False, min_value=1, max_value=365)
    tags = TagsField(required=False)


class ModelUpdateSerializer(Serializer):
    description = TextField(allow_blank=True, required=False)
    owner = TextField(max_length=150, required=False)
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices, required=False)
    auto_deprecate = serializers.BooleanField(required=False)
    grace_period_days = serializers.IntegerField(required=False, min_value=1, max_value=365)
    tags = TagsField(required=False, help_text="Merged into the tags; null removes a key.")


MODEL_TAGS = Prefetch("tags", queryset=ModelTag.objects.order_by("key"))


def _with_listing_data(queryset: QuerySet) -> QuerySet:
    production = ModelVersion.objects.filter(model=OuterRef("pk"), stage=Stage.PRODUCTION)
    return (
        queryset.select_related("team", "owner")
        .prefetch_related(MODEL_TAGS)
        .annotate(production_version=Subquery(production.values("version")[:1]))
    )


def _user_id(username: str) -> int | None:
    return (
        get_user_model()
        .objects.filter(username=username, is_active=True)
        .values_list("pk", flat=True)
        .first()
    )


MODEL_FILTERS = [
    OpenApiParameter("team", OpenApiTypes.STR, description="Team slug."),
    OpenApiParameter(
        "stage",
        OpenApiTypes.STR,
        enum=Stage.values,
        description="Models with a version in this stage.",
    ),
    OpenApiParameter("risk_level", OpenApiTypes.STR, enum=RiskLevel.values),
    OpenApiParameter(
        "search", OpenApiTypes.STR, description="Name prefix, or text in the name or description."
    ),
    OpenApiParameter("tag", OpenApiTypes.STR, many=True, description=TAG_FILTER_HELP),
]


class ModelListApi(APIView):
    pagination_class = NameCursorPagination

    def _filtered(self, request: Request) -> QuerySet:
        models = models_visible_to(request.user)
        if team := text_param(request, "team", 100):
            models = models.filter(team__slug=team)
        if stage := choice_param(request, "stage", Stage.values):
            models = models.filter(pk__in=ModelVersion.objects.filter(stage=stage).values("model"))
        if risk := choice_param(request, "risk_level", RiskLevel.values):
            models = models.filter(risk_level=risk)
        if search := text_param(request, "search", 100):
            models = models.filter(
                Q(name__startswith=search.lower())
                | Q(name__icontains=search)
                | Q(description__icontains=search)
            )
        return models_tagged(models, tag_filters(request))

    @extend_schema(parameters=MODEL_FILTERS, responses=ModelSerializer(many=True))
    def get(self, request: Request) -> Response:
        return paginated(
            request,
            _with_listing_data(self._filtered(request)),
            ModelSerializer,
            self.pagination_class,
        )

    @extend_schema(request=ModelCreateSerializer, responses={201: ModelSerializer})
    def post(self, request: Request) -> Response:
        data = input_of(ModelCreateSerializer, request)
        team_id = Team.objects.filter(slug=data["team"]).values_list("pk", flat=True).first()
        if team_id is None:
            raise serializers.ValidationError({"team": f"No team '{data['team'][:100]}'."})
        owner = request.user.pk if "owner" not in data else _user_id(data["owner"])
        model = model_register(
            actor=request.user,
            name=data["name"],
            team_id=team_id,
            owner_id=owner,
            risk_level=data["risk_level"],
            description=data["description"],
            auto_deprecate=data["auto_deprecate"],
            grace_period_days=data.get("grace_period_days"),
            tags=data.get("tags"),
        )
        # Answered from the registered row (its team, owner and tags from the service): a
        # new model has no version in production yet.
        model.production_version = None
        return Response(ModelSerializer(model).data, status=status.HTTP_201_CREATED)


class ModelDetailApi(APIView):
    @extend_schema(responses=ModelSerializer)
    def get(self, request: Request, name: str) -> Response:
        model = model_get_for(user=request.user, name=name)
        return Response(ModelSerializer(_with_listing_data(_one(model)).get()).data)

    @extend_schema(request=ModelUpdateSerializer, responses=ModelSerializer)
    def patch(self, request: Request, name: str) -> Response:
        model = model_get_for(user=request.user, name=name)
        data = input_of(ModelUpdateSerializer, request)
        tags = data.pop("tags", None)
        if "owner" in data:
            data["owner"] = _user_id(data["owner"])
        model_update(actor=request.user, model_id=model.pk, changes=data, tags=tags)
        return Response(ModelSerializer(_with_listing_data(_one(model)).get()).data)


def _one(model: RegisteredModel) -> QuerySet:
    return RegisteredModel.objects.filter(pk=model.pk)


urlpatterns = [
    path("models/", ModelListApi.as_view(), name="model-list"),
    path("models/<name:name>/", ModelDetailApi.as_view(), name="model-detail"),
]
