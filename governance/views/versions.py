"""The version page (/models/<name>/versions/<version>/): the card, its reviews, deployments,
monitoring and card history; links to edit/ and request/ when the policy allows them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from governance import policies
from governance.models import ModelVersion
from governance.selectors import User, version_get_for
from governance.selectors.history import page_number
from governance.selectors.models import version_page_for
from governance.services.review_schedule import version_mark_reviewed
from governance.views.card_editor import version_path
from governance.views.outcomes import attempt


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
        "can_mark_reviewed": policies.can(policies.require_can_mark_reviewed, user, version),
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


@login_required
@require_POST
def version_reviewed(request: HttpRequest, name: str, version: str) -> HttpResponse:
    """A risk officer records the scheduled review of a production version."""
    found = version_get_for(user=request.user, name=name, version=version)
    outcome = attempt(lambda: version_mark_reviewed(actor=request.user, version_id=found.pk))
    if outcome.status == 403:
        raise PermissionDenied(outcome.message)
    if outcome.ok:
        due = f"{outcome.value.next_review_at:%Y-%m-%d}"
        messages.success(request, f"Review of {found} recorded; the next one is due {due}.")
    else:
        messages.error(request, f"Nothing was recorded. {outcome.message}")
    return redirect(version_path(found))
