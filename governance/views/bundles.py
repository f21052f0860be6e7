"""GET /models/<name>/audit-bundle.zip: the auditor's bundle of a model (governance.docs.bundle),
for everyone who may see the model: each part of it is already theirs to read in the UI
and the API (cards, Annex IV, requests, decisions, deployments, incidents, classification,
field changes, the model's audit events), and auditors must be able to take it away.
Not visible: 404. A download changes nothing, so it is not an audit event; the builder
logs it."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from governance.docs.bundle import bundle_file
from governance.exceptions import PdfUnavailable
from governance.selectors import model_get_for


@login_required
@require_GET
def model_audit_bundle(request: HttpRequest, name: str) -> HttpResponse:
    model = model_get_for(user=request.user, name=name)
    try:
        bundle = bundle_file(model, generated_by=request.user.get_username())
    except PdfUnavailable as unavailable:  # no Pango on this server: say what to install
        return HttpResponse(unavailable.message, status=503, content_type="text/plain")
    return bundle.response()
