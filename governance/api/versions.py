"""/api/v1/models/{name}/versions/: list, register, read and edit versions with their cards
and tags (the card's exports are in card_exports).

Card fields sit at the top level of a version, in responses and in bodies alike, so a client
edits what it read under the same names; registration also takes them nested in `card`. The
ETag names the card revision; a PATCH with a stale If-Match is refused (409).
"""

import re

from django.db.models import Prefetch
from django.urls import path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.api.common import TAG_FILTER_HELP, choice_param, input_of, paginated, tag_filters
from governance.api.pagination import NewestFirstPagination
from governance.api.version_serializers import (
    VersionDetailSerializer,
    VersionRegisterSerializer,
    VersionSerializer,
    VersionUpdateSerializer,
)
from governance.models import ModelVersion, Stage, VersionTag
from governance.selectors import (
    model_id_for,
    version_get_for,
    version_locate_for,
    versions_visible_to,
)
from governance.selectors.tags import versions_tagged
from governance.services.versions import version_register_once, version_update

ETAG = re.compile(r'"card-([0-9]{1,9})"')
ETAG_HEADER = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    response=True,
    description='The card revision, e.g. "card-7", for If-Match (stage and tag changes keep '
    "it: they are not card edits).",
)


def _etag(version: ModelVersion) -> str:
    return f'"card-{version.card_revision}"'


def _expected_revision(request: Request) -> int | None:
    """The card revision If-Match names; None when absent or "*" (any revision)."""
    header = request.headers.get("If-Match", "").strip()
    if header in ("", "*"):
        return None
    match = ETAG.fullmatch(header)
    if match is None:
        raise serializers.ValidationError(
            {"If-Match": 'Send one ETag this API gave you, e.g. "card-7" (quotes included), or *.'}
        )
    return int(match.group(1))


def _version_response(request: Request, name: str, number: str, code: int = 200) -> Response:
    found = version_get_for(user=request.user, name=name, version=number)
    response = Response(VersionDetailSerializer(found).data, status=code)
    response["ETag"] = _etag(found)
    return response


VERSION_TAGS = Prefetch("tags", queryset=VersionTag.objects.order_by("key"))


class VersionListApi(APIView):
    pagination_class = NewestFirstPagination

    @extend_schema(
        parameters=[
            OpenApiParameter("stage", OpenApiTypes.STR, enum=Stage.values),
            OpenApiParameter("tag", OpenApiTypes.STR, many=True, description=TAG_FILTER_HELP),
        ],
        responses=VersionSerializer(many=True),
    )
    def get(self, request: Request, name: str) -> Response:
        """A visible model's versions, newest first (GET a version for its card)."""
        versions = versions_visible_to(request.user).filter(model__name=name)
        if stage := choice_param(request, "stage", Stage.values):
            versions = versions.filter(stage=stage)
        versions = versions_tagged(versions, tag_filters(request)).select_related(
            "model", "created_by"
        )
        versions = versions.prefetch_related(VERSION_TAGS)
        response = paginated(request, versions, VersionSerializer, self.pagination_class)
        # The page finds the model's versions through the model's name and visibility; only
        # an empty page asks whether the model is there at all (404 if not, or not visible).
        if not response.data["results"]:
            model_id_for(user=request.user, name=name)
        return response

    @extend_schema(
        request=VersionRegisterSerializer,
        responses={201: VersionDetailSerializer, 200: VersionDetailSerializer},
        parameters=[
            ETAG_HEADER,
            OpenApiParameter(
                "Location",
                OpenApiTypes.URI,
                location=OpenApiParameter.HEADER,
                response=[201],
                description="The registered version.",
            ),
        ],
        description="Register a version with its card and tags. Retrying with the same "
        "artifact_sha256 returns the registered version (200, nothing written); another "
        "checksum for an existing version is a conflict (409).",
    )
    def post(self, request: Request, name: str) -> Response:
        """Register a version (idempotent on the artefact checksum)."""
        model_id = model_id_for(user=request.user, name=name)
        card = input_of(VersionRegisterSerializer, request)
        number, tags = card.pop("version"), card.pop("tags", None)
        registered, created = version_register_once(
            actor=request.user, model_id=model_id, version=number, card=card, tags=tags
        )
        if not created:
            return _version_response(request, name, registered.version)
        # Answered from the registered row: the service loaded its model, team and owner,
        # and attached its tags.
        response = Response(VersionDetailSerializer(registered).data, status=201)
        response["ETag"] = _etag(registered)
        where = reverse("api:version-detail", args=[name, registered.version])
        response["Location"] = request.build_absolute_uri(where)
        return response


class VersionDetailApi(APIView):
    @extend_schema(responses=VersionDetailSerializer, parameters=[ETAG_HEADER])
    def get(self, request: Request, name: str, version: str) -> Response:
        """The version with its whole card and tags; the ETag names the card revision."""
        return _version_response(request, name, version)

    @extend_schema(
        request=VersionUpdateSerializer,
        responses=VersionDetailSerializer,
        parameters=[
            ETAG_HEADER,
            OpenApiParameter(
                "If-Match",
                OpenApiTypes.STR,
                location=OpenApiParameter.HEADER,
                description='The ETag you read (e.g. "card-7"): the edit is refused (409) if '
                "the card changed since. Leave it out (or send *) to edit whatever is there.",
            ),
        ],
        description="Edit card fields and merge tags (null removes a key). The stage and the "
        "approval fields change only through transitions and approvals.",
    )
    def patch(self, request: Request, name: str, version: str) -> Response:
        """Edit the card and tags, refused if the card changed since the If-Match revision."""
        found = version_locate_for(user=request.user, name=name, version=version)
        expected = _expected_revision(request)
        changes = input_of(VersionUpdateSerializer, request)
        tags = changes.pop("tags", None)
        version_update(
            actor=request.user,
            version_id=found.pk,
            changes=changes,
            tags=tags,
            expected_revision=expected,
        )
        return _version_response(request, name, version)


VERSION = "models/<name:name>/versions/<name:version>/"
urlpatterns = [
    path("models/<name:name>/versions/", VersionListApi.as_view(), name="version-list"),
    path(VERSION, VersionDetailApi.as_view(), name="version-detail"),
]
