"""The review queue (/reviews/) and the request page (/reviews/<id>/) with its decide and
revoke actions: who may see and do what, what the pages show, what the actions write, the
htmx fragments, and the query counts."""

import json
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from governance import policies
from governance.exceptions import DomainError
from governance.models import (
    ApprovalDecision,
    ApprovalRequest,
    ApprovalStatus,
    ModelVersion,
    Role,
    Stage,
)
from governance.services.approvals import approval_decide
from governance.services.versions import version_update_card
from tests.db_state import audit_mark, new_events, nothing_written, row_counts
from tests.factories import (
    COMPLETE_CARD,
    ApprovalRequestFactory,
    DeploymentFactory,
    ModelVersionFactory,
    RegisteredModelFactory,
    UserFactory,
    grant,
)
from tests.web import sign_in, text
from tests.workflows import request_promotion

QUEUE = "/reviews/"
HTMX = {"HTTP_HX_REQUEST": "true"}
REQUESTER_REFUSAL = "You requested this promotion; another reviewer must decide."
NOTES_REFUSAL = "notes: Say why; this is kept in the audit trail."


def page_url(request: ApprovalRequest) -> str:
    return f"/reviews/{request.pk}/"


@pytest.fixture
def production_version(model) -> ModelVersion:
    """2.3.0 serves production; its card differs from 2.4.1's in three fields."""
    card = {
        **COMPLETE_CARD,
        "intended_use": "Score churn risk of retail customers.",
        "evaluation_metrics": {"accuracy": 0.89, "auc": 0.94},
        "known_limitations": ["Untested on business customers"],
    }
    return ModelVersionFactory(model=model, version="2.3.0", stage=Stage.PRODUCTION, **card)


@pytest.fixture
def staging_version(model) -> ModelVersion:
    return ModelVersionFactory(model=model, version="2.4.1", stage=Stage.STAGING, complete=True)


@pytest.fixture
def production_request(staging_version, production_version, personas) -> ApprovalRequest:
    """An open production request by lead on a medium-risk model: ml_lead + risk_officer."""
    return request_promotion(staging_version, personas, Stage.PRODUCTION)


@pytest.fixture
def approved_request(production_request, personas) -> ApprovalRequest:
    """lead2 (ml_lead) approved; risk_officer's approval put 2.4.1 in production."""
    for who, role in (("lead2", "ml_lead"), ("risk_officer", "risk_officer")):
        approval_decide(
            actor=personas[who], request_id=production_request.pk, approve=True, note="", role=role
        )
    production_request.refresh_from_db()
    return production_request


def decide(client: Client, request: ApprovalRequest, decision: str, notes: str = "", **extra):
    data = {"decision": decision, "notes": notes, **extra.pop("data", {})}
    return client.post(reverse("governance:review-decide", args=[request.pk]), data, **extra)


def revoke(client: Client, request: ApprovalRequest, reason: str, **extra):
    url = reverse("governance:review-revoke", args=[request.pk])
    return client.post(url, {"reason": reason}, **extra)


# --- permission matrices --------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status", "sees_request"),
    [
        ("anonymous", 302, False),
        ("no_role", 200, False),
        ("other_team_lead", 200, False),
        ("engineer", 200, True),
        ("lead", 200, True),
        ("risk_officer", 200, True),
        ("legal", 200, True),
        ("auditor", 200, True),
        ("admin", 200, True),
    ],
)
def test_queue_permissions(client, personas, production_request, persona, status, sees_request):
    response = sign_in(client, personas, persona).get(QUEUE)

    assert response.status_code == status
    assert (f'href="{page_url(production_request)}"' in text(response)) is sees_request
    if persona == "anonymous":
        assert response["Location"] == "/accounts/login/?next=/reviews/"


@pytest.mark.parametrize(
    ("persona", "awaits"),
    [
        ("no_role", False),
        ("other_team_lead", False),
        ("engineer", False),
        ("lead", False),  # the requester
        ("lead2", True),
        ("risk_officer", True),
        ("legal", False),  # medium risk: legal is not required
        ("auditor", False),
        ("admin", False),
    ],
)
def test_queue_lists_what_awaits_my_decision_first(
    client, personas, production_request, persona, awaits
):
    response = sign_in(client, personas, persona).get(QUEUE)

    awaiting = response.context["queue"].awaiting
    assert [row.request for row in awaiting] == ([production_request] if awaits else [])
    awaiting_html = text(response).split('id="all-requests"')[0]
    assert (f'href="{page_url(production_request)}"' in awaiting_html) is awaits


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 302),
        ("no_role", 404),
        ("other_team_lead", 404),
        ("engineer", 200),
        ("lead", 200),
        ("risk_officer", 200),
        ("legal", 200),
        ("auditor", 200),
        ("admin", 200),
    ],
)
def test_request_page_permissions(client, personas, production_request, persona, status):
    response = sign_in(client, personas, persona).get(page_url(production_request))

    assert response.status_code == status
    if persona == "anonymous":
        assert response["Location"] == f"/accounts/login/?next={page_url(production_request)}"


@pytest.mark.parametrize(
    ("persona", "decide_buttons", "revoke_button"),
    [
        ("engineer", False, False),
        ("lead", False, False),  # the requester
        ("lead2", True, False),
        ("risk_officer", True, False),
        ("legal", False, False),
        ("auditor", False, False),
        ("admin", False, False),
    ],
)
def test_request_page_shows_only_the_actions_the_policy_allows(
    client, personas, production_request, persona, decide_buttons, revoke_button
):
    html = text(sign_in(client, personas, persona).get(page_url(production_request)))

    assert ('value="approve"' in html) is decide_buttons
    assert ('value="reject"' in html) is decide_buttons
    assert ("Revoke approval" in html) is revoke_button


@pytest.mark.parametrize(
    ("persona", "revoke_button"),
    [
        ("engineer", False),
        ("lead", False),
        ("risk_officer", True),
        ("legal", True),
        ("auditor", False),
        ("admin", False),
    ],
)
def test_revoke_button_on_an_approved_production_request(
    client, personas, approved_request, persona, revoke_button
):
    html = text(sign_in(client, personas, persona).get(page_url(approved_request)))

    assert ("Revoke approval" in html) is revoke_button
    assert 'value="approve"' not in html


def _check_action(response, request: ApprovalRequest, persona: str, status: int, before: dict):
    assert response.status_code == status
    if persona == "anonymous":
        assert response["Location"].startswith("/accounts/login/?next=/reviews/")
    elif status == 302:
        assert response["Location"] == page_url(request)
    if persona == "anonymous" or status != 302:
        assert row_counts() == before, "a refused action wrote rows"


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 302),  # to sign in
        ("no_role", 404),
        ("other_team_lead", 404),
        ("engineer", 403),
        ("lead", 403),  # the requester
        ("lead2", 302),
        ("risk_officer", 302),
        ("legal", 403),
        ("auditor", 403),
        ("admin", 403),
    ],
)
def test_approve_permissions(client, personas, production_request, persona, status):
    before = row_counts()

    response = decide(sign_in(client, personas, persona), production_request, "approve")

    _check_action(response, production_request, persona, status, before)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 302),
        ("no_role", 404),
        ("other_team_lead", 404),
        ("engineer", 403),
        ("lead", 403),
        ("lead2", 302),
        ("risk_officer", 302),
        ("legal", 403),
        ("auditor", 403),
        ("admin", 403),
    ],
)
def test_reject_permissions(client, personas, production_request, persona, status):
    before = row_counts()

    response = decide(sign_in(client, personas, persona), production_request, "reject", "Not yet.")

    _check_action(response, production_request, persona, status, before)
    if status == 302 and persona != "anonymous":
        production_request.refresh_from_db()
        assert production_request.status == ApprovalStatus.REJECTED


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 302),
        ("no_role", 404),
        ("other_team_lead", 404),
        ("engineer", 403),
        ("lead", 403),
        ("risk_officer", 302),
        ("legal", 302),
        ("auditor", 403),
        ("admin", 403),
    ],
)
def test_revoke_permissions(client, personas, approved_request, persona, status):
    before = row_counts()

    response = revoke(sign_in(client, personas, persona), approved_request, "Drift in Q3.")

    _check_action(response, approved_request, persona, status, before)


def test_actions_refuse_get(client, personas, production_request):
    sign_in(client, personas, "risk_officer")

    assert client.get(f"{page_url(production_request)}decide/").status_code == 405
    assert client.get(f"{page_url(production_request)}revoke/").status_code == 405


def test_actions_need_the_csrf_token(personas, production_request):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas["risk_officer"])

    with nothing_written():
        response = decide(client, production_request, "approve")

    assert response.status_code == 403
    html = text(client.get(page_url(production_request)))
    form = html.split('class="decide-form"')[1].split("</form>")[0]
    assert 'name="csrfmiddlewaretoken"' in form


# --- the queue --------------------------------------------------------------------------


def test_queue_row_shows_roles_filled_by_whom_and_missing(client, personas, production_request):
    approval_decide(
        actor=personas["lead2"], request_id=production_request.pk, approve=True, note=""
    )

    html = text(sign_in(client, personas, "risk_officer").get(QUEUE))

    row = html.split(f'href="{page_url(production_request)}"')[-1].split("</tr>")[0]
    assert "customer-churn-predictor" in row and "2.4.1" in row
    assert "badge-staging" in row and "badge-production" in row  # from -> target
    assert "badge-in_review" in row
    assert re.search(r"✓</span> ml_lead <span class=\"muted\">approved by lead2", row)
    assert re.search(r"risk_officer <span class=\"muted\">missing", row)
    assert ">lead</td>" in row  # the requester
    assert "<time" in row  # the age


@pytest.mark.parametrize(
    ("status", "listed"),
    [
        ("", True),
        ("open", True),
        ("pending", True),
        ("approved", False),
        ("bogus", True),  # unknown values are ignored
    ],
)
def test_queue_filters_by_status(client, personas, production_request, status, listed):
    response = sign_in(client, personas, "auditor").get(QUEUE, {"status": status})

    assert response.status_code == 200
    assert [row.request for row in response.context["queue"].rows] == (
        [production_request] if listed else []
    )
    assert '<label for="status-filter">Status</label>' in text(response)


def test_queue_is_paginated_by_fifty(client, personas, model):
    for _ in range(51):
        ApprovalRequestFactory(version__model=model, requester=personas["engineer"])
    sign_in(client, personas, "auditor")

    first, second = client.get(QUEUE), client.get(QUEUE, {"page": "2"})

    assert len(first.context["queue"].rows) == 50
    assert len(second.context["queue"].rows) == 1
    assert "Page 1 of 2" in text(first) and 'href="?page=2"' in text(first)
    assert client.get(QUEUE, {"page": "nonsense"}).status_code == 200


def test_queue_panel_lists_what_awaits_me(client, personas, production_request):
    sign_in(client, personas, "risk_officer")

    before = text(client.get(reverse("governance:review-awaiting"), **HTMX))
    decide(client, production_request, "approve", **HTMX)
    after = text(client.get(reverse("governance:review-awaiting"), **HTMX))

    assert f'href="{page_url(production_request)}"' in before
    assert f'href="{page_url(production_request)}"' not in after
    assert "<html" not in after


def test_queue_panel_opened_as_a_page_goes_to_the_queue(client, personas):
    response = sign_in(client, personas, "risk_officer").get(reverse("governance:review-awaiting"))

    assert (response.status_code, response["Location"]) == (302, QUEUE)


# --- the request page -------------------------------------------------------------------


def test_request_page_shows_the_request(client, personas, production_request):
    html = text(sign_in(client, personas, "risk_officer").get(page_url(production_request)))

    assert "customer-churn-predictor" in html and "2.4.1" in html
    assert "badge-medium" in html  # risk
    assert "Ready." in html  # justification
    assert "<dt>Requested by</dt><dd>lead, <time" in html
    assert "Model card" in html and 'id="card-intended_use"' in html
    # After a decision the queue panel and the details below the status refresh themselves.
    assert 'hx-get="/reviews/awaiting/" hx-trigger="load, decision-made from:body"' in html
    assert (
        f'<div id="review-details" hx-get="{page_url(production_request)}" '
        'hx-select="#review-details" hx-swap="outerHTML" hx-trigger="decision-made from:body">'
    ) in html


def test_request_page_escapes_user_text(client, personas, staging_version):
    request = ApprovalRequestFactory(
        version=staging_version,
        requester=personas["engineer"],
        justification='<script>alert("x")</script>',
    )

    html = text(sign_in(client, personas, "risk_officer").get(page_url(request)))

    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html


def test_production_diff_shows_exactly_the_changed_fields(client, personas, production_request):
    response = sign_in(client, personas, "risk_officer").get(page_url(production_request))

    changed = [row.field for row in response.context["page"].production_changes]
    assert changed == ["intended_use", "evaluation_metrics", "known_limitations"]
    section = text(response).split('id="production-diff"')[1].split("</section>")[0]
    shown, hidden = section.split('<details class="diff-unchanged">')
    assert re.findall(r'<th scope="row" class="mono">(\w+)</th>', shown) == changed
    assert "Score churn risk of retail customers." in shown  # old
    assert "Score monthly churn risk" in shown  # new
    assert 'accuracy</span>: <span class="diff-old">0.89</span> → <span class="diff-new">0.91' in (
        shown
    )
    assert "removed Untested on business customers" in shown
    assert "added Less accurate for customers younger than three months" in shown
    assert "auc" not in shown  # unchanged metric
    assert "Show the 15 unchanged fields" in hidden


def test_no_production_diff_without_a_production_version(client, personas, staging_version):
    request = request_promotion(staging_version, personas, Stage.PRODUCTION)

    html = text(sign_in(client, personas, "risk_officer").get(page_url(request)))

    assert "No version of customer-churn-predictor is in production." in html


def test_metrics_shown_next_to_production(client, personas, production_request):
    response = sign_in(client, personas, "risk_officer").get(page_url(production_request))

    metrics = {row.name: row for row in response.context["page"].metrics}
    assert (metrics["accuracy"].value_text, metrics["accuracy"].baseline_text) == ("0.91", "0.89")
    assert metrics["accuracy"].delta_text == "+0.02"
    assert "Production (2.3.0)" in text(response)


def test_deployments_of_the_version_are_listed(client, personas, production_request):
    DeploymentFactory(
        version=production_request.version, endpoint="churn-canary", environment="staging"
    )

    html = text(sign_in(client, personas, "risk_officer").get(page_url(production_request)))

    assert "churn-canary" in html


def test_earlier_approval_diff_after_a_card_edit_restarted_the_review(
    client, personas, production_request
):
    approval_decide(
        actor=personas["lead2"], request_id=production_request.pk, approve=True, note="Fine."
    )
    version_update_card(
        actor=personas["lead"],
        version_id=production_request.version_id,
        changes={"known_limitations": ["Less accurate for new customers", "Not for B2B"]},
    )

    response = sign_in(client, personas, "risk_officer").get(page_url(production_request))

    html = text(response)
    assert "Decisions before the review restarted" in html
    earlier = html.split('id="earlier-diff"')[1].split("</section>")[0]
    assert "lead2 approved as ml_lead" in earlier
    assert re.findall(r'<th scope="row" class="mono">(\w+)</th>', earlier) == ["known_limitations"]
    assert "removed Less accurate for customers younger than three months" in earlier
    assert "added Not for B2B" in earlier
    assert "Decided on (revision 1)" in earlier and "Now (revision 2)" in earlier


def test_earlier_card_that_cannot_be_found_is_said(client, personas, production_request):
    ApprovalDecision.objects.create(
        request=production_request,
        approver=personas["lead2"],
        role=Role.ML_LEAD,
        decision="approved",
        card_hash="0" * 64,
    )

    html = text(sign_in(client, personas, "risk_officer").get(page_url(production_request)))

    assert "The earlier card could not be found" in html


def test_no_earlier_diff_while_the_card_is_unchanged(client, personas, production_request):
    approval_decide(
        actor=personas["lead2"], request_id=production_request.pk, approve=True, note=""
    )

    html = text(sign_in(client, personas, "risk_officer").get(page_url(production_request)))

    assert 'id="earlier-diff"' not in html


# --- decisions --------------------------------------------------------------------------


def test_approve_completing_a_production_request_promotes_and_deprecates(
    client, personas, production_request, production_version
):
    approval_decide(
        actor=personas["lead2"], request_id=production_request.pk, approve=True, note=""
    )
    sign_in(client, personas, "risk_officer")
    mark = audit_mark()

    response = decide(client, production_request, "approve", "Reviewed the diff.")

    assert response.status_code == 302
    production_request.refresh_from_db()
    production_version.refresh_from_db()
    assert production_request.status == ApprovalStatus.APPROVED
    assert production_request.version.stage == Stage.PRODUCTION
    assert production_version.stage == Stage.DEPRECATED
    assert [event[0] for event in new_events(mark)] == [
        "approval.decision",
        "approval.approved",
        "model.deprecated",
        "model.stage_changed",
    ]
    page = text(client.get(response["Location"]))
    assert "You approved request" in page and "It is now approved" in page
    changes = page.split("Stage changes made by this request")[1].split("</ul>")[0]
    deprecated, promoted = changes.split("<li>")[1:]
    assert re.search(r"2\.3\.0</span>: .*badge-production.*→.*badge-deprecated", deprecated, re.S)
    assert re.search(r"2\.4\.1</span>: .*badge-staging.*→.*badge-production", promoted, re.S)


def test_htmx_approve_answers_with_the_fragment_and_messages(
    client, personas, production_request, production_version
):
    approval_decide(
        actor=personas["lead2"], request_id=production_request.pk, approve=True, note=""
    )
    sign_in(client, personas, "risk_officer")

    response = decide(client, production_request, "approve", **HTMX)

    html = text(response)
    assert response.status_code == 200
    assert "<html" not in html and "<body" not in html
    assert html.lstrip().startswith('<section class="panel" id="review-state"')
    assert '<div id="messages" class="messages" aria-live="polite" hx-swap-oob="true">' in html
    assert "You approved request" in html
    assert "badge-deprecated" in html  # 2.3.0 left production, on this very response
    assert "decision-made" in json.loads(response["HX-Trigger"])
    assert 'value="approve"' not in html  # nothing left to decide
    # The message was shown once: the next page load does not repeat it.
    assert "You approved request" not in text(client.get(page_url(production_request)))


def test_partial_approval_leaves_the_request_in_review(client, personas, production_request):
    sign_in(client, personas, "lead2")
    mark = audit_mark()

    response = decide(client, production_request, "approve", "Lead sign-off.", **HTMX)

    assert response.status_code == 200
    production_request.refresh_from_db()
    assert production_request.status == ApprovalStatus.IN_REVIEW
    assert new_events(mark)[0][:2] == ("approval.decision", "lead2")
    assert "Lead sign-off." in text(response)


def test_reject_without_notes_is_refused_and_nothing_written(client, personas, production_request):
    sign_in(client, personas, "risk_officer")

    with nothing_written():
        response = decide(client, production_request, "reject", "  ")

    assert response.status_code == 400
    assert f'role="alert">{NOTES_REFUSAL}</p>' in text(response)  # the flash message
    assert f"Refused: {NOTES_REFUSAL}" in text(response)  # and next to the form
    assert 'value="reject"' in text(response)  # the form is still there
    production_request.refresh_from_db()
    assert production_request.status == ApprovalStatus.PENDING


def test_htmx_refusal_is_a_fragment_with_the_message(client, personas, production_request):
    sign_in(client, personas, "risk_officer")

    with nothing_written():
        response = decide(client, production_request, "reject", "", **HTMX)

    html = text(response)
    assert response.status_code == 400
    assert "<html" not in html
    assert 'hx-swap-oob="true"' in html and NOTES_REFUSAL in html
    assert "HX-Trigger" not in response


def test_reject_with_notes_rejects(client, personas, production_request):
    sign_in(client, personas, "risk_officer")
    mark = audit_mark()

    decide(client, production_request, "reject", "Fairness review missing.")

    production_request.refresh_from_db()
    assert production_request.status == ApprovalStatus.REJECTED
    assert [event[0] for event in new_events(mark)] == ["approval.decision", "approval.rejected"]
    html = text(client.get(page_url(production_request)))
    assert "Fairness review missing." in html and "You rejected request" in html


def test_requester_sees_no_decide_buttons_and_is_refused(client, personas, production_request):
    sign_in(client, personas, "lead")

    html = text(client.get(page_url(production_request)))
    with nothing_written():
        refused = decide(client, production_request, "approve", "Mine.")

    assert 'value="approve"' not in html and 'value="reject"' not in html
    assert refused.status_code == 403
    assert REQUESTER_REFUSAL in text(refused)


def test_an_unknown_decision_is_refused(client, personas, production_request):
    sign_in(client, personas, "risk_officer")

    with nothing_written():
        response = decide(client, production_request, "maybe")

    assert response.status_code == 400
    assert "Choose approved or rejected." in text(response)


def test_person_with_several_missing_roles_chooses_one(client, personas, production_request):
    both = UserFactory(username="lead_and_risk")
    grant(both, Role.ML_LEAD, production_request.version.model.team)
    grant(both, Role.RISK_OFFICER, production_request.version.model.team)
    sign_in(client, {"both": both}, "both")

    html = text(client.get(page_url(production_request)))
    with nothing_written():
        unchosen = decide(client, production_request, "approve", "My notes.")
    chosen = decide(client, production_request, "approve", data={"role": "risk_officer"})

    assert '<label for="decide-role">Decide as</label>' in html
    assert unchosen.status_code == 409
    assert "choose the one you decide in" in text(unchosen)
    assert "My notes.</textarea>" in text(unchosen)  # what was typed survives the refusal
    assert chosen.status_code == 302
    assert production_request.decisions.get().role == Role.RISK_OFFICER


def test_single_role_needs_no_choice(client, personas, production_request):
    html = text(sign_in(client, personas, "risk_officer").get(page_url(production_request)))

    assert 'name="role"' not in html
    assert "You decide as <strong>risk_officer</strong>" in html


@pytest.mark.parametrize(
    "persona",
    ["engineer", "lead", "lead2", "risk_officer", "legal", "auditor", "admin", "global_risk"],
)
def test_decidable_roles_agrees_with_require_can_decide(personas, production_request, persona):
    user = personas[persona]
    request = ApprovalRequest.objects.get(pk=production_request.pk)

    roles = policies.decidable_roles(user, request)

    for role in request.required_roles:
        assert (Role(role) in roles) is policies.can(
            policies.require_can_decide, user, request, role
        )
    if len(roles) == 1:
        assert policies.require_can_decide(user, request, None) in roles
    if not roles:
        with pytest.raises((DomainError, PermissionDenied)):
            policies.require_can_decide(user, request, None)


# --- revoke -----------------------------------------------------------------------------


def test_revoke_by_risk_officer_moves_the_version_out_of_production(
    client, personas, approved_request
):
    sign_in(client, personas, "risk_officer")
    mark = audit_mark()

    response = revoke(client, approved_request, "Accuracy fell below the floor.", **HTMX)

    approved_request.refresh_from_db()
    assert approved_request.status == ApprovalStatus.REVOKED
    assert approved_request.version.stage == Stage.DEPRECATED
    assert [event[0] for event in new_events(mark)] == ["approval.revoked", "model.deprecated"]
    html = text(response)
    assert response.status_code == 200 and "decision-made" in json.loads(response["HX-Trigger"])
    assert "badge-revoked" in html and "Accuracy fell below the floor." in html
    assert "You revoked request" in html and "Revoke approval" not in html


def test_revoke_without_reason_is_refused(client, personas, approved_request):
    sign_in(client, personas, "legal")

    with nothing_written():
        response = revoke(client, approved_request, "")

    assert response.status_code == 400
    assert "reason: Say why; this is kept in the audit trail." in text(response)


def test_revoke_of_an_open_request_is_refused(client, personas, production_request):
    sign_in(client, personas, "risk_officer")

    with nothing_written():
        response = revoke(client, production_request, "No.", **HTMX)

    assert response.status_code == 409
    assert "Only approved production requests can be revoked" in text(response)


# --- query counts -----------------------------------------------------------------------


def _requests(count: int, personas: dict, team) -> ApprovalRequest:  # noqa: ANN001
    """count open production requests on count models, each with an ml_lead approval."""
    request = None
    for _ in range(count):
        model = RegisteredModelFactory(team=team, owner=personas["lead"])
        version = ModelVersionFactory(model=model, stage=Stage.STAGING, complete=True)
        request = ApprovalRequestFactory(
            version=version,
            target_stage=Stage.PRODUCTION,
            requester=personas["lead"],
            required_roles=["ml_lead", "risk_officer"],
            status=ApprovalStatus.IN_REVIEW,
        )
        ApprovalDecision.objects.create(
            request=request,
            approver=personas["lead2"],
            role=Role.ML_LEAD,
            decision="approved",
            card_hash=request.card_hash,
        )
    return request


@pytest.mark.parametrize("count", [2, 200])
@pytest.mark.parametrize("persona", ["risk_officer", "global_risk", "auditor"])
def test_queue_query_count_does_not_grow(
    client, personas, team, django_assert_max_num_queries, count, persona
):
    _requests(count, personas, team)
    sign_in(client, personas, persona)

    with django_assert_max_num_queries(15):
        response = client.get(QUEUE)

    assert response.status_code == 200
    assert len(response.context["queue"].rows) == min(count, 50)


@pytest.mark.parametrize("count", [2, 200])
@pytest.mark.parametrize("persona", ["risk_officer", "global_risk", "lead2"])
def test_request_page_query_count_does_not_grow(
    client, personas, team, production_request, django_assert_max_num_queries, count, persona
):
    _requests(count, personas, team)
    DeploymentFactory(version=production_request.version)
    approval_decide(
        actor=personas["lead2"], request_id=production_request.pk, approve=True, note=""
    )
    version_update_card(  # restarts the review: superseded decisions and the earlier diff
        actor=personas["lead"],
        version_id=production_request.version_id,
        changes={"known_limitations": ["Not for B2B"]},
    )
    sign_in(client, personas, persona)

    with django_assert_max_num_queries(15):
        response = client.get(page_url(production_request))

    assert response.status_code == 200
    assert response.context["page"].earlier.found


@pytest.mark.parametrize("persona", ["risk_officer", "legal"])
def test_approved_request_page_query_count(
    client, personas, approved_request, django_assert_max_num_queries, persona
):
    sign_in(client, personas, persona)

    with django_assert_max_num_queries(15):
        response = client.get(page_url(approved_request))

    assert response.status_code == 200
    assert response.context["page"].state.stage_changes


def test_an_htmx_refusal_is_marked_as_a_fragment_for_the_swap(client, personas, production_request):
    client.force_login(personas["lead"])  # the requester: refused

    response = decide(client, production_request, "approve", **HTMX)

    assert (response.status_code, response["X-Tutela-Fragment"]) == (403, "1")
