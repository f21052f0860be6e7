"""factory_boy factories. They write rows directly (test set-up), never audit events;
tests of behaviour call the services."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from guardian.shortcuts import assign_perm

from governance import incident_rules
from governance.models import (
    ApprovalRequest,
    Deployment,
    Environment,
    MetricObservation,
    ModelVersion,
    RegisteredModel,
    RiskLevel,
    Role,
    Stage,
    Team,
)
from governance.roles import forget_cached_roles

COMPLETE_CARD = {
    "intended_use": "Score monthly churn risk of retail customers for retention offers.",
    "out_of_scope_uses": ["Credit decisions", "Pricing"],
    "primary_users": ["Retention team"],
    "training_data_description": "Twelve months of anonymised customer activity.",
    "training_data_version": "customers-2026-09",
    "training_date": datetime.date(2026, 10, 1),
    "training_pipeline": "pipelines/churn/train.py",
    "hyperparameters": {"max_depth": 6, "learning_rate": 0.1},
    "code_revision": "3f2c9a1",
    "evaluation_metrics": {"accuracy": 0.91, "auc": 0.94},
    "known_limitations": ["Less accurate for customers younger than three months"],
    "ethical_considerations": ["Offers must not discriminate by age"],
    "performance_by_group": {"age<30": {"accuracy": 0.9}, "age>=30": {"accuracy": 0.92}},
}


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("tutela-test")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"team-{n}")
    name = factory.LazyAttribute(lambda t: t.slug.title())


class RegisteredModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegisteredModel

    name = factory.Sequence(lambda n: f"model-{n}")
    team = factory.SubFactory(TeamFactory)
    owner = factory.SubFactory(UserFactory)
    risk_level = RiskLevel.MEDIUM


class ModelVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ModelVersion

    model = factory.SubFactory(RegisteredModelFactory)
    version = factory.Sequence(lambda n: f"1.0.{n}")
    stage = Stage.DEVELOPMENT
    created_by = factory.SelfAttribute("model.owner")

    class Params:
        complete = factory.Trait(**COMPLETE_CARD)


class ApprovalRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApprovalRequest

    version = factory.SubFactory(ModelVersionFactory)
    target_stage = Stage.STAGING
    from_stage = factory.SelfAttribute("version.stage")
    requester = factory.SubFactory(UserFactory)
    justification = "Ready."
    required_roles = factory.LazyFunction(lambda: [Role.ML_ENGINEER.value])
    card_hash = factory.LazyAttribute(lambda r: r.version.card_hash())


class DeploymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deployment

    endpoint = factory.Sequence(lambda n: f"endpoint-{n}")
    environment = Environment.PRODUCTION
    version = factory.SubFactory(ModelVersionFactory)
    reported_by = factory.SelfAttribute("version.created_by")
    reported_at = factory.Faker("date_time", tzinfo=datetime.UTC)


class MetricObservationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MetricObservation

    version = factory.SubFactory(ModelVersionFactory)
    name = "accuracy"
    value = 0.9
    observed_at = factory.Faker("date_time", tzinfo=datetime.UTC)


def grant(user, role: str, scope: Team | RegisteredModel | None = None) -> None:  # noqa: ANN001
    """Give a role directly (test set-up): globally, or on one team or model."""
    if scope is None:
        user.groups.add(Group.objects.get(name=role))
    else:
        assign_perm(f"governance.{Role(role).permission_codename}", user, scope)
    forget_cached_roles(user)


class RetirementAlertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "governance.RetirementAlert"

    version = factory.SubFactory(ModelVersionFactory)
    rule = "max_age"
    reasons = factory.LazyFunction(lambda: [{"message": "Trained 120 days ago.", "age_days": 120}])
    fingerprint = factory.Sequence(lambda n: f"{n:064x}")
    status = "open"


class SeriousIncidentFactory(factory.django.DjangoModelFactory):
    """An open serious incident (test set-up; behaviour goes through services.incidents)."""

    class Meta:
        model = "governance.SeriousIncident"

    version = factory.SubFactory(ModelVersionFactory)
    description = "Legitimate card payments were held for two days."
    severity = "other"
    aware_at = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=3))
    report_deadline = factory.LazyAttribute(
        lambda incident: incident_rules.report_deadline(incident.severity, incident.aware_at)
    )
    reported_by = factory.SelfAttribute("version.created_by")


# --- EU AI Act compliance checklist (issue 6) -------------------------------------------

# COMPLETE_CARD plus what the checklist reads before a high-risk version may ask for
# production: the pinned artefact and a fairness assessment (method, groups, results and
# the summary of findings and mitigations).
HIGH_RISK_CARD = {
    **COMPLETE_CARD,
    "artifact_uri": "s3://models/churn/2.4.1/model.pkl",
    "artifact_sha256": "ab" * 32,
    "fairness_assessment": {
        "method": "demographic parity difference",
        "groups": ["age<30", "age>=30"],
        "results": {"parity_difference": 0.02},
        "summary": "Within the 0.05 tolerance; offers are capped per segment.",
    },
}


class RiskClassificationFactory(factory.django.DjangoModelFactory):
    """A confirmed classification: by default a high-risk provider under Annex III 4(a)
    (test set-up; behaviour goes through services.classification)."""

    class Meta:
        model = "governance.RiskClassification"

    model = factory.SubFactory(RegisteredModelFactory, risk_level=RiskLevel.HIGH)
    organisation_role = "provider"
    intended_purpose = "Rank job applicants for a recruiter to review."
    annex_i_safety_component = False
    annex_iii_point = "4(a)"
    profiles_natural_persons = True
    art6_3_exemption = "none"
    exemption_reasoning = ""
    general_purpose_ai = False
    proposed_risk_level = RiskLevel.HIGH
    is_high_risk = True
    proposal_reasons = factory.LazyFunction(lambda: ["Annex III 4(a): high-risk, Art. 6(2)."])
    confirmed_by = factory.SubFactory(UserFactory)
    confirmed_at = factory.LazyFunction(timezone.now)
