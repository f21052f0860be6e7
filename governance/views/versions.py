"""The version page (/models/<name>/versions/<version>/): the card, its reviews, deployments,
monitoring and card history; links to edit/ and request/ when the policy allows them."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from governance import policies
from governance.models import ModelVersion
from governance.selectors import User
from governance.selectors.history import page_number
from governance.selectors.models import version_page_for


def _actions(user: User, version: ModelVersion) -> dict:
    """What the page offers this person, as the policies say (templates get booleans)."""
    target = policies.promotion_target(version)
    asks = target is not None
    return {
        "target": target,
        "is_rollback": asks and policies.is_rollback(version, target),
        "missing": policies.card_fields_missing_for(version, target) if asks else [],
        "can_edit": policies.can(policies.require_can_edit_card, user, version),
        "can_request": asks and policies.can(policies.require_can_ask_promotion, user, version),
    }


@login_required
@require_GET
def version_detail(request: HttpRequest, name: str, version: str) -> HttpResponse:
    history_page = page_number(request.GET.get("history"))
    page = version_page_for(
        user=request.user, name=name, version=version, history_page=history_page
    )
    context = {
        "page": page,
        "version": page.version,
        "model": page.version.model,
        **_actions(request.user, page.version),
        "nav": "models",
    }
    return render(request, "governance/versions/detail.html", context)
