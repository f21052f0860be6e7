"""The promotion request page (/models/<name>/versions/<version>/request/): who may open it
and ask, the roles the policy will require, what the card lacks, rollbacks, and every
refusal shown with nothing written."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from governance.models import (
    ApprovalRequest,
    AuditEventType,
    ModelVersion,
    RiskLevel,
    Stage,
)
from tests.db_state import audit_mark, new_events, nothing_written
from tests.factories import ModelVersionFactory
from tests.workflows import request_promotion

REQUEST = "/models/customer-churn-predictor/versions/2.4.1/request/"
EDIT = "/models/customer-churn-predictor/versions/2.4.1/edit/"
FORM = 'name="justification"'  # the request form's textarea


def set_stage(version: ModelVersion, stage: str, days_ago: float = 0) -> None:
    """Test set-up only: put a version in a stage without the lifecycle."""
    ModelVersion.objects.filter(pk=version.pk).update(
        stage=stage, stage_changed_at=timezone.now() - timedelta(days=days_ago)
    )
    version.refresh_from_db()


def set_risk(version: ModelVersion, risk: str) -> None:
    version.model.risk_level = risk
    version.model.save(update_fields=["risk_level"])


def flashes(response) -> list[str]:  # noqa: ANN001
    return [str(message) for message in get_messages(response.wsgi_request)]


def section(response, heading_id: str) -> str:  # noqa: ANN001
    page = response.content.decode()
    start = page.index(f'id="{heading_id}"')
    return page[start : page.index("</section>", start)]


# --- who may open it and ask -------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 302),
        ("no_role", 404),
        ("other_team_lead", 404),
        ("engineer", 200),
        ("lead", 200),
        ("risk_officer", 403),
        ("legal", 403),
        ("auditor", 403),
        ("admin", 403),
    ],
)
def test_open_request_page_permissions(client, personas, version, persona, status):
    if persona != "anonymous":
        client.force_login(personas[persona])

    response = client.get(REQUEST)

    assert response.status_code == status
    if status == 302:
        assert response["Location"] == f"/accounts/login/?next={REQUEST}"
    if status == 403:
        assert (
            "To request staging you need one of these roles on customer-churn-predictor: "
            "ml_engineer, ml_lead." in response.content.decode()
        )


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 302),
        ("no_role", 404),
        ("other_team_lead", 404),
        ("engineer", 302),
        ("lead", 302),
        ("risk_officer", 403),
        ("legal", 403),
        ("auditor", 403),
        ("admin", 403),
    ],
)
def test_request_staging_permissions(client, personas, version, persona, status):
    if persona != "anonymous":
        client.force_login(personas[persona])
    data = {"target_stage": "staging", "justification": "Ready for staging."}

    if persona in ("engineer", "lead"):
        response = client.post(REQUEST, data)
        made = ApprovalRequest.objects.get()
        assert (made.requester, made.target_stage) == (personas[persona], "staging")
        assert response["Location"] == f"/reviews/{made.pk}/"
    else:
        with nothing_written():
            response = client.post(REQUEST, data)

    assert response.status_code == status


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("engineer", 403),
        ("lead", 200),
        ("risk_officer", 403),
    ],
)
def test_only_leads_open_a_production_request(client, personas, version, persona, status):
    set_stage(version, Stage.STAGING)
    client.force_login(personas[persona])

    assert client.get(REQUEST).status_code == status
    if status == 403:
        with nothing_written():
            posted = client.post(REQUEST, {"target_stage": "production", "justification": "Go."})
        assert posted.status_code == 403


# --- what the page shows -----------------------------------------------------------------


def test_staging_request_shows_the_engineer_role_and_no_card_check(client, personas, version):
    client.force_login(personas["engineer"])

    response = client.get(REQUEST)

    assert "<li>ML engineer</li>" in section(response, "approvers")
    assert 'id="card-check"' not in response.content.decode()
    assert FORM in response.content.decode()
    assert '<input type="hidden" name="target_stage" value="staging"' in response.content.decode()


@pytest.mark.parametrize(
    ("risk", "roles"),
    [
        (RiskLevel.MEDIUM, ["ML lead", "Risk officer"]),
        (RiskLevel.HIGH, ["ML lead", "Risk officer", "Legal"]),
        (RiskLevel.CRITICAL, ["ML lead", "Risk officer", "Legal"]),
    ],
)
def test_production_request_shows_the_roles_for_the_risk_level(
    client, personas, version, risk, roles
):
    set_stage(version, Stage.STAGING)
    set_risk(version, risk)
    client.force_login(personas["lead"])

    response = client.get(REQUEST)

    approvers = section(response, "approvers")
    assert [
        role for role in ("ML lead", "Risk officer", "Legal") if f"<li>{role}</li>" in approvers
    ] == roles
    assert f"The policy for production at {risk} risk." in approvers
    assert "The card has every field a production request needs." in section(response, "card-check")


def test_missing_card_fields_link_to_the_editor_and_block_the_request(client, personas, model):
    ModelVersionFactory(
        model=model, version="3.0.0", stage=Stage.STAGING, intended_use="Scores churn."
    )
    set_risk(ModelVersion.objects.get(version="3.0.0"), RiskLevel.HIGH)
    url = "/models/customer-churn-predictor/versions/3.0.0/request/"
    edit = "/models/customer-churn-predictor/versions/3.0.0/edit/"
    client.force_login(personas["lead"])

    response = client.get(url)

    check = section(response, "card-check")
    for field in ("out_of_scope_uses", "training_date", "evaluation_metrics"):
        assert f'<a href="{edit}#field-{field}">{field}</a>' in check
    assert f'href="{edit}#field-intended_use"' not in check
    assert (
        f'<a href="{edit}#field-performance_by_group">performance_by_group or '
        "fairness_assessment</a>" in check
    )
    assert FORM not in response.content.decode()
    assert "You cannot request this now: Card incomplete: out_of_scope_uses" in section(
        response, "submit"
    )


def test_rollback_shows_its_roles_whatever_the_risk_and_the_grace_period_end(
    client, personas, version
):
    set_stage(version, Stage.DEPRECATED, days_ago=2)
    set_risk(version, RiskLevel.HIGH)
    ends = version.stage_changed_at + timedelta(days=version.model.grace_period_days)
    client.force_login(personas["lead"])

    response = client.get(REQUEST)

    page = response.content.decode()
    assert "Rollback to production" in page
    assert f'grace period ends on\n        <time datetime="{ends.isoformat()}">' in page
    approvers = section(response, "approvers")
    assert "<li>ML lead</li>" in approvers and "<li>Risk officer</li>" in approvers
    assert "<li>Legal</li>" not in approvers
    assert "A rollback is approved by these roles, whatever the model's risk level." in approvers
    assert "Request rollback</button>" in page


def test_rollback_after_the_grace_period_is_refused(client, personas, version):
    set_stage(version, Stage.DEPRECATED, days_ago=40)
    client.force_login(personas["lead"])

    page = client.get(REQUEST).content.decode()
    with nothing_written():
        posted = client.post(REQUEST, {"target_stage": "production", "justification": "Back."})

    assert FORM not in page
    assert "The grace period of customer-churn-predictor 2.4.1 ended on" in page
    assert posted.status_code == 409


@pytest.mark.parametrize("stage", [Stage.PRODUCTION, Stage.RETIRED])
def test_nothing_can_be_requested_from_production_or_retired(client, personas, version, stage):
    set_stage(version, stage)
    client.force_login(personas["lead"])

    response = client.get(REQUEST)
    with nothing_written():
        posted = client.post(REQUEST, {"target_stage": "production", "justification": "Again."})

    assert response.status_code == 200
    assert (
        f"customer-churn-predictor 2.4.1 is {stage}: nothing can be requested from this stage."
        in section(response, "nothing-to-request")
    )
    assert FORM not in response.content.decode()
    assert posted.status_code == 409
    assert flashes(posted) == [
        f"Nothing was requested. customer-churn-predictor 2.4.1 is {stage}; it cannot move to "
        f"production. Allowed from {stage}: "
        + ("deprecated." if stage == Stage.PRODUCTION else "none (retired is final).")
    ]


# --- submitting --------------------------------------------------------------------------


def test_request_redirects_to_the_new_request_with_its_audit_event(client, personas, version):
    set_stage(version, Stage.STAGING)
    client.force_login(personas["lead"])
    mark = audit_mark()

    response = client.post(
        REQUEST, {"target_stage": "production", "justification": "Beats 2.3 on AUC."}
    )

    made = ApprovalRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reviews/{made.pk}/"
    assert flashes(response) == [
        f"Request #{made.pk} to move customer-churn-predictor 2.4.1 to production is open; "
        "it needs ML lead, Risk officer."
    ]
    [(event_type, actor, _, version_id, request_id, details)] = new_events(mark)
    assert (event_type, actor, version_id, request_id) == (
        AuditEventType.APPROVAL_REQUESTED,
        "lead",
        version.pk,
        made.pk,
    )
    assert details["justification"] == "Beats 2.3 on AUC."
    assert details["required_roles"] == ["ml_lead", "risk_officer"]


def test_rollback_request_goes_through_version_rollback(client, personas, version):
    set_stage(version, Stage.DEPRECATED, days_ago=1)
    set_risk(version, RiskLevel.CRITICAL)
    client.force_login(personas["lead"])

    response = client.post(REQUEST, {"target_stage": "production", "justification": "2.5 fails."})

    made = ApprovalRequest.objects.get()
    assert response["Location"] == f"/reviews/{made.pk}/"
    assert (made.from_stage, made.target_stage, made.required_roles) == (
        "deprecated",
        "production",
        ["ml_lead", "risk_officer"],
    )


def test_justification_is_required(client, personas, version):
    client.force_login(personas["engineer"])

    with nothing_written():
        response = client.post(REQUEST, {"target_stage": "staging", "justification": "  "})

    assert response.status_code == 400
    page = response.content.decode()
    start = page.index('id="field-justification"')
    assert "This field is required." in page[start : page.index("</div>", start) + 200]
    assert flashes(response) == ["Nothing was requested: correct the fields marked below."]


def test_incomplete_card_is_refused_with_nothing_written(client, personas, version):
    set_stage(version, Stage.STAGING)
    ModelVersion.objects.filter(pk=version.pk).update(known_limitations=[], training_date=None)
    client.force_login(personas["lead"])

    with nothing_written():
        response = client.post(REQUEST, {"target_stage": "production", "justification": "Go."})

    assert response.status_code == 409
    assert flashes(response) == [
        "Nothing was requested. Card incomplete: training_date, known_limitations."
    ]


def test_already_open_request_is_linked_and_a_second_one_refused(client, personas, version):
    made = request_promotion(version, personas, Stage.STAGING)
    client.force_login(personas["lead"])

    page = client.get(REQUEST)
    with nothing_written():
        response = client.post(REQUEST, {"target_stage": "staging", "justification": "Again."})

    assert f'Request <a href="/reviews/{made.pk}/">#{made.pk}</a>' in section(page, "submit")
    assert FORM not in page.content.decode()
    assert response.status_code == 409
    assert flashes(response) == [
        f"Nothing was requested. Request #{made.pk} to move customer-churn-predictor 2.4.1 "
        "to staging is already open."
    ]


def test_a_stale_page_does_not_request_the_next_stage(client, personas, version):
    """The page was read in development; the version reached staging in between."""
    set_stage(version, Stage.STAGING)
    client.force_login(personas["lead"])

    with nothing_written():
        response = client.post(REQUEST, {"target_stage": "staging", "justification": "Go."})

    assert response.status_code == 409
    assert "cannot move to staging" in flashes(response)[0]


@pytest.mark.parametrize("other_models", [2, 30])
def test_request_page_queries_are_bounded(
    client, personas, version, other_models, django_assert_max_num_queries
):
    for index in range(other_models):
        ModelVersionFactory(model__team=version.model.team, model__name=f"other-{index}")
    set_stage(version, Stage.STAGING)
    client.force_login(personas["lead"])

    with django_assert_max_num_queries(15):
        assert client.get(REQUEST).status_code == 200
    with django_assert_max_num_queries(15):
        assert client.post(REQUEST, {"target_stage": "production"}).status_code == 400
