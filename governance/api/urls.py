"""The API's URLs (part of the contract, see issue 4). Classes: <Entity><Action>Api.

Each area module keeps its own `urlpatterns` (paths under /api/v1/)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

import governance.converters  # noqa: F401 - registers <name:...>
from governance.api import (
    alerts,
    approvals,
    audit,
    bundles,
    card_exports,
    classification,
    compliance,
    deployments,
    documents,
    incidents,
    metrics,
    registered_models,
    versions,
)

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        # Our template drops drf-spectacular's inline <style>, which the CSP blocks.
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", template_name="governance/api/docs.html"
        ),
        name="docs",
    ),
    path(
        "v1/",
        include(
            registered_models.urlpatterns
            + versions.urlpatterns
            + card_exports.urlpatterns
            + documents.urlpatterns
            + approvals.urlpatterns
            + metrics.urlpatterns
            + deployments.urlpatterns
            + audit.urlpatterns
            + alerts.urlpatterns
            + classification.urlpatterns
            + compliance.urlpatterns
            + incidents.urlpatterns
            + bundles.urlpatterns
        ),
    ),
]
