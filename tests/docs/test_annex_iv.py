"""The Annex IV document of a version: every Annex IV point in order, MISSING gaps where
evidence is absent (naming what would provide it), facts from the card, approvals,
classification, monitoring, alerts and incidents, read in a fixed number of queries."""

import datetime
import re

import pytest
from django.utils import timezone

from governance.docs import evidence
from governance.docs.annex_iv import SECTION_TITLES, annex_iv_document
from governance.docs.document import DISCLAIMER, MISSING
from governance.docs.evidence import EVIDENCE_QUERIES
from governance.docs.exports import annex_iv_html, annex_iv_markdown
from governance.models import Stage
from governance.services.classification import classification_confirm
from governance.services.metrics import metrics_record
from tests.factories import (
    DeploymentFactory,
    MetricObservationFactory,
    ModelVersionFactory,
    RetirementAlertFactory,
    SeriousIncidentFactory,
)
from tests.workflows import promote

ITEM_HEADINGS = [
    "1(a)", "1(b)", "1(c)", "1(d)", "1(e)", "1(f)", "1(g)", "1(h)",
    "2(a)", "2(b)", "2(c)", "2(d)", "2(e)", "2(f)", "2(g)", "2(h)",
]  # fmt: skip
SECTION_HEADINGS = [
    "## 1. General description of the AI system",
    "## 2. Detailed description of the elements of the AI system and of its development process",
    "## 3. Monitoring, functioning and control of the AI system",
    "## 4. Appropriateness of the performance metrics",
    "## 5. Risk management system",
    "## 6. Relevant changes made through the lifecycle",
    "## 7. Harmonised standards applied",
    "## 8. EU declaration of conformity",
    "## 9. Post-market monitoring plan",
]
HIGH_RISK_ANSWERS = {
    "organisation_role": "provider",
    "intended_purpose": "Score the creditworthiness of applicants for a card limit.",
    "annex_i_safety_component": False,
    "annex_iii_point": "5(b)",
    "profiles_natural_persons": True,
    "general_purpose_ai": False,
}
NOT_HIGH_RISK_ANSWERS = {**HIGH_RISK_ANSWERS, "annex_iii_point": "none"}


def _positions(text: str, needles: list[str]) -> list[int]:
    return [text.index(needle) for needle in needles]


@pytest.fixture
def empty_version(model):
    return ModelVersionFactory(model=model, version="0.1.0", retirement_criteria={})


@pytest.fixture
def complete_version(version, personas):
    """The fixture's complete card, promoted to production, with monitoring and a
    deployment."""
    promote(version, personas, Stage.STAGING)
    promote(version, personas, Stage.PRODUCTION)
    now = timezone.now()
    points = [
        {"name": "accuracy", "value": 0.91, "observed_at": now.isoformat()},
        {"name": "drift_score", "value": 0.12, "observed_at": now.isoformat()},
    ]
    metrics_record(actor=personas["engineer"], version_id=version.pk, points=points, source="ci")
    DeploymentFactory(version=version, endpoint="https://serving/churn", reported_at=now)
    return version


def test_markdown_has_every_annex_iv_section_and_item_in_order(empty_version):
    text = annex_iv_markdown(empty_version)

    sections = _positions(text, SECTION_HEADINGS)
    items = _positions(text, [f"### {ref} " for ref in ITEM_HEADINGS])
    assert sections == sorted(sections)
    assert items == sorted(items)
    assert sections[0] < items[0] < items[-1] < sections[2]
    assert text.startswith("# Annex IV technical documentation: customer-churn-predictor 0.1.0\n")
    assert f"> {DISCLAIMER}" in text


def test_the_document_has_the_nine_points_of_annex_iv(empty_version):
    document = annex_iv_document(empty_version)

    assert [s.heading for s in document.sections] == [
        f"{n}. {title}" for n, title in enumerate(SECTION_TITLES, 1)
    ]
    assert [i.ref for i in document.sections[0].items] == ITEM_HEADINGS[:8]
    assert [i.ref for i in document.sections[1].items] == ITEM_HEADINGS[8:]


def test_html_has_every_section_heading_in_order_and_the_disclaimer(empty_version):
    html = annex_iv_html(empty_version)

    headings = re.findall(r'<h2 id="section-\d-heading">([^<]+)</h2>', html)
    assert headings == [f"{n}. {title}" for n, title in enumerate(SECTION_TITLES, 1)]
    assert '<p class="doc-note">This is product guidance, not legal advice.</p>' in html


def test_an_empty_card_is_marked_missing_with_what_would_provide_it(empty_version):
    document = annex_iv_document(empty_version)
    text = annex_iv_markdown(empty_version)

    needed = {}
    for gap in document.gaps:
        needed.setdefault(gap.ref, []).append(gap.needed)
    assert needed["1(a)"] == [
        "the card field intended_use (card editor or PATCH /api/v1/.../versions/...)"
    ]
    assert needed["2(g)"] == [
        "the card fields evaluation_metrics, performance_by_group, fairness_assessment "
        "(card editor or PATCH /api/v1/.../versions/...)",
        "dated sign-off by responsible persons (an approval of this version)",
    ]
    assert {"1(e)", "2(c)", "2(h)", "4", "5", "7", "8", "9"} <= set(needed)
    # Even a version no service touched has its history row (its registration).
    assert document.item("6").facts[0].label == "Card and stage revisions"
    assert "- **MISSING – Annex IV 1(a): the card field intended_use" in text
    assert "**MISSING – Annex IV 2(g): dated sign-off by responsible persons" in text
    assert "**MISSING – Annex IV 5: a risk classification of the model" in text
    assert "**MISSING – Annex IV 9: monitoring observations" in text
    assert text.count(f"**{MISSING} – Annex IV ") == len(document.gaps)


def test_a_complete_version_has_fewer_gaps_than_an_empty_one(empty_version, complete_version):
    empty = annex_iv_document(empty_version)
    complete = annex_iv_document(complete_version)

    assert len(complete.gaps) < len(empty.gaps)
    assert complete.item("1a").complete
    assert complete.item("2d").complete
    approvals = next(f for f in complete.item("2g").facts if f.label == "Approvals")
    assert [row[1:3] for row in approvals.value.rows] == [
        ("engineer2", "ml_engineer"),
        ("lead2", "ml_lead"),
        ("risk_officer", "risk_officer"),
    ]
    assert {f.label for f in complete.item("9_monitoring").facts} >= {"Observed metrics"}
    assert "https://serving/churn" in annex_iv_markdown(complete_version)


def test_card_facts_name_their_source(complete_version):
    text = annex_iv_markdown(complete_version)

    assert "- **Training date**: 2026-10-01 _(card field training_date, card revision 1)_" in text
    assert "| accuracy | 0.91 |" in text


def test_lifecycle_changes_come_from_the_audit_trail_and_history(complete_version):
    item = annex_iv_document(complete_version).item("6")

    events, revisions = item.facts[0].value, item.facts[1].value
    assert [row[2] for row in events.rows][:3] == [
        "approval.requested",
        "approval.decision",
        "approval.approved",
    ]
    assert "model.stage_changed" in [row[2] for row in events.rows]
    assert [row[3] for row in revisions.rows] == ["development", "staging", "production"]
    assert [row[4] for row in revisions.rows] == ["", "stage", "stage"]


def test_a_high_risk_classification_fills_section_5_and_leaves_7_and_8_missing(
    personas, complete_version
):
    classification_confirm(
        actor=personas["risk_officer"],
        model_id=complete_version.model_id,
        answers=HIGH_RISK_ANSWERS,
    )

    document = annex_iv_document(complete_version)

    answers = document.item("5").facts[1]
    assert answers.label == "Classification"
    assert "Annex III: 5(b) Essential services: creditworthiness, credit score (not fraud)" in (
        answers.value
    )
    assert answers.source.startswith("risk classification confirmed by risk_officer on ")
    assert [g.needed for g in document.item("5").gaps] == [
        "a risk register with hazards, mitigations and residual-risk acceptance (Art. 9)"
    ]
    assert document.item("8").gaps[0].needed.startswith("the signed EU declaration of conformity")
    assert document.item("7").gaps[0].needed.startswith("the harmonised standards")


def test_a_not_high_risk_classification_answers_points_1f_7_and_8(personas, complete_version):
    before = len(annex_iv_document(complete_version).gaps)
    classification_confirm(
        actor=personas["risk_officer"],
        model_id=complete_version.model_id,
        answers=NOT_HIGH_RISK_ANSWERS,
    )

    document = annex_iv_document(complete_version)

    assert len(document.gaps) == before - 4  # 1(f), 5's classification, 7, 8
    assert document.item("7").facts[0].value == (
        "Not required: classified as not high-risk under Art. 6"
    )
    assert document.item("1f").complete


def test_incidents_and_alerts_fill_the_post_market_section(complete_version):
    before = annex_iv_document(complete_version)
    SeriousIncidentFactory(
        version=complete_version,
        severity="death",
        description="A retention call went to a deceased customer's family.",
        aware_at=datetime.date(2026, 11, 2),
        report_deadline=datetime.date(2026, 11, 12),
    )
    RetirementAlertFactory(version=complete_version)

    document = annex_iv_document(complete_version)

    assert before.item("9_incidents").facts[0].value == "None recorded for this version"
    incident = document.item("9_incidents").facts[0]
    assert incident.label.startswith("Incident #")
    assert incident.value[:3] == (
        "Class: Death of a person",
        "Aware: 2026-11-02; occurred: —",
        "Report to the authority by: 2026-11-12",
    )
    alerts = document.item("9_alerts").facts[0].value
    assert alerts.rows[0][0:2] == ("Maximum age", "open")
    assert alerts.rows[0][3] == "Trained 120 days ago."
    assert "Maximum age since" in document.item("5").facts[-1].value[0]


def _rich(version, personas) -> None:
    """Many rows of every kind the document reads."""
    promote(version, personas, Stage.STAGING)
    for number in range(12):
        MetricObservationFactory(version=version, name=f"metric_{number % 4}")
        DeploymentFactory(version=version, active=False, ended_at=timezone.now())
        SeriousIncidentFactory(version=version)
    RetirementAlertFactory(version=version)
    classification_confirm(
        actor=personas["risk_officer"], model_id=version.model_id, answers=NOT_HIGH_RISK_ANSWERS
    )
    ModelVersionFactory(model=version.model, version="3.0.0")


def test_the_document_reads_a_fixed_number_of_queries(
    django_assert_num_queries, personas, empty_version, version
):
    _rich(version, personas)

    with django_assert_num_queries(EVIDENCE_QUERIES):
        annex_iv_document(empty_version)
    with django_assert_num_queries(EVIDENCE_QUERIES):
        rich = annex_iv_document(version)
    with django_assert_num_queries(EVIDENCE_QUERIES):
        annex_iv_markdown(version)
    assert len(rich.item("9_incidents").facts) == 12


def test_long_lists_keep_their_newest_rows_and_say_so(monkeypatch, version):
    monkeypatch.setattr(evidence, "ROW_LIMIT", 2)
    now = timezone.now()
    for days, endpoint in ((3, "oldest"), (2, "middle"), (1, "newest")):
        DeploymentFactory(
            version=version, endpoint=endpoint, reported_at=now - datetime.timedelta(days=days)
        )

    document = annex_iv_document(version)

    served = document.item("1b").facts[0].value
    assert [row[0] for row in served.rows] == ["middle", "newest"]
    assert document.preamble[-1].value == ("only the newest 2 of these are listed: deployments")
