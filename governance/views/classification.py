"""The risk classification page (/models/<name>/classification/): the current EU AI Act
classification with its proposal and reasons, earlier ones, the regulatory dates, and the
questionnaire for those who may confirm (services.classification.classification_confirm)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from governance import policies
from governance.forms.classification import ClassificationForm
from governance.selectors.classification import ClassificationPage, classification_page_for
from governance.services.classification import classification_confirm
from governance.views.outcomes import attempt, require_allowed


@login_required
@require_http_methods(["GET", "POST"])
def model_classification(request: HttpRequest, name: str) -> HttpResponse:
    page = classification_page_for(user=request.user, name=name)
    if request.method == "POST":
        require_allowed(policies.require_can_classify, request.user, page.model)
        return _confirm(request, page, ClassificationForm(request.POST))
    form = ClassificationForm(initial=ClassificationForm.initial_from(page.classification))
    return _page(request, page, form)


def _confirm(
    request: HttpRequest, page: ClassificationPage, form: ClassificationForm
) -> HttpResponse:
    if not form.is_valid():
        messages.error(request, "Nothing was saved: correct the answers marked below.")
        return _page(request, page, form, status=400)
    model_id, actor = page.model.pk, request.user
    outcome = attempt(
        lambda: classification_confirm(actor=actor, model_id=model_id, answers=form.cleaned_data)
    )
    if not outcome.ok:
        form.add_service_errors(outcome.errors or {})
        messages.error(request, f"Nothing was saved. {outcome.message}")
        return _page(request, page, form, status=outcome.status)
    messages.success(
        request, f"Classification confirmed: {outcome.value.proposed_risk_level} risk."
    )
    return redirect(reverse("governance:model-classification", args=[page.model.name]))


def _page(
    request: HttpRequest, page: ClassificationPage, form: ClassificationForm, *, status: int = 200
) -> HttpResponse:
    context = {"nav": "models", "page": page, "model": page.model, "form": form}
    return render(request, "governance/models/classification.html", context, status=status)
