"""The compliance checklist from records: per article, complete, partial and empty
evidence; articles that do not apply (not high-risk, not classified, the other role);
deployer-only articles; incidents; "not yet due"; the status rules and the score."""

import datetime

import pytest
from django.utils import timezone

from governance.compliance import ARTICLES, State, Status, checklist_for
from governance.compliance.checklist import article_status, score
from governance.compliance.states import ArticleResult, ItemResult, Level
from governance.models import ModelVersion, RegulatoryDate, Stage
from governance.policies import PRE_PRODUCTION_EVIDENCE
from governance.services.versions import version_update_card
from tests.compliance.support import (
    OUTSIDE_TUTELA,
    classified,
    complete_evidence,
)
from tests.factories import (
    COMPLETE_CARD,
    ModelVersionFactory,
    RetirementAlertFactory,
    SeriousIncidentFactory,
)

PROVIDER_ARTICLES = ["9", "10", "11", "12", "13", "14", "15", "17", "72", "73"]


def statuses(checklist) -> dict[str, str]:  # noqa: ANN001
    return {article.number: article.status for article in checklist.articles}


def states(checklist, article: str) -> dict[str, str]:  # noqa: ANN001
    return {item.key: item.state for item in checklist.article(article).items}


@pytest.fixture
def complete(model, personas) -> ModelVersion:
    return complete_evidence(model, personas)


@pytest.fixture
def empty(model) -> ModelVersion:
    """A high-risk provider's version with an empty card, never approved or monitored."""
    classified(model)
    return ModelVersionFactory(model=model, version="0.1.0")


def test_every_gate_item_is_an_item_of_the_checklist():
    keys = [item.key for article in ARTICLES for item in article.items]

    assert len(keys) == len(set(keys))
    assert set(keys) >= PRE_PRODUCTION_EVIDENCE


def test_complete_evidence_turns_every_article_tutela_can_evidence_green(complete):
    checklist = checklist_for(complete.pk)

    assert statuses(checklist) == {
        "6": "green",
        "9": "green",
        "10": "green",
        "11": "red",
        "12": "amber",
        "13": "red",
        "14": "red",
        "15": "amber",
        "17": "amber",
        "26": "not_applicable",
        "72": "green",
        "73": "green",
    }
    assert {item.key for item in checklist.missing_items} == OUTSIDE_TUTELA
    assert checklist.status == Status.RED
    assert checklist.item("art9.residual_risk").reason == (
        "a risk officer approved the card as it is now"
    )
    today = f"{timezone.localdate():%Y-%m-%d}"
    assert checklist.item("art10.datasheet").reason == (
        f"filled; card approved as risk_officer on {today}"
    )


def test_empty_evidence_is_missing_and_red_where_the_article_asks_for_it(empty):
    checklist = checklist_for(empty.pk)

    assert states(checklist, "9") == {
        "art9.risks": "missing",
        "art9.misuse": "missing",
        "art9.thresholds": "missing",
        "art9.residual_risk": "missing",
        "art9.vulnerable_groups": "missing",
    }
    assert states(checklist, "10") == {
        "art10.datasheet": "missing",
        "art10.bias_examination": "missing",
        "art10.bias_mitigation": "missing",
        "art10.gaps": "missing",
        "art10.representativeness": "missing",
    }
    assert states(checklist, "72") == {
        "art72.plan": "missing",
        "art72.data": "not_applicable",
        "art72.review": "not_applicable",
        "art72.alerts": "not_applicable",
    }
    assert all(statuses(checklist)[n] == "red" for n in ["9", "10", "11", "13", "15", "72"])
    assert checklist.article("9").reason.startswith("Missing: Known risks and affected persons;")
    assert checklist.item("art9.risks").looked_at == (
        "card fields known_limitations, ethical_considerations (card revision 1)"
    )
    assert checklist.item("art9.risks").reason == (
        "empty: known_limitations, ethical_considerations"
    )


def test_a_card_changed_since_its_approval_is_partial_evidence(complete, personas):
    version_update_card(
        actor=personas["lead"],
        version_id=complete.pk,
        changes={"known_limitations": ["Less accurate for customers younger than a year"]},
    )

    checklist = checklist_for(complete.pk)

    assert states(checklist, "9") == {
        "art9.risks": "partial",
        "art9.misuse": "partial",
        "art9.thresholds": "partial",
        "art9.residual_risk": "partial",
        "art9.vulnerable_groups": "partial",
    }
    assert checklist.item("art9.misuse").reason == (
        "filled, but nobody has approved the card as it is now: a draft until a staging or "
        "production approval"
    )
    assert statuses(checklist)["9"] == statuses(checklist)["10"] == "amber"


def test_an_incomplete_card_is_partial_where_some_of_its_evidence_is_there(model, personas):
    classified(model)
    card = {**COMPLETE_CARD, "ethical_considerations": [], "fairness_assessment": {"method": "x"}}
    version = ModelVersionFactory(model=model, version="1.0.0", **card)

    checklist = checklist_for(version.pk)

    assert checklist.item("art9.risks").state == State.PARTIAL
    assert checklist.item("art9.risks").reason == "still empty: ethical_considerations"
    assert checklist.item("art10.bias_examination").reason == (
        "fairness_assessment lacks groups, results"
    )


def test_post_market_evidence_goes_partial_when_stale_or_unattended(complete):
    ModelVersion.objects.filter(pk=complete.pk).update(
        next_review_at=timezone.now() - datetime.timedelta(days=1)
    )
    RetirementAlertFactory(version=complete, rule="metric_floor")

    checklist = checklist_for(complete.pk)

    assert states(checklist, "72") == {
        "art72.plan": "complete",
        "art72.data": "complete",
        "art72.review": "partial",
        "art72.alerts": "partial",
    }
    assert checklist.item("art15.in_operation").reason == (
        "open alert: metric_floor (nobody acknowledged it)"
    )
    assert statuses(checklist)["72"] == statuses(checklist)["15"] == "amber"


def test_an_open_incident_past_its_deadline_turns_art_73_red(complete):
    SeriousIncidentFactory(
        version=complete, aware_at=timezone.localdate() - datetime.timedelta(days=20)
    )

    checklist = checklist_for(complete.pk)

    assert checklist.item("art73.reporting").state == State.MISSING
    assert "overdue" in checklist.item("art73.reporting").reason
    assert checklist.item("art73.corrective_action").reason == (
        "1 of 1 incident(s) without a corrective action"
    )
    assert statuses(checklist)["73"] == "red"


def test_an_incident_reported_late_with_its_correction_is_partial(complete):
    aware = timezone.localdate() - datetime.timedelta(days=30)
    SeriousIncidentFactory(
        version=complete,
        aware_at=aware,
        status="reported",
        reported_at=aware + datetime.timedelta(days=20),
        authority_reference="MSA-2026-1",
        corrective_action="Threshold raised.",
    )

    checklist = checklist_for(complete.pk)

    assert states(checklist, "73") == {
        "art73.reporting": "partial",
        "art73.corrective_action": "complete",
    }
    assert checklist.item("art73.reporting").reason == (
        "1 of 1 incident(s) reported after the deadline"
    )


def test_a_system_that_is_not_high_risk_has_only_article_6(model, personas):
    classified(
        model,
        is_high_risk=False,
        annex_iii_point="none",
        proposed_risk_level="medium",
        confirmed_by=model.owner,
    )
    version = ModelVersionFactory(model=model, version="1.0.0")

    checklist = checklist_for(version.pk)

    assert [a.number for a in checklist.applicable_articles] == ["6"]
    assert all(
        checklist.article(n).reason
        == ("Applies to high-risk systems; the classification says not high-risk (Art. 6).")
        for n in [*PROVIDER_ARTICLES, "26"]
    )
    assert checklist.article("9").items == ()
    assert checklist.item("art6.peer_review").state == State.PARTIAL  # the owner confirmed
    assert (checklist.status, checklist.score) == (Status.AMBER, round(100 * 3.5 / 4))


def test_an_unclassified_model_is_red_on_article_6_and_nothing_else_applies(version):
    checklist = checklist_for(version.pk)

    assert statuses(checklist)["6"] == "red"
    assert checklist.item("art6.classification").reason == (
        "not classified yet: answer its Classification page"
    )
    assert checklist.article("10").reason == (
        "Applies to high-risk systems; the model is not classified yet (see Art. 6)."
    )
    assert (checklist.high_risk, checklist.status, checklist.score) == (None, Status.RED, 0)


def test_a_deployer_has_article_26_and_not_the_providers_articles(model):
    classified(model, organisation_role="deployer", annex_iii_point="5(b)")
    version = ModelVersionFactory(model=model, version="1.0.0", **COMPLETE_CARD)

    checklist = checklist_for(version.pk)

    assert [a.number for a in checklist.applicable_articles] == ["6", "26"]
    assert checklist.article("9").reason == ("A provider's duty; the organisation is the deployer.")
    assert states(checklist, "26") == {
        "art26.instructions": "partial",  # filled, never approved
        "art26.oversight": "missing",
        "art26.monitoring": "not_applicable",
        "art26.incidents": "complete",
        "art26.logs": "missing",
        "art26.notices": "missing",
        "art26.fria": "missing",  # Annex III 5(b): Art. 27
    }


def test_provider_and_deployer_have_both_sets_and_no_impact_assessment_outside_5b_5c(model):
    classified(model, organisation_role="both")
    version = ModelVersionFactory(model=model, version="1.0.0")

    checklist = checklist_for(version.pk)

    assert [a.number for a in checklist.applicable_articles] == [
        "6",
        *PROVIDER_ARTICLES[:8],
        "26",
        "72",
        "73",
    ]
    assert checklist.item("art26.fria").state == State.NOT_APPLICABLE


def test_an_exemption_claim_is_documented_evidence_of_article_6(model):
    classified(
        model,
        is_high_risk=False,
        profiles_natural_persons=False,
        art6_3_exemption="preparatory_task",
        exemption_reasoning="Sorts applications before a recruiter reads each one.",
        proposed_risk_level="medium",
    )
    version = ModelVersionFactory(model=model, version="1.0.0")

    item = checklist_for(version.pk).item("art6.exemption")

    assert item.state == State.COMPLETE
    assert item.reason.startswith("6(3)(d) Preparatory task to an Annex III assessment, reasoning")


def test_a_risk_level_changed_after_the_classification_makes_it_partial(model):
    classified(model)
    model.risk_level = "low"
    model.save(update_fields=["risk_level"])
    version = ModelVersionFactory(model=model, version="1.0.0")

    item = checklist_for(version.pk).item("art6.classification")

    assert item.state == State.PARTIAL
    assert "differs from the proposal (high)" in item.reason


def test_red_high_risk_articles_are_not_yet_due_before_their_date(empty):
    early = checklist_for(empty.pk)
    RegulatoryDate.objects.filter(articles__contains="Annex III").update(
        applies_from=timezone.localdate() - datetime.timedelta(days=1)
    )
    due = checklist_for(empty.pk)

    assert early.article("9").due_from == datetime.date(2027, 12, 2)
    assert early.article("9").not_yet_due is True
    assert early.article("6").due_from is None
    assert due.article("9").not_yet_due is False
    assert due.article("9").status == early.article("9").status == Status.RED


def _item(level: str, state: str) -> ItemResult:
    return ItemResult("k", "9", "t", Level(level), State(state), "", "")


@pytest.mark.parametrize(
    ("items", "status"),
    [
        ([("must", "complete"), ("should", "complete")], "green"),
        ([("must", "complete"), ("should", "missing")], "amber"),
        ([("must", "partial"), ("should", "complete")], "amber"),
        ([("must", "missing"), ("should", "complete")], "red"),
        ([("must", "complete"), ("must", "not_applicable")], "green"),
        ([("must", "not_applicable")], "not_applicable"),
    ],
)
def test_article_status_follows_the_worst_item_by_level(items, status):
    assert article_status(tuple(_item(*item) for item in items))[0] == status


def test_the_score_weighs_must_three_should_one_and_partial_half():
    article = ArticleResult(
        "9",
        "t",
        Status.AMBER,
        "",
        (
            _item("must", "complete"),  # 3 of 3
            _item("must", "partial"),  # 1.5 of 3
            _item("should", "missing"),  # 0 of 1
            _item("must", "not_applicable"),  # left out
        ),
    )
    ignored = ArticleResult("26", "t", Status.NOT_APPLICABLE, "", ())

    assert score([article, ignored]) == round(100 * 4.5 / 7)


def test_the_checklist_of_an_unknown_version_does_not_exist(db):
    with pytest.raises(ModelVersion.DoesNotExist):
        checklist_for(987654)


def test_a_retired_version_keeps_its_records_in_the_checklist(complete):
    ModelVersion.objects.filter(pk=complete.pk).update(stage=Stage.RETIRED)

    checklist = checklist_for(complete.pk)

    assert checklist.stage == "retired"
    assert checklist.item("art72.review").state == State.NOT_APPLICABLE
    assert checklist.item("art72.data").state == State.COMPLETE  # still reported serving
