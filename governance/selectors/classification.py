"""Reads of the classification page: a model's current EU AI Act classification, its
earlier ones (simple-history), and the regulatory dates table."""

from dataclasses import dataclass

from governance import policies
from governance.models import RegisteredModel, RegulatoryDate, RiskClassification
from governance.selectors import User, model_get_for

HISTORY_LIMIT = 50  # the page shows the newest confirmations; the admin and audit trail keep all


@dataclass(frozen=True)
class ClassificationPage:
    model: RegisteredModel
    classification: RiskClassification | None
    earlier: list  # historical RiskClassification rows, newest first, without the current one
    dates: list[RegulatoryDate]
    can_classify: bool


def regulatory_dates() -> list[RegulatoryDate]:
    """Which obligations apply from when, in date order (reference data, one query)."""
    return list(RegulatoryDate.objects.order_by("applies_from", "pk"))


def classification_of(model: RegisteredModel) -> RiskClassification | None:
    return RiskClassification.objects.select_related("confirmed_by").filter(model=model).first()


def earlier_classifications(model: RegisteredModel) -> list:
    """Every earlier confirmation of the model, newest first (the current one excluded)."""
    records = RiskClassification.history.filter(model_id=model.pk).select_related("confirmed_by")
    return list(records.order_by("-history_date", "-history_id")[1 : HISTORY_LIMIT + 1])


def classification_page_for(*, user: User, name: str) -> ClassificationPage:
    """Not visible: 404 (model_get_for). The form is offered to those who may classify."""
    model = model_get_for(user=user, name=name)
    return ClassificationPage(
        model=model,
        classification=classification_of(model),
        earlier=earlier_classifications(model),
        dates=regulatory_dates(),
        can_classify=policies.can(policies.require_can_classify, user, model),
    )
