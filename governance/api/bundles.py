"""/api/v1/models/{name}/audit-bundle.zip: the auditor's bundle of a model
(governance.docs.bundle, the same builder as the review UI and `export_audit_bundle`), for
everyone who may see the model; not visible is 404. Refusals stay problem-details JSON."""

from django.http import FileResponse
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.views import APIView

from governance.api.card_exports import PathNamesFormat
from governance.docs.bundle import bundle_file
from governance.selectors import model_get_for


class ModelAuditBundleApi(APIView):
    content_negotiation_class = PathNamesFormat

    @extend_schema(
        operation_id="v1_models_audit_bundle",
        responses={(200, "application/zip"): OpenApiTypes.BINARY},
    )
    def get(self, request: Request, name: str) -> FileResponse:
        """The auditor's bundle of a model, as a zip: for each version the model card (JSON,
        Markdown, PDF) and the Annex IV technical documentation (Markdown, PDF); approval
        requests and decisions, deployments, serious incidents, the risk classification and
        their simple-history records (JSON); the model's audit events as JSON Lines (as
        `GET /api/v1/audit/events/?format=jsonl` exports them) with the chain head in
        manifest.json; README.txt; and verify.py, a standard-library script that re-computes
        the events' hashes and checks their links. Product guidance, not legal advice."""
        model = model_get_for(user=request.user, name=name)
        return bundle_file(model, generated_by=request.user.get_username()).response()


urlpatterns = [
    path(
        "models/<name:name>/audit-bundle.zip",
        ModelAuditBundleApi.as_view(),
        name="model-audit-bundle",
    ),
]
