"""The review UI's four browser scenarios (issue 3), driven through accessible roles and
labels against live_server. Data comes from factories and the services, as the fraud team
would have made it; each test ends with no CSP violation reported by the browser."""

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from governance.models import (
    ApprovalRequest,
    ApprovalStatus,
    ModelVersion,
    RiskLevel,
    Stage,
    Team,
)
from governance.services.approvals import approval_decide
from tests.browser.support import sign_in_to_dashboard as sign_in
from tests.browser.support import watch_csp
from tests.factories import COMPLETE_CARD, ModelVersionFactory, RegisteredModelFactory
from tests.workflows import promote, request_promotion

pytestmark = pytest.mark.browser

MODEL = "customer-churn-predictor"


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to Tutela")).to_be_visible()


def open_from_queue(page: Page, request: ApprovalRequest) -> None:
    """Reviews in the main navigation, then the request among those awaiting me."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reviews").click()
    awaiting = page.get_by_role("table", name=re.compile("^Awaiting my decision"))
    awaiting.get_by_role("link", name=f"#{request.pk}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Request #{request.pk}")


def version_row(region: Locator, version: str) -> Locator:
    """The row of one version in a table whose row headers are version numbers."""
    return region.get_by_role("row").filter(has=region.page.get_by_role("rowheader", name=version))


def new_version(team: Team, personas: dict, risk: str, stage: str, **card: object) -> ModelVersion:
    """Version 2.5.0 of the fraud team's churn model, owned by lead, with a complete card."""
    model = RegisteredModelFactory(name=MODEL, team=team, owner=personas["lead"], risk_level=risk)
    return ModelVersionFactory(model=model, version="2.5.0", stage=stage, complete=True, **card)


def test_risk_officer_approves_a_production_request_from_the_queue(
    page: Page, team: Team, personas: dict, csp_violations: list[str]
):
    new = new_version(
        team, personas, RiskLevel.MEDIUM, Stage.STAGING, evaluation_metrics={"accuracy": 0.93}
    )
    old = ModelVersionFactory(model=new.model, version="2.4.1", stage=Stage.STAGING, complete=True)
    promote(old, personas, Stage.PRODUCTION)
    request = request_promotion(new, personas, Stage.PRODUCTION)
    approval_decide(
        actor=personas["lead2"],
        request_id=request.pk,
        approve=True,
        note="Card read.",
        role="ml_lead",
    )

    sign_in(page, "risk_officer")
    open_from_queue(page, request)

    # The diff against production shows what changed: the new evaluation metrics.
    diff = page.get_by_role("table", name="Changed fields against production")
    metrics_row = diff.get_by_role("row", name=re.compile("evaluation_metrics"))
    expect(metrics_row).to_contain_text("0.91")
    expect(metrics_row).to_contain_text("0.93")
    state = page.locator("#review-state")
    expect(state).to_contain_text("approved by lead2")

    page.get_by_label("Notes").fill("Accuracy improved; limitations unchanged.")
    page.get_by_role("button", name="Approve").click()

    expect(page.get_by_role("status")).to_contain_text(
        re.compile(rf"You approved request #{request.pk}\b.* approved.* 2\.5\.0 .*production")
    )
    expect(state).to_contain_text("approved by risk_officer")

    page.get_by_role("link", name=MODEL, exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(MODEL)
    versions = page.get_by_role("region", name="Versions")
    expect(version_row(versions, "2.5.0").get_by_role("cell").first).to_have_text("production")
    expect(version_row(versions, "2.4.1").get_by_role("cell").first).to_have_text("deprecated")
    new.refresh_from_db()
    old.refresh_from_db()
    assert (new.stage, old.stage) == (Stage.PRODUCTION, Stage.DEPRECATED)
    assert csp_violations == []


def test_ml_lead_fixes_a_card_error_then_requests_production(
    page: Page, team: Team, personas: dict, csp_violations: list[str]
):
    version = new_version(team, personas, RiskLevel.MEDIUM, Stage.STAGING, known_limitations=[])
    version_url = f"/models/{MODEL}/versions/2.5.0/"

    sign_in(page, "lead")
    page.goto(version_url)
    page.get_by_role("link", name="Request promotion to production").click()
    expect(page.get_by_role("region", name="Card check")).to_contain_text("known_limitations")
    page.get_by_role("link", name="Complete the card").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Edit the model card")

    metrics = page.get_by_role("group", name="Evaluation metrics")
    # The row of accuracy (PostgreSQL's jsonb orders the keys differently from SQLite).
    accuracy_row = metrics.get_by_role("row").filter(has=page.locator('input[value="accuracy"]'))
    accuracy = accuracy_row.get_by_label(re.compile(r"^Value, row \d+$"))
    accuracy.fill("ninety-three")
    page.get_by_label("Known limitations").fill("Less accurate for customers under 3 months")
    page.get_by_role("button", name="Save the card").click()

    expect(page.get_by_role("alert").first).to_be_visible()
    expect(metrics).to_contain_text("'ninety-three' is not a number")
    expect(page.locator("#messages")).to_contain_text("The card was not saved")
    version.refresh_from_db()
    assert version.card_revision == 1

    accuracy.fill("0.93")
    page.get_by_role("button", name="Save the card").click()
    expect(page.locator("#messages")).to_contain_text("Saved the card of")

    page.get_by_role("link", name="Request promotion to production").click()
    approvers = page.get_by_role("region", name="Who must approve")
    expect(approvers.get_by_role("listitem")).to_have_text(["ML lead", "Risk officer"])
    expect(page.get_by_role("region", name="Card check")).to_contain_text(
        "The card has every field a production request needs."
    )
    page.get_by_label("Justification").fill("Better accuracy on the September data.")
    page.get_by_role("button", name="Request production").click()

    expect(page.locator("#messages")).to_contain_text("it needs ML lead, Risk officer")
    slots = page.locator("#review-state .role-slots")
    expect(slots.get_by_role("listitem")).to_have_text(
        [re.compile("ml_lead.*missing"), re.compile("risk_officer.*missing")]
    )
    made = ApprovalRequest.objects.get(version=version)
    assert made.required_roles == ["ml_lead", "risk_officer"]
    version.refresh_from_db()
    assert version.evaluation_metrics["accuracy"] == 0.93
    assert version.known_limitations == ["Less accurate for customers under 3 months"]
    assert csp_violations == []


def test_legal_rejects_a_high_risk_request_and_the_requester_sees_why(
    page: Page, team: Team, personas: dict, csp_violations: list[str]
):
    version = new_version(team, personas, RiskLevel.HIGH, Stage.STAGING)
    request = request_promotion(version, personas, Stage.PRODUCTION)
    for who, role in (("lead2", "ml_lead"), ("risk_officer", "risk_officer")):
        approval_decide(
            actor=personas[who], request_id=request.pk, approve=True, note="", role=role
        )
    notes = "The fairness assessment leaves out customers under 25; add them and ask again."

    sign_in(page, "legal")
    open_from_queue(page, request)
    page.get_by_role("button", name="Reject").click()  # without notes: refused
    expect(page.get_by_role("alert").first).to_contain_text("notes")
    request.refresh_from_db()
    assert request.status == ApprovalStatus.IN_REVIEW

    page.get_by_label("Notes").fill(notes)
    page.get_by_role("button", name="Reject").click()
    expect(page.get_by_role("status")).to_contain_text(f"You rejected request #{request.pk}")
    sign_out(page)

    sign_in(page, "lead")
    mine = page.locator("#my-requests").get_by_role("row").filter(has_text=f"#{request.pk}")
    expect(mine).to_contain_text("rejected")
    expect(mine).to_contain_text("legal")
    expect(mine).to_contain_text(notes)
    request.refresh_from_db()
    assert request.status == ApprovalStatus.REJECTED
    assert csp_violations == []


def test_the_second_of_two_concurrent_card_edits_is_refused(
    new_context: Callable[..., BrowserContext],
    page: Page,
    team: Team,
    personas: dict,
    csp_violations: list[str],
):
    version = new_version(team, personas, RiskLevel.MEDIUM, Stage.DEVELOPMENT)
    edit_url = f"/models/{MODEL}/versions/2.5.0/edit/"
    other = watch_csp(new_context(), csp_violations)
    second = other.new_page()

    sign_in(page, "lead")
    sign_in(second, "lead2")
    page.goto(edit_url)
    second.goto(edit_url)

    page.get_by_label("Intended use").fill("Score monthly churn risk for retention offers.")
    page.get_by_role("button", name="Save the card").click()
    expect(page.locator("#messages")).to_contain_text("Saved the card of")

    second.get_by_label("Known limitations").fill("Not validated for business customers")
    second.get_by_role("button", name="Save the card").click()

    conflict = second.get_by_role("alert").filter(has_text="Someone saved this card")
    expect(conflict).to_be_visible()
    expect(conflict.get_by_role("link", name="See their change")).to_be_visible()
    expect(second.get_by_label("Known limitations")).to_have_value(
        "Not validated for business customers"
    )
    version.refresh_from_db()
    assert version.intended_use == "Score monthly churn risk for retention offers."
    assert version.known_limitations == COMPLETE_CARD["known_limitations"]
    assert csp_violations == []
