"""The production gate's EU AI Act part (policies.missing_production_evidence, inside the
card-completeness rule): a version classified high-risk lacking evidence items that can
exist before production cannot be requested for, or put in, production; the refusal lists
what is missing and writes nothing. Other versions keep the card rule alone."""

import datetime

import pytest
from django.utils import timezone

from governance.exceptions import CardIncomplete
from governance.models import ApprovalRequest, Stage
from governance.services.approvals import approval_create
from governance.services.versions import version_deprecate
from tests.compliance.support import classify, complete_evidence
from tests.db_state import nothing_written
from tests.factories import (
    COMPLETE_CARD,
    HIGH_RISK_CARD,
    ModelVersionFactory,
    SeriousIncidentFactory,
)
from tests.workflows import approve_all, request_promotion

# What COMPLETE_CARD lacks for a high-risk version: no artefact, no fairness summary.
COMPLETE_CARD_LACKS = [
    "Art. 10: Bias findings and mitigations",
    "Art. 11: Annex IV 1(d) Forms in which the system is placed on the market or put into service",
    "Art. 15: Integrity, robustness and security testing",
]


@pytest.fixture
def high_risk(model, personas):  # noqa: ANN201
    classify(model, personas)
    return model


def test_a_high_risk_version_missing_evidence_cannot_be_requested_for_production(
    personas, high_risk
):
    version = ModelVersionFactory(model=high_risk, stage=Stage.STAGING, **COMPLETE_CARD)

    with nothing_written(), pytest.raises(CardIncomplete) as refused:
        request_promotion(version, personas, Stage.PRODUCTION)

    assert refused.value.missing == COMPLETE_CARD_LACKS
    assert str(refused.value).startswith("Card incomplete: Art. 10: Bias findings")


def test_an_empty_high_risk_card_lists_its_fields_then_the_evidence(personas, high_risk):
    version = ModelVersionFactory(model=high_risk, stage=Stage.STAGING, retirement_criteria={})

    with pytest.raises(CardIncomplete) as refused:
        request_promotion(version, personas, Stage.PRODUCTION)

    missing = refused.value.missing
    assert missing[:3] == ["intended_use", "out_of_scope_uses", "primary_users"]
    evidence = missing[missing.index("performance_by_group or fairness_assessment") + 1 :]
    assert evidence[:4] == [
        "Art. 9: Known risks and affected persons",
        "Art. 9: Reasonably foreseeable misuse",
        "Art. 9: Test metrics and thresholds",
        "Art. 10: Datasheet: data, provenance and version",
    ]
    assert "Art. 72: Monitoring plan: metrics, limits, frequency" in evidence
    assert not any("runtime" in item or "Annex IV 1(e)" in item for item in evidence)


def test_with_complete_evidence_the_request_is_made(personas, high_risk):
    version = ModelVersionFactory(model=high_risk, stage=Stage.STAGING, **HIGH_RISK_CARD)

    request = request_promotion(version, personas, Stage.PRODUCTION)

    assert request.status == "pending"
    assert request.required_roles == ["legal", "ml_lead", "risk_officer"]


def test_lowering_the_risk_level_by_hand_does_not_open_the_gate(personas, high_risk):
    """The classification decides: a risk level lowered after it keeps the evidence rule."""
    high_risk.risk_level = "medium"
    high_risk.save(update_fields=["risk_level"])
    version = ModelVersionFactory(model=high_risk, stage=Stage.STAGING, **COMPLETE_CARD)

    with nothing_written(), pytest.raises(CardIncomplete) as refused:
        request_promotion(version, personas, Stage.PRODUCTION)

    assert refused.value.missing == COMPLETE_CARD_LACKS


def test_a_version_that_is_not_high_risk_keeps_the_card_rule_alone(personas, model):
    classify(model, personas, annex_iii_point="none", profiles_natural_persons=False)
    version = ModelVersionFactory(model=model, stage=Stage.STAGING, **COMPLETE_CARD)

    assert request_promotion(version, personas, Stage.PRODUCTION).status == "pending"


def test_a_high_risk_level_without_a_high_risk_classification_is_not_gated(personas, model):
    model.risk_level = "high"
    model.save(update_fields=["risk_level"])
    version = ModelVersionFactory(model=model, stage=Stage.STAGING, **COMPLETE_CARD)

    assert request_promotion(version, personas, Stage.PRODUCTION).status == "pending"


def test_a_classification_raised_during_the_review_blocks_the_final_approval(personas, model):
    version = ModelVersionFactory(model=model, stage=Stage.STAGING, **COMPLETE_CARD)
    request = request_promotion(version, personas, Stage.PRODUCTION)
    classify(model, personas)  # high-risk: legal joins, the review restarts

    with pytest.raises(CardIncomplete) as refused:
        approve_all(ApprovalRequest.objects.get(pk=request.pk), personas)

    assert refused.value.missing == COMPLETE_CARD_LACKS
    version.refresh_from_db()
    assert version.stage == Stage.STAGING


def test_an_overdue_incident_report_blocks_a_rollback(personas, model):
    version = complete_evidence(model, personas)
    version_deprecate(actor=personas["lead"], version_id=version.pk, reason="Replaced.")
    SeriousIncidentFactory(
        version=version, aware_at=timezone.localdate() - datetime.timedelta(days=20)
    )

    with nothing_written(), pytest.raises(CardIncomplete) as refused:
        approval_create(
            actor=personas["lead"],
            version_id=version.pk,
            target_stage=Stage.PRODUCTION,
            justification="Roll back.",
        )

    assert refused.value.missing == ["Art. 73: Incidents reported within their deadline"]


def test_evidence_that_exists_only_after_deployment_never_blocks(personas, high_risk):
    """No monitoring data, review, risk-officer sign-off or runtime logs yet: allowed."""
    version = ModelVersionFactory(model=high_risk, stage=Stage.STAGING, **HIGH_RISK_CARD)

    request = approve_all(request_promotion(version, personas, Stage.PRODUCTION), personas)

    assert request.status == "approved"
    version.refresh_from_db()
    assert version.stage == Stage.PRODUCTION
