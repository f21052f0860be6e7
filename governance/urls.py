"""The review UI's URLs (part of the contract, see issue 3). Names: governance:<entity>-<action>."""

from django.urls import path

import governance.converters  # noqa: F401 - registers <name:...>
from governance.views import (
    bundles,
    card_editor,
    classification,
    compliance,
    dashboard,
    exports,
    incidents,
    inventory,
    notifications,
    promotion,
    reviews,
    tokens,
    versions,
)
from governance.views import models as model_pages

app_name = "governance"

urlpatterns: list = [
    path("reviews/", reviews.review_list, name="review-list"),
    path("reviews/awaiting/", reviews.review_awaiting, name="review-awaiting"),
    path("reviews/<int:pk>/", reviews.review_detail, name="review-detail"),
    path("reviews/<int:pk>/decide/", reviews.review_decide, name="review-decide"),
    path("reviews/<int:pk>/revoke/", reviews.review_revoke, name="review-revoke"),
    path("", dashboard.dashboard, name="dashboard"),
    path("compliance/", compliance.compliance_overview, name="compliance-overview"),
    path("notifications/read/", notifications.notification_read, name="notification-read"),
    path("tokens/", tokens.token_list, name="token-list"),
    path("tokens/new/", tokens.token_create, name="token-create"),
    path("tokens/<int:pk>/revoke/", tokens.token_revoke, name="token-revoke"),
    path("models/", inventory.model_list, name="model-list"),
    path("models/<name:name>/", model_pages.model_detail, name="model-detail"),
    path("models/<name:name>/history/", model_pages.model_history, name="model-history"),
    path("models/<name:name>/changes/", model_pages.model_changes, name="model-changes"),
    path(
        "models/<name:name>/audit-bundle.zip", bundles.model_audit_bundle, name="model-audit-bundle"
    ),
    path(
        "models/<name:name>/classification/",
        classification.model_classification,
        name="model-classification",
    ),
    path(
        "models/<name:name>/versions/<name:version>/",
        versions.version_detail,
        name="version-detail",
    ),
    path(
        "models/<name:name>/versions/<name:version>/card.md",
        exports.card_markdown,
        name="version-card-md",
    ),
    path(
        "models/<name:name>/versions/<name:version>/card.json",
        exports.card_json,
        name="version-card-json",
    ),
    path(
        "models/<name:name>/versions/<name:version>/print/",
        exports.card_print,
        name="version-card-print",
    ),
    path(
        "models/<name:name>/versions/<name:version>/card.pdf",
        exports.card_pdf,
        name="version-card-pdf",
    ),
    path(
        "models/<name:name>/versions/<name:version>/annex-iv/",
        exports.annex_iv_page,
        name="version-annex-iv",
    ),
    path(
        "models/<name:name>/versions/<name:version>/annex-iv.md",
        exports.annex_iv_markdown,
        name="version-annex-iv-md",
    ),
    path(
        "models/<name:name>/versions/<name:version>/annex-iv.pdf",
        exports.annex_iv_pdf,
        name="version-annex-iv-pdf",
    ),
    path(
        "models/<name:name>/versions/<name:version>/compliance/",
        compliance.version_compliance,
        name="version-compliance",
    ),
    path(
        "models/<name:name>/versions/<name:version>/edit/",
        card_editor.version_edit,
        name="version-edit",
    ),
    path(
        "models/<name:name>/versions/<name:version>/edit/preview/",
        card_editor.version_card_preview,
        name="version-card-preview",
    ),
    path(
        "models/<name:name>/versions/<name:version>/reviewed/",
        versions.version_reviewed,
        name="version-reviewed",
    ),
    path(
        "models/<name:name>/versions/<name:version>/request/",
        promotion.version_request,
        name="version-request",
    ),
    # The serious-incident register of a version (EU AI Act Art. 73).
    path(
        "models/<name:name>/versions/<name:version>/incidents/",
        incidents.incident_list,
        name="incident-list",
    ),
    path(
        "models/<name:name>/versions/<name:version>/incidents/record/",
        incidents.incident_new,
        name="incident-record",
    ),
    path(
        "models/<name:name>/versions/<name:version>/incidents/<int:pk>/",
        incidents.incident_detail,
        name="incident-detail",
    ),
    path(
        "models/<name:name>/versions/<name:version>/incidents/<int:pk>/report/",
        incidents.incident_report,
        name="incident-report",
    ),
    path(
        "models/<name:name>/versions/<name:version>/incidents/<int:pk>/corrective-action/",
        incidents.incident_corrective_action,
        name="incident-corrective-action",
    ),
    path(
        "models/<name:name>/versions/<name:version>/incidents/<int:pk>/close/",
        incidents.incident_close,
        name="incident-close",
    ),
]
