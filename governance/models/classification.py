"""EU AI Act risk classification of a registered model (Art. 6, Annex I and III) and the
regulatory dates table. Product guidance, not legal advice."""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q

from governance.models.choices import RiskLevel
from governance.models.history import governed_history
from governance.models.registered_models import RegisteredModel
from governance.validators import validate_text

PURPOSE_LIMIT = 5_000
REASONING_LIMIT = 5_000


class OrganisationRole(models.TextChoices):
    """The organisation's role for this system (Art. 3(3) provider, Art. 3(4) deployer)."""

    PROVIDER = "provider"
    DEPLOYER = "deployer"
    BOTH = "both", "Provider and deployer"


class AnnexIIIPoint(models.TextChoices):
    """Annex III of Regulation (EU) 2024/1689: the eight areas and their points."""

    NONE = "none", "None of the Annex III areas"
    P1A = "1(a)", "1(a) Biometrics: remote biometric identification (not verification)"
    P1B = "1(b)", "1(b) Biometrics: categorisation by sensitive or protected attributes"
    P1C = "1(c)", "1(c) Biometrics: emotion recognition"
    P2 = "2", "2 Critical infrastructure: safety component (digital, traffic, utilities)"
    P3A = "3(a)", "3(a) Education: access or admission"
    P3B = "3(b)", "3(b) Education: evaluating learning outcomes"
    P3C = "3(c)", "3(c) Education: assessing the appropriate level of education"
    P3D = "3(d)", "3(d) Education: monitoring prohibited behaviour during tests"
    P4A = "4(a)", "4(a) Employment: recruitment, job ads, filtering, evaluating candidates"
    P4B = "4(b)", "4(b) Employment: promotion, termination, task allocation, monitoring"
    P5A = "5(a)", "5(a) Essential services: eligibility for public assistance benefits"
    P5B = "5(b)", "5(b) Essential services: creditworthiness, credit score (not fraud)"
    P5C = "5(c)", "5(c) Essential services: life and health insurance risk and pricing"
    P5D = "5(d)", "5(d) Essential services: emergency calls, dispatch, patient triage"
    P6A = "6(a)", "6(a) Law enforcement: risk of becoming a victim of crime"
    P6B = "6(b)", "6(b) Law enforcement: polygraphs and similar tools"
    P6C = "6(c)", "6(c) Law enforcement: reliability of evidence"
    P6D = "6(d)", "6(d) Law enforcement: risk of offending or re-offending"
    P6E = "6(e)", "6(e) Law enforcement: profiling in detection, investigation, prosecution"
    P7A = "7(a)", "7(a) Migration and border: polygraphs and similar tools"
    P7B = "7(b)", "7(b) Migration and border: risk assessment of a person entering"
    P7C = "7(c)", "7(c) Migration and border: asylum, visa and residence applications"
    P7D = "7(d)", "7(d) Migration and border: detecting or identifying persons"
    P8A = "8(a)", "8(a) Justice: assisting judicial authorities or dispute resolution"
    P8B = "8(b)", "8(b) Democratic processes: influencing elections or voting behaviour"


ANNEX_III_AREAS = {  # the area number of a point -> its heading in Annex III
    "1": "Biometrics",
    "2": "Critical infrastructure",
    "3": "Education and vocational training",
    "4": "Employment, workers' management and access to self-employment",
    "5": "Access to essential private and public services and benefits",
    "6": "Law enforcement",
    "7": "Migration, asylum and border control management",
    "8": "Administration of justice and democratic processes",
}


class Art63Exemption(models.TextChoices):
    """The Art. 6(3) conditions under which an Annex III system is not high-risk."""

    NONE = "none", "No exemption claimed"
    NARROW_PROCEDURAL_TASK = "narrow_procedural_task", "6(3)(a) Narrow procedural task"
    IMPROVE_HUMAN_ACTIVITY = (
        "improve_human_activity",
        "6(3)(b) Improves the result of a previously completed human activity",
    )
    DETECT_DECISION_PATTERNS = (
        "detect_decision_patterns",
        "6(3)(c) Detects decision patterns without replacing human assessment",
    )
    PREPARATORY_TASK = "preparatory_task", "6(3)(d) Preparatory task to an Annex III assessment"


class RiskClassification(models.Model):
    """One model's answers to the Art. 6 questionnaire, the proposal Tutela made from them,
    and who confirmed both and when; written only by services.classification."""

    model = models.OneToOneField(
        RegisteredModel, on_delete=models.PROTECT, related_name="classification"
    )
    organisation_role = models.CharField(max_length=16, choices=OrganisationRole.choices)
    intended_purpose = models.TextField(
        validators=[validate_text, MaxLengthValidator(PURPOSE_LIMIT)]
    )
    annex_i_safety_component = models.BooleanField(
        help_text="A safety component of a product (or the product) under Annex I law "
        "that needs a third-party conformity assessment (Art. 6(1))."
    )
    annex_iii_point = models.CharField(max_length=8, choices=AnnexIIIPoint.choices)
    profiles_natural_persons = models.BooleanField(
        help_text="Profiling of natural persons (GDPR Art. 4(4)); never exempt (Art. 6(3))."
    )
    art6_3_exemption = models.CharField(max_length=32, choices=Art63Exemption.choices)
    exemption_reasoning = models.TextField(
        blank=True, validators=[validate_text, MaxLengthValidator(REASONING_LIMIT)]
    )
    general_purpose_ai = models.BooleanField(
        help_text="A general-purpose AI model (Chapter V duties, separate from the risk level)."
    )
    proposed_risk_level = models.CharField(max_length=16, choices=RiskLevel.choices)
    is_high_risk = models.BooleanField(help_text="High-risk under Art. 6, as proposed.")
    proposal_reasons = models.JSONField(help_text="Why, one sentence a line, citing articles.")
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField()

    history = governed_history()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(annex_iii_point__in=AnnexIIIPoint.values),
                name="classification_annex_iii_valid",
            ),
            models.CheckConstraint(
                condition=Q(art6_3_exemption__in=Art63Exemption.values),
                name="classification_exemption_valid",
            ),
            models.CheckConstraint(
                condition=Q(proposed_risk_level__in=RiskLevel.values),
                name="classification_risk_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.model}: {self.proposed_risk_level}"


class RegulatoryDateStatus(models.TextChoices):
    CERTAIN = "certain"
    PENDING = "pending", "Pending (confirm with counsel)"


class RegulatoryDate(models.Model):
    """Reference data: which obligations of the AI Act apply from when. Dates live here,
    filled by migration 0009 and edited by superusers only, never in code."""

    obligation = models.CharField(max_length=300)
    applies_from = models.DateField()
    articles = models.CharField(max_length=200)
    status = models.CharField(max_length=16, choices=RegulatoryDateStatus.choices)
    source = models.TextField(help_text="Where the date comes from, and what to verify.")

    class Meta:
        ordering = ["applies_from", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["applies_from", "obligation"], name="one_regulatory_date_per_obligation"
            ),
            models.CheckConstraint(
                condition=Q(status__in=RegulatoryDateStatus.values),
                name="regulatory_date_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.applies_from:%Y-%m-%d} {self.obligation}"
