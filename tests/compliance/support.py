"""Set-ups for the checklist tests: classified models and versions with complete, partial
or empty evidence, built through the services where the evidence is a record of them."""

import datetime

from django.utils import timezone

from governance.models import ModelVersion, RegisteredModel, RiskClassification, RiskLevel, Stage
from governance.services.classification import classification_confirm
from governance.services.deployments import deployment_record
from governance.services.metrics import metrics_record
from tests.factories import HIGH_RISK_CARD, ModelVersionFactory, RiskClassificationFactory
from tests.workflows import promote

# Annex III 4(a), a provider: high-risk (Art. 6(2)); what classification_confirm receives.
HIGH_RISK_ANSWERS = {
    "organisation_role": "provider",
    "intended_purpose": "Rank job applicants for a recruiter to review.",
    "annex_i_safety_component": False,
    "annex_iii_point": "4(a)",
    "profiles_natural_persons": True,
    "general_purpose_ai": False,
}
# The evidence items Tutela holds no record for: missing even with every record in place.
OUTSIDE_TUTELA = {
    "annex_iv.1e",
    "annex_iv.7",
    "annex_iv.8",
    "art13.log_instructions",
    "art14.runtime_measures",
}


def classify(model: RegisteredModel, personas: dict, **answers: object) -> RiskClassification:
    """Confirmed by the risk officer through the service (it sets the proposed level)."""
    return classification_confirm(
        actor=personas["risk_officer"],
        model_id=model.pk,
        answers={**HIGH_RISK_ANSWERS, **answers},
    )


def classified(model: RegisteredModel, **fields: object) -> RiskClassification:
    """Test set-up without the service: a high-risk provider unless told otherwise, the
    model's risk level set to the proposal."""
    level = fields.pop("proposed_risk_level", RiskLevel.HIGH)
    RegisteredModel.objects.filter(pk=model.pk).update(risk_level=level)
    model.risk_level = level
    return RiskClassificationFactory(model=model, proposed_risk_level=level, **fields)


def observe(version: ModelVersion, personas: dict, days_ago: int = 0) -> None:
    """accuracy, auc (the card's declared metrics) and drift, reported by the monitor."""
    at = (timezone.now() - datetime.timedelta(days=days_ago)).isoformat()
    points = [
        {"name": name, "value": value, "observed_at": at}
        for name, value in (("accuracy", 0.91), ("auc", 0.94), ("drift_score", 0.1))
    ]
    metrics_record(actor=personas["engineer"], version_id=version.pk, points=points, source="ci")


def complete_evidence(model: RegisteredModel, personas: dict) -> ModelVersion:
    """A high-risk provider's version with every record Tutela can hold: the full card,
    approved to staging and production by every required role, monitored and serving."""
    classify(model, personas)
    version = ModelVersionFactory(model=model, version="2.4.1", **HIGH_RISK_CARD)
    promote(version, personas, Stage.STAGING)
    promote(version, personas, Stage.PRODUCTION)
    observe(version, personas)
    deployment_record(
        actor=personas["engineer"],
        version_id=version.pk,
        endpoint="https://serving/churn",
        environment="production",
    )
    version.refresh_from_db()
    return version
