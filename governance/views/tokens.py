"""Your API tokens (/tokens/): list, create and revoke the signed-in person's own tokens.

Creating and revoking go through services.api_tokens only. The secret exists in the answer
to the create POST and nowhere else: not in the database (only its digest), not in a flash
message or the session, and the page is sent with no-store so no cache keeps it.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from governance.forms.tokens import TokenForm
from governance.selectors.tokens import api_tokens_of
from governance.services.api_tokens import api_token_create, api_token_revoke
from governance.views.outcomes import attempt

NOT_CREATED = "The token was not created: correct the fields marked below."


@login_required
@require_GET
@never_cache
def token_list(request: HttpRequest) -> HttpResponse:
    """The signed-in person's tokens and the form to create one."""
    return _page(request, TokenForm())


@login_required
@require_POST
@never_cache  # the answer holds the secret: no cache may keep it
def token_create(request: HttpRequest) -> HttpResponse:
    """Create a token for yourself and show its secret, this once."""
    form = TokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, NOT_CREATED)
        return _page(request, form, status=400)
    outcome = attempt(
        lambda: api_token_create(
            actor=request.user,
            user_id=request.user.pk,
            name=form.cleaned_data["name"],
            expires_at=form.expires_at(),
        )
    )
    if not outcome.ok:
        form.add_service_errors(outcome.errors or {})
        messages.error(request, NOT_CREATED if outcome.errors else outcome.message)
        return _page(request, form, status=outcome.status)
    token, secret = outcome.value
    context = {"nav": "tokens", "token": token, "secret": secret}
    return render(request, "governance/tokens/created.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST revokes. Other people's tokens are not found here."""
    token = get_object_or_404(api_tokens_of(user=request.user), pk=pk)
    if request.method == "GET":
        return render(request, "governance/tokens/revoke.html", {"nav": "tokens", "token": token})
    outcome = attempt(lambda: api_token_revoke(actor=request.user, token_id=token.pk))
    if not outcome.ok:
        messages.error(request, outcome.message)
        return _page(request, TokenForm(), status=outcome.status)
    messages.success(request, f"Revoked the token {token}. Calls with it now fail.")
    return redirect("governance:token-list")


def _page(request: HttpRequest, form: TokenForm, *, status: int = 200) -> HttpResponse:
    context = {"nav": "tokens", "form": form, "tokens": api_tokens_of(user=request.user)}
    return render(request, "governance/tokens/list.html", context, status=status)
