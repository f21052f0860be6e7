"""The checklist loader reads a fixed number of queries (FACT_QUERIES), for one version or
many, whatever the records behind each: approvals, audit events, observations,
deployments, alerts, incidents, history."""

import pytest

from governance.compliance import FACT_QUERIES, checklist_for, checklists_for
from governance.models import ModelVersion, Stage
from tests.compliance.support import classified, observe
from tests.factories import (
    HIGH_RISK_CARD,
    ApprovalRequestFactory,
    DeploymentFactory,
    ModelVersionFactory,
    RegisteredModelFactory,
    RetirementAlertFactory,
    SeriousIncidentFactory,
)


def populate(team, personas, count: int) -> None:  # noqa: ANN001
    """count high-risk models, each with a production version carrying every kind of
    record, and a staging version."""
    for number in range(count):
        model = RegisteredModelFactory(team=team, name=f"m-{number:03d}", owner=personas["lead"])
        classified(model, organisation_role="both", annex_iii_point="5(b)")
        live = ModelVersionFactory(
            model=model, version="1.0.0", stage=Stage.PRODUCTION, **HIGH_RISK_CARD
        )
        ModelVersionFactory(model=model, version="1.1.0", stage=Stage.STAGING)
        request = ApprovalRequestFactory(
            version=live, target_stage=Stage.PRODUCTION, status="approved"
        )
        request.decisions.create(
            approver=personas["risk_officer"],
            role="risk_officer",
            decision="approved",
            card_hash=live.card_hash(),
        )
        observe(live, personas)
        DeploymentFactory(version=live)
        RetirementAlertFactory(version=live)
        SeriousIncidentFactory(version=live)


@pytest.mark.parametrize("count", [2, 20])
def test_checklists_of_many_versions_take_a_fixed_number_of_queries(
    team, personas, count, django_assert_num_queries
):
    populate(team, personas, count)

    with django_assert_num_queries(FACT_QUERIES):
        checklists = checklists_for(ModelVersion.objects.filter(model__name__startswith="m-"))

    assert len(checklists) == 2 * count
    assert {c.item("art26.oversight").state for c in checklists if c.stage == "production"} == {
        "complete"
    }
    assert {c.item("art73.reporting").state for c in checklists} == {"partial", "complete"}


def test_one_version_is_the_same_loader_with_one_id(team, personas, django_assert_num_queries):
    populate(team, personas, 3)
    version = ModelVersion.objects.get(model__name="m-001", version="1.0.0")

    with django_assert_num_queries(FACT_QUERIES):
        checklist = checklist_for(version.pk)

    many = {c.version_id: c for c in checklists_for(ModelVersion.objects.all())}
    assert checklist.items == many[version.pk].items
