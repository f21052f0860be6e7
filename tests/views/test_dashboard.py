"""The dashboard (/): who may see it, what each block shows (only what the person may see,
and a clear message when a block is empty), the shadow-deployment and review-schedule rules
behind two of the blocks, and a query count that does not grow with the number of models."""

import datetime
from unittest import mock

import pytest
from django.utils import timezone

from governance import audit, policies
from governance.models import (
    ApprovalRequest,
    ApprovalStatus,
    AuditEventType,
    Deployment,
    Environment,
    ModelVersion,
    ReviewSchedule,
    RiskLevel,
    Role,
    Stage,
)
from governance.services.versions import version_deprecate, version_update_card
from tests.factories import (
    COMPLETE_CARD,
    ApprovalRequestFactory,
    DeploymentFactory,
    ModelVersionFactory,
    RegisteredModelFactory,
    RetirementAlertFactory,
    SeriousIncidentFactory,
)
from tests.web import sign_in, text
from tests.workflows import promote, request_promotion

DASHBOARD = "/"
DAYS = datetime.timedelta(days=1)
EMPTY_MESSAGES = (
    "Nothing awaits your decision.",
    "No open requests.",
    "No open retirement alerts.",
    "No shadow deployments.",
    "No review is overdue.",
    "No audit events you may see yet.",
)


def days_ago(days: int) -> datetime.datetime:
    return timezone.now() - days * DAYS


@pytest.fixture
def production(model) -> ModelVersion:
    """2.3.0 went to production 100 days ago and is reviewed quarterly: its review is due."""
    return ModelVersionFactory(
        model=model,
        version="2.3.0",
        stage=Stage.PRODUCTION,
        stage_changed_at=days_ago(100),
        review_schedule=ReviewSchedule.QUARTERLY,
        **COMPLETE_CARD,
    )


@pytest.fixture
def staging(model) -> ModelVersion:
    return ModelVersionFactory(model=model, version="2.5.0", stage=Stage.STAGING, complete=True)


@pytest.fixture
def open_request(staging, production, personas) -> ApprovalRequest:
    """lead asks for production (medium risk): ml_lead and risk_officer must approve."""
    return request_promotion(staging, personas, Stage.PRODUCTION)


@pytest.fixture
def marketing(other_team, personas) -> ModelVersion:
    """The other team's production version with an alert, a shadow and an event."""
    model = RegisteredModelFactory(
        name="campaign-uplift", team=other_team, owner=personas["other_team_lead"]
    )
    version = ModelVersionFactory(
        model=model, version="9.9.9", stage=Stage.PRODUCTION, stage_changed_at=days_ago(400)
    )
    RetirementAlertFactory(version=version)
    DeploymentFactory(version=ModelVersionFactory(model=model, version="10.0.0"))
    audit.record(
        event_type=AuditEventType.MODEL_UPDATED,
        actor=personas["other_team_lead"],
        model=model,
        details={"marketing": True},
    )
    return version


@pytest.fixture
def everything(open_request, production, staging, marketing) -> dict:
    """One of every block's rows on the fraud model, and the marketing team's rows."""
    return {
        "alert": RetirementAlertFactory(version=production),
        "shadow": DeploymentFactory(
            version=staging, endpoint="churn-shadow", environment=Environment.PRODUCTION
        ),
        "approved": DeploymentFactory(
            version=production, endpoint="churn-api", environment=Environment.PRODUCTION
        ),
        "request": open_request,
    }


# --- who may see it -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status", "sees_fraud", "sees_marketing"),
    [
        ("anonymous", 302, False, False),
        ("no_role", 200, False, False),
        ("other_team_lead", 200, False, True),
        ("engineer", 200, True, False),
        ("lead", 200, True, False),
        ("risk_officer", 200, True, False),
        ("legal", 200, True, False),
        ("auditor", 200, True, True),
        ("admin", 200, True, False),
    ],
)
def test_dashboard_permissions(
    client, personas, everything, persona, status, sees_fraud, sees_marketing
):
    response = sign_in(client, personas, persona).get(DASHBOARD)

    assert response.status_code == status
    if status == 302:
        assert response["Location"] == "/accounts/login/?next=/"
        return
    assert ("/models/customer-churn-predictor/" in text(response)) is sees_fraud
    assert ("/models/campaign-uplift/" in text(response)) is sees_marketing


def test_dashboard_refuses_post(client, personas):
    response = sign_in(client, personas, "lead").post(DASHBOARD)

    assert response.status_code == 405


# --- the blocks -----------------------------------------------------------------------


def test_counts_cover_only_visible_models(client, personas, everything):
    response = sign_in(client, personas, "lead").get(DASHBOARD)

    dashboard = response.context["dashboard"]
    assert dashboard.stage_counts == [
        ("development", 0),
        ("staging", 1),
        ("production", 1),
        ("deprecated", 0),
        ("retired", 0),
    ]
    assert dashboard.risk_counts == [("low", 0), ("medium", 1), ("high", 0), ("critical", 0)]
    assert '<a href="/models/?stage=production"><span class="number">1</span>' in text(response)


def test_counts_of_a_global_viewer_cover_every_team(client, personas, everything):
    RegisteredModelFactory(team=everything["request"].version.model.team, risk_level="critical")

    response = sign_in(client, personas, "auditor").get(DASHBOARD)

    dashboard = response.context["dashboard"]
    assert dict(dashboard.stage_counts) == {
        "development": 1,
        "staging": 1,
        "production": 2,
        "deprecated": 0,
        "retired": 0,
    }
    assert dict(dashboard.risk_counts) == {"low": 0, "medium": 2, "high": 0, "critical": 1}


@pytest.mark.parametrize(
    ("persona", "awaits"),
    [
        ("lead", False),  # the requester
        ("lead2", True),  # ml_lead is missing
        ("risk_officer", True),  # risk_officer is missing
        ("legal", False),  # not a required role for a medium-risk model
        ("engineer", False),
        ("global_risk", True),
    ],
)
def test_awaiting_my_decision_lists_requests_missing_my_role(
    client, personas, open_request, persona, awaits
):
    response = sign_in(client, personas, persona).get(DASHBOARD)

    awaiting = response.context["dashboard"].awaiting
    assert [request.pk for request in awaiting.rows] == ([open_request.pk] if awaits else [])
    section = text(response).split('id="awaiting"')[1].split("</section>")[0]
    assert (f'<a href="/reviews/{open_request.pk}/">#{open_request.pk}</a>' in section) is awaits
    assert ("Nothing awaits your decision." in section) is not awaits


def test_open_requests_of_a_team_member_are_their_teams(client, personas, everything):
    marketing_request = ApprovalRequestFactory(
        version=ModelVersion.objects.get(version="10.0.0"), requester=personas["other_team_lead"]
    )

    response = sign_in(client, personas, "lead").get(DASHBOARD)

    page = text(response)
    assert "Open requests of my teams" in page
    assert response.context["dashboard"].request_scope == "teams"
    rows = response.context["dashboard"].open_requests.rows
    assert [request.pk for request in rows] == [everything["request"].pk]
    assert f"/reviews/{marketing_request.pk}/" not in page


def test_open_requests_of_a_global_role_holder_are_every_teams(client, personas, everything):
    marketing_request = ApprovalRequestFactory(
        version=ModelVersion.objects.get(version="10.0.0"), requester=personas["other_team_lead"]
    )

    response = sign_in(client, personas, "global_risk").get(DASHBOARD)

    assert "Open requests, all teams" in text(response)
    rows = response.context["dashboard"].open_requests.rows
    assert {request.pk for request in rows} == {everything["request"].pk, marketing_request.pk}


def test_a_person_without_roles_is_told_why_no_team_requests_show(client, personas, everything):
    response = sign_in(client, personas, "no_role").get(DASHBOARD)

    assert response.context["dashboard"].request_scope == "none"
    assert "You hold no role on any team or model yet." in text(response)


def test_closed_requests_are_not_open_requests(client, personas, open_request):
    ApprovalRequest.objects.filter(pk=open_request.pk).update(status=ApprovalStatus.REJECTED)

    response = sign_in(client, personas, "lead").get(DASHBOARD)

    assert response.context["dashboard"].open_requests.total == 0
    assert "No open requests." in text(response)


def test_open_and_acknowledged_alerts_are_listed_with_a_model_link(client, personas, production):
    opened = RetirementAlertFactory(version=production, rule="max_age")
    acknowledged = RetirementAlertFactory(
        version=production, rule="drift_ceiling", status="acknowledged"
    )
    RetirementAlertFactory(version=production, rule="metric_floor", status="resolved")

    response = sign_in(client, personas, "engineer").get(DASHBOARD)

    alerts = response.context["dashboard"].alerts
    assert {alert.pk for alert in alerts.rows} == {opened.pk, acknowledged.pk}
    section = text(response).split('id="alerts"')[1].split("</section>")[0]
    assert '<a href="/models/customer-churn-predictor/">customer-churn-predictor</a>' in section
    assert "Trained 120 days ago." in section


def test_shadow_deployments_are_active_deployments_without_approval(
    client, personas, production, staging
):
    shadow = DeploymentFactory(version=staging, endpoint="churn-early", environment="production")
    DeploymentFactory(version=staging, endpoint="churn-staging", environment="staging")
    DeploymentFactory(version=production, endpoint="churn-api", environment="production")
    DeploymentFactory(version=staging, endpoint="churn-old", environment="production", active=False)

    response = sign_in(client, personas, "risk_officer").get(DASHBOARD)

    assert [row.pk for row in response.context["dashboard"].shadows.rows] == [shadow.pk]
    section = text(response).split('id="shadows"')[1].split("</section>")[0]
    assert "churn-early" in section
    assert "churn-staging" not in section


@pytest.mark.parametrize("stage", Stage.values)
@pytest.mark.parametrize("environment", Environment.values)
def test_shadow_filter_agrees_with_is_approved_for(personas, model, stage, environment):
    candidate = ModelVersionFactory(model=model, stage=stage)
    DeploymentFactory(version=candidate, environment=environment)

    is_shadow = Deployment.objects.filter(policies.shadow_deployments_filter()).exists()

    assert is_shadow is not policies.is_approved_for(candidate, environment)


def test_a_deprecated_version_still_serving_production_is_a_shadow(client, personas, production):
    old = ModelVersionFactory(model=production.model, version="2.2.0", stage=Stage.DEPRECATED)
    shadow = DeploymentFactory(version=old, endpoint="churn-legacy", environment="production")

    response = sign_in(client, personas, "lead").get(DASHBOARD)

    assert [row.pk for row in response.context["dashboard"].shadows.rows] == [shadow.pk]


def promoted_days_ago(version, personas, days: int) -> None:  # noqa: ANN001
    """Take a version to production through the services, as if it happened days ago."""
    with mock.patch("django.utils.timezone.now", return_value=days_ago(days)):
        promote(version, personas, Stage.STAGING)
        promote(version, personas, Stage.PRODUCTION)


@pytest.mark.parametrize(
    ("schedule", "days", "overdue"),
    [
        (ReviewSchedule.MONTHLY, 29, False),
        (ReviewSchedule.MONTHLY, 31, True),
        (ReviewSchedule.QUARTERLY, 90, False),
        (ReviewSchedule.QUARTERLY, 92, True),
        (ReviewSchedule.SEMIANNUAL, 181, False),
        (ReviewSchedule.SEMIANNUAL, 183, True),
        (ReviewSchedule.ANNUAL, 364, False),
        (ReviewSchedule.ANNUAL, 366, True),
    ],
)
def test_review_is_overdue_one_schedule_period_after_the_production_approval(
    client, personas, version, schedule, days, overdue
):
    version.review_schedule = schedule
    version.save()
    promoted_days_ago(version, personas, days)

    response = sign_in(client, personas, "lead").get(DASHBOARD)

    rows = response.context["dashboard"].overdue.rows
    assert [row.version.pk for row in rows] == ([version.pk] if overdue else [])


def test_an_overdue_review_shows_its_due_date_and_days_overdue(client, personas, version):
    promoted_days_ago(version, personas, 100)  # quarterly: due 91 days after approval

    response = sign_in(client, personas, "lead").get(DASHBOARD)

    [row] = response.context["dashboard"].overdue.rows
    version.refresh_from_db()
    assert row.due == version.last_reviewed_at + datetime.timedelta(days=91)
    assert row.days_overdue == 9
    section = text(response).split('id="overdue"')[1].split("</section>")[0]
    assert f"{row.due:%Y-%m-%d}</time>" in section
    assert '<td class="num">9</td>' in section


def test_changing_the_review_schedule_moves_the_next_review(client, personas, version):
    promoted_days_ago(version, personas, 40)
    version_update_card(
        actor=personas["lead"], version_id=version.pk, changes={"review_schedule": "monthly"}
    )

    response = sign_in(client, personas, "lead").get(DASHBOARD)

    [row] = response.context["dashboard"].overdue.rows
    assert (row.version.pk, row.days_overdue) == (version.pk, 10)


def test_a_version_leaving_production_has_no_review_due(client, personas, version):
    promoted_days_ago(version, personas, 400)
    version_deprecate(actor=personas["lead"], version_id=version.pk, reason="Replaced.")

    response = sign_in(client, personas, "lead").get(DASHBOARD)

    version.refresh_from_db()
    assert (response.context["dashboard"].overdue.total, version.next_review_at) == (0, None)


def test_versions_outside_production_have_no_review_due(client, personas, model):
    ModelVersionFactory(model=model, stage=Stage.DEPRECATED, stage_changed_at=days_ago(900))

    response = sign_in(client, personas, "lead").get(DASHBOARD)

    assert response.context["dashboard"].overdue.total == 0


def test_next_review_due_adds_the_schedule_period():
    last = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)

    assert [policies.next_review_due(schedule, last).date() for schedule in ReviewSchedule] == [
        datetime.date(2026, 1, 31),
        datetime.date(2026, 4, 2),
        datetime.date(2026, 7, 2),
        datetime.date(2027, 1, 1),
    ]


def test_recent_events_are_the_latest_twenty_i_may_see(client, personas, everything):
    model = everything["request"].version.model
    for number in range(25):
        audit.record(
            event_type=AuditEventType.MODEL_UPDATED,
            actor=personas["lead"],
            model=model,
            details={"n": number},
        )

    response = sign_in(client, personas, "engineer").get(DASHBOARD)

    events = response.context["dashboard"].events
    assert len(events) == 20
    assert [event.details_data["n"] for event in events[:2]] == [24, 23]
    assert all(event.model_id == model.pk for event in events)
    section = text(response).split('id="events"')[1].split("</section>")[0]
    assert "<td>lead</td>" in section
    assert "<code>model.updated</code>" in section


def test_every_block_says_when_it_is_empty(client, personas, everything):
    response = sign_in(client, personas, "no_role").get(DASHBOARD)

    page = text(response)
    for message in EMPTY_MESSAGES:
        assert message in page


def test_a_long_block_shows_its_first_rows_and_the_total(client, personas, model):
    for number in range(23):
        version = ModelVersionFactory(model=model, version=f"0.{number}.0")
        RetirementAlertFactory(version=version)

    response = sign_in(client, personas, "lead").get(DASHBOARD)

    alerts = response.context["dashboard"].alerts
    assert (len(alerts.rows), alerts.total) == (20, 23)
    assert "Showing 20 of 23." in text(response)


def test_card_text_in_alert_reasons_is_escaped(client, personas, production):
    RetirementAlertFactory(version=production, reasons=[{"message": "<script>x()</script>"}])

    response = sign_in(client, personas, "lead").get(DASHBOARD)

    assert "<script>x()</script>" not in text(response)
    assert "&lt;script&gt;x()&lt;/script&gt;" in text(response)


# --- queries --------------------------------------------------------------------------


def populate(team, personas: dict, count: int) -> None:  # noqa: ANN001
    """count models with a row in every block: an overdue production version, an open
    request with a decision, an alert, an overdue serious incident, a shadow deployment and
    an audit event."""
    for number in range(count):
        model = RegisteredModelFactory(
            team=team, owner=personas["lead"], risk_level=RiskLevel.values[number % 4]
        )
        live = ModelVersionFactory(
            model=model,
            version="1.0.0",
            stage=Stage.PRODUCTION,
            stage_changed_at=days_ago(400),
            last_reviewed_at=days_ago(400),
            next_review_at=days_ago(309),
        )
        candidate = ModelVersionFactory(model=model, version="1.1.0", stage=Stage.STAGING)
        request = ApprovalRequestFactory(
            version=candidate,
            target_stage=Stage.PRODUCTION,
            requester=personas["lead"],
            required_roles=[Role.ML_LEAD.value, Role.RISK_OFFICER.value],
        )
        request.decisions.create(
            approver=personas["lead2"], role=Role.ML_LEAD, decision="approved", card_hash="x"
        )
        RetirementAlertFactory(version=live)
        SeriousIncidentFactory(version=live, aware_at=days_ago(20).date())  # overdue
        DeploymentFactory(version=candidate, environment=Environment.PRODUCTION)
        audit.record(event_type=AuditEventType.MODEL_UPDATED, actor=personas["lead"], model=model)


@pytest.mark.parametrize("count", [2, 200])
@pytest.mark.parametrize("persona", ["lead", "risk_officer", "global_risk", "auditor", "no_role"])
def test_dashboard_queries_do_not_grow_with_models(
    client, personas, team, django_assert_max_num_queries, count, persona
):
    populate(team, personas, count)
    sign_in(client, personas, persona)

    with django_assert_max_num_queries(15):
        response = client.get(DASHBOARD)

    assert response.status_code == 200
    blocks = response.context["dashboard"]
    visible = 0 if persona == "no_role" else count
    assert (blocks.overdue.total, blocks.alerts.total) == (visible, visible)
    assert (blocks.incidents.total, blocks.incidents.overdue) == (visible, visible)


def test_requesters_see_the_latest_decision_and_its_notes_on_their_requests(
    client, personas, version
):
    from governance.services.approvals import approval_decide

    request = request_promotion(version, personas, "staging")
    approval_decide(
        actor=personas["engineer2"],
        request_id=request.pk,
        approve=False,
        note="Metrics <b>missing</b> for the holdout set.",
    )

    requester_page = text(sign_in(client, personas, request.requester.get_username()).get("/"))
    other_page = text(sign_in(client, personas, "risk_officer").get("/"))

    mine = requester_page.split('id="my-requests"')[1].split("</section>")[0]
    assert f"#{request.pk}" in mine
    assert "engineer2 (ml_engineer)" in mine
    assert "Metrics &lt;b&gt;missing&lt;/b&gt; for the holdout set." in mine
    assert "You have not requested a promotion." in other_page.split('id="my-requests"')[1]
