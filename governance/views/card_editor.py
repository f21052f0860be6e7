"""The card editor (/models/<name>/versions/<version>/edit/) and its Markdown preview.

Saving goes through services.versions.version_update only (card changes and tags in one
transaction), with the card revision the page was read at: a card saved by someone else in
between is refused (409), nothing is saved and the typed input stays in the form.
"""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from governance import policies
from governance.exceptions import Conflict
from governance.forms import CardForm
from governance.forms.card import MARKDOWN_FIELDS
from governance.models import ApprovalRequest, ModelVersion
from governance.models.versions import TEXT_LIMIT
from governance.selectors import version_get_for
from governance.selectors.card_editor import open_requests_of
from governance.services.versions import version_update
from governance.views.outcomes import attempt, require_allowed

NOT_SAVED = "The card was not saved: correct the fields marked below."


def version_path(version: ModelVersion) -> str:
    """The version page (another area's page: linked by its contract path)."""
    return f"/models/{quote(version.model.name)}/versions/{quote(version.version)}/"


@login_required
def version_edit(request: HttpRequest, name: str, version: str) -> HttpResponse:
    found = version_get_for(user=request.user, name=name, version=version)
    require_allowed(policies.require_can_edit_card, request.user, found)
    form = CardForm(request.POST if request.method == "POST" else None, version=found)
    reviews = open_requests_of(found)  # saving restarts them: the page says so beforehand
    if not form.is_bound:
        return _page(request, found, form, reviews)
    if not form.is_valid():
        messages.error(request, NOT_SAVED)
        return _page(request, found, form, reviews, status=400)
    return _save(request, found, form, reviews)


def _save(
    request: HttpRequest, version: ModelVersion, form: CardForm, reviews: list[ApprovalRequest]
) -> HttpResponse:
    """Through version_update only; a refusal shows the form again with the input."""
    read_at = form.cleaned_data["card_revision"]
    tags = form.tag_changes()
    outcome = attempt(
        lambda: version_update(
            actor=request.user,
            version_id=version.pk,
            changes=form.changes(),
            tags=tags,
            expected_revision=read_at,
        )
    )
    if outcome.ok:
        _saved_message(request, outcome.value, read_at, reviews, tags_changed=bool(tags))
        return redirect(version_path(version))
    form.add_service_errors(outcome.errors or {})
    messages.error(request, outcome.message if outcome.status != 400 else NOT_SAVED)
    conflict = isinstance(outcome.error, Conflict)  # someone saved the card since I read it
    return _page(request, version, form, reviews, status=outcome.status, conflict=conflict)


def _saved_message(
    request: HttpRequest, saved: ModelVersion, read_at: int, restarts: list, *, tags_changed: bool
) -> None:
    if saved.card_revision == read_at:
        if tags_changed:  # tags are labels, not the card: its revision and reviews stay
            messages.success(request, f"Saved the tags of {saved}.")
        else:
            messages.info(
                request, f"Nothing changed: the card of {saved} stays at revision {read_at}."
            )
        return
    text = f"Saved the card of {saved} (revision {saved.card_revision})"
    text += " and its tags." if tags_changed else "."
    if restarts:
        text += " The open review restarted: its reviewers decide again on this card."
    messages.success(request, text)


def _page(
    request: HttpRequest,
    version: ModelVersion,
    form: CardForm,
    open_requests: list[ApprovalRequest],
    *,
    status: int = 200,
    conflict: bool = False,
) -> HttpResponse:
    context = {
        "nav": "models",
        "model": version.model,
        "version": version,
        "form": form,
        "open_requests": open_requests,
        "version_url": version_path(version),
        "conflict": conflict,
    }
    return render(request, "governance/versions/edit.html", context, status=status)


@login_required
@require_POST
def version_card_preview(request: HttpRequest, name: str, version: str) -> HttpResponse:
    """htmx: the free text of one field as the card will show it; changes nothing."""
    found = version_get_for(user=request.user, name=name, version=version)
    require_allowed(policies.require_can_edit_card, request.user, found)
    field = request.POST.get("field", "")
    if field not in MARKDOWN_FIELDS:
        return HttpResponseBadRequest("No Markdown preview for this field.")
    text = request.POST.get(field, "")
    context = {"text": text, "too_long": len(text) > TEXT_LIMIT, "limit": TEXT_LIMIT}
    return render(request, "governance/versions/_preview.html", context)
