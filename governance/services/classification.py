"""Confirming a model's EU AI Act risk classification (Art. 6): the answers, the proposal
governance.classification_rules makes from them, who confirmed it and when."""

from dataclasses import asdict
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import transaction
from django.utils import timezone

from governance import audit, classification_rules, policies
from governance.actors import Actor
from governance.classification_rules import Answers, Proposal
from governance.models import (
    AnnexIIIPoint,
    Art63Exemption,
    AuditEventType,
    OrganisationRole,
    RegisteredModel,
    RiskClassification,
)
from governance.models.classification import PURPOSE_LIMIT, REASONING_LIMIT
from governance.services.common import lock_model, save_governed
from governance.services.registered_models import model_update
from governance.validators import validate_text

CHOICE_ANSWERS = {
    "organisation_role": OrganisationRole,
    "annex_iii_point": AnnexIIIPoint,
    "art6_3_exemption": Art63Exemption,
}
YES_NO_ANSWERS = ("annex_i_safety_component", "profiles_natural_persons", "general_purpose_ai")
TEXT_ANSWERS = {"intended_purpose": PURPOSE_LIMIT, "exemption_reasoning": REASONING_LIMIT}
OPTIONAL_ANSWERS = {"art6_3_exemption": Art63Exemption.NONE, "exemption_reasoning": ""}
ANSWER_FIELDS = (*CHOICE_ANSWERS, *YES_NO_ANSWERS, *TEXT_ANSWERS)


def _choice_error(value: Any, choices: type) -> str | None:
    if isinstance(value, str) and value in choices.values:
        return None
    return f"Choose one of: {', '.join(choices.values)}."


def _text_error(value: Any, limit: int, *, required: bool) -> str | None:
    if not isinstance(value, str):
        return "Expected text."
    if required and not value.strip():
        return "This answer is required."
    try:
        validate_text(value)
        MaxLengthValidator(limit)(value)
    except ValidationError as error:
        return " ".join(error.messages)
    return None


def _answer_error(field: str, value: Any) -> str | None:
    if field in CHOICE_ANSWERS:
        return _choice_error(value, CHOICE_ANSWERS[field])
    if field in YES_NO_ANSWERS:
        return None if isinstance(value, bool) else "Answer true or false."
    return _text_error(value, TEXT_ANSWERS[field], required=field not in OPTIONAL_ANSWERS)


def parse_answers(answers: Any) -> Answers:
    """The questionnaire from outside (a form's or the API's data); every problem at once,
    by field, as a ValidationError."""
    if not isinstance(answers, dict):
        raise ValidationError({"answers": "Expected an object of answers."})
    values = {**OPTIONAL_ANSWERS, **answers}
    errors = {field: "This field is unknown." for field in sorted(set(values) - set(ANSWER_FIELDS))}
    for field in ANSWER_FIELDS:
        if field not in values:
            errors[field] = "This answer is required."
        elif (message := _answer_error(field, values[field])) is not None:
            errors[field] = message
    if errors:
        raise ValidationError(errors)
    parsed = Answers(**{field: values[field] for field in ANSWER_FIELDS})
    if errors := classification_rules.consistency_errors(parsed):
        raise ValidationError(errors)
    return parsed


@transaction.atomic
def classification_confirm(
    *, actor: Actor, model_id: int, answers: dict[str, Any]
) -> RiskClassification:
    """Store a model's answers and Tutela's proposal as confirmed by the actor. A proposed
    risk level other than the model's changes it through model_update, in this transaction,
    which restarts open reviews whose required roles grow."""
    model = lock_model(model_id)
    policies.require_can_classify(actor, model)
    parsed = parse_answers(answers)
    proposal = classification_rules.propose(parsed)
    classification = _store(model, parsed, proposal, actor=actor)
    audit.record(
        event_type=AuditEventType.MODEL_CLASSIFIED,
        actor=actor,
        model=model,
        details={
            "answers": asdict(parsed),
            "risk_level": {"model": model.risk_level, "proposed": proposal.risk_level.value},
            "is_high_risk": proposal.is_high_risk,
            "reasons": list(proposal.reasons),
        },
    )
    if proposal.risk_level != model.risk_level:
        changes = {"risk_level": proposal.risk_level.value}
        classification.model = model_update(actor=actor, model_id=model.pk, changes=changes)
    return classification


def _store(
    model: RegisteredModel, answers: Answers, proposal: Proposal, *, actor: Actor
) -> RiskClassification:
    # The model lock serializes confirmations of one model; this lock covers the row itself.
    classification = RiskClassification.objects.select_for_update().filter(model=model).first()
    reason = "reclassified" if classification else "classified"
    classification = classification or RiskClassification(model=model)
    for field, value in asdict(answers).items():
        setattr(classification, field, value)
    classification.proposed_risk_level = proposal.risk_level.value
    classification.is_high_risk = proposal.is_high_risk
    classification.proposal_reasons = list(proposal.reasons)
    classification.confirmed_by = actor
    classification.confirmed_at = timezone.now()
    save_governed(classification, actor=actor, reason=reason)
    classification.model = model
    return classification
