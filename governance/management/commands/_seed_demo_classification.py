"""The demo's EU AI Act classifications, confirmed by the risk officer through the service
(so the proposal, history and audit events are real). A classified model is left alone."""

from django.contrib.auth.models import AbstractBaseUser

from governance.management.commands._seed_demo_catalog import CHURN
from governance.management.commands._seed_people import SeedLog
from governance.models import RegisteredModel, RiskClassification
from governance.services.classification import classification_confirm

CLASSIFICATIONS = {
    # Profiles customers, but in no Annex III area: not high-risk, proposed medium.
    CHURN: {
        "organisation_role": "both",
        "intended_purpose": "Rank active retail customers by their risk of cancelling within "
        "30 days so the retention team can prioritise outreach.",
        "annex_i_safety_component": False,
        "annex_iii_point": "none",
        "profiles_natural_persons": True,
        "general_purpose_ai": False,
    },
    # Creditworthiness of natural persons: Annex III 5(b), high-risk under Art. 6(2).
    "credit-limit-advisor": {
        "organisation_role": "both",
        "intended_purpose": "Suggest a credit limit for new card applications from the "
        "applicant's creditworthiness; a credit officer decides.",
        "annex_i_safety_component": False,
        "annex_iii_point": "5(b)",
        "profiles_natural_persons": True,
        "general_purpose_ai": False,
    },
}


def seed_classifications(people: dict[str, AbstractBaseUser], log: SeedLog) -> None:
    classified = set(
        RiskClassification.objects.filter(model__name__in=CLASSIFICATIONS).values_list(
            "model__name", flat=True
        )
    )
    models = RegisteredModel.objects.filter(name__in=set(CLASSIFICATIONS) - classified)
    for model in models.order_by("name"):
        answers = CLASSIFICATIONS[model.name]
        classification_confirm(actor=people["risk"], model_id=model.pk, answers=answers)
        log.add("classifications")
