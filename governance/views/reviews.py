"""The review queue and the request page: reviewers read, compare and decide.

Decisions and revocations call the approval services through outcomes.attempt. With htmx
the answer is the request's status fragment plus the flash messages (out of band) and a
``decision-made`` event that refreshes the queue panel; without htmx a success redirects
back to the page (POST-redirect-GET) and a refusal re-renders it with the message.
"""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from governance.models import ApprovalRequest
from governance.selectors import request_require_visible
from governance.selectors.reviews import (
    awaiting_rows_for,
    review_page_for,
    review_queue_for,
    review_state_for,
)
from governance.services.approvals import approval_decide, approval_revoke
from governance.views.outcomes import Outcome, attempt

DECISIONS = {"approve": True, "reject": False}


@login_required
@require_GET
@never_cache
def review_list(request: HttpRequest) -> HttpResponse:
    queue = review_queue_for(
        user=request.user, status=request.GET.get("status", ""), page=request.GET.get("page")
    )
    return render(request, "governance/reviews/list.html", {"nav": "reviews", "queue": queue})


@login_required
@require_GET
@never_cache
def review_awaiting(request: HttpRequest) -> HttpResponse:
    """The "awaiting my decision" panel of the request page, refreshed after a decision."""
    if not request.htmx:  # a fragment, not a page: people opening it get the queue
        return redirect("governance:review-list")
    rows = awaiting_rows_for(user=request.user)
    return render(request, "governance/reviews/_awaiting.html", {"awaiting": rows})


@login_required
@require_GET
@never_cache
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    page = review_page_for(user=request.user, pk=pk)
    return render(request, "governance/reviews/detail.html", {"nav": "reviews", "page": page})


@login_required
@require_POST
def review_decide(request: HttpRequest, pk: int) -> HttpResponse:
    request_require_visible(user=request.user, pk=pk)  # 404 before any rule speaks
    approve = DECISIONS.get(request.POST.get("decision", ""))  # anything else: refused
    outcome = attempt(
        lambda: approval_decide(
            actor=request.user,
            request_id=pk,
            approve=approve,
            note=request.POST.get("notes", ""),
            role=request.POST.get("role") or None,
        )
    )
    verb = "approved" if approve else "rejected"
    return _answer(
        request, pk, outcome, lambda done: f"You {verb} request #{done.pk}. {_now(done)}"
    )


@login_required
@require_POST
def review_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    request_require_visible(user=request.user, pk=pk)
    outcome = attempt(
        lambda: approval_revoke(
            actor=request.user, request_id=pk, reason=request.POST.get("reason", "")
        )
    )
    return _answer(
        request, pk, outcome, lambda done: f"You revoked request #{done.pk}. {_now(done)}"
    )


def _now(done: ApprovalRequest) -> str:
    status = done.get_status_display().lower()
    return f"It is now {status}; {done.version} is at the {done.version.stage} stage."


FRAGMENT_HEADER = "X-Tutela-Fragment"


def _answer(
    request: HttpRequest,
    pk: int,
    outcome: Outcome,
    success: Callable[[ApprovalRequest], str],
) -> HttpResponse:
    """One answer for every action: fragment (htmx) or redirect / re-rendered page."""
    if outcome.ok:
        messages.success(request, success(outcome.value))
    else:
        messages.error(request, outcome.message)
    # A refusal keeps what the person typed, so notes are not lost to a missing role choice.
    submitted = {} if outcome.ok else request.POST
    # Also shown next to the forms: the flash message sits at the top of a long page.
    refusal = "" if outcome.ok else outcome.message
    if request.htmx:
        state = review_state_for(user=request.user, pk=pk)
        context = {"state": state, "submitted": submitted, "refusal": refusal}
        response = render(request, "governance/reviews/_state_response.html", context)
        response.status_code = outcome.status
        response[FRAGMENT_HEADER] = "1"  # static/js/tutela.js swaps 4xx fragments only
        return trigger_client_event(response, "decision-made") if outcome.ok else response
    if outcome.ok:
        return redirect("governance:review-detail", pk=pk)
    page = review_page_for(user=request.user, pk=pk)
    context = {"nav": "reviews", "page": page, "submitted": submitted, "refusal": refusal}
    return render(request, "governance/reviews/detail.html", context, status=outcome.status)
