"""Admin actions change state only through the services: the stage or status moves and the
audit event is written, or the refusal is shown and nothing is written."""

import pytest
from django.utils import timezone

from governance.models import (
    AlertStatus,
    ApprovalDecision,
    ApprovalRequest,
    ApprovalStatus,
    AuditEvent,
    AuditEventType,
    ModelVersion,
    Role,
    Stage,
)
from governance.services.approvals import approval_create
from tests.admin_support import (
    build,
    confirm_action,
    events,
    governance_admin,
    login,
    messages_of,
    post_action,
    staff,
    url,
)
from tests.factories import ApprovalRequestFactory, ModelVersionFactory


def _event_types() -> list[str]:
    return list(AuditEvent.objects.values_list("event_type", flat=True))


@pytest.fixture
def engineer(db):
    return staff("eng", Role.ML_ENGINEER)


@pytest.fixture
def lead(db):
    return staff("lead-staff", Role.ML_LEAD)


@pytest.fixture
def staging_request(engineer):
    version = ModelVersionFactory(complete=True)
    return approval_create(
        actor=engineer, version_id=version.pk, target_stage=Stage.STAGING, justification="Ready."
    )


@pytest.fixture
def production_version(db):
    return ModelVersionFactory(stage=Stage.PRODUCTION, complete=True)


@pytest.mark.django_db
def test_choosing_an_action_shows_its_confirmation_page(client, engineer):
    version = ModelVersionFactory(complete=True)
    login(client, engineer)

    response = post_action(client, "modelversion", "request_promotion", [version])

    assert response.templates[0].name == "admin/governance/confirm_action.html"
    assert set(response.context["form"].fields) == {"justification", "target_stage"}
    assert list(response.context["queryset"]) == [version]
    assert not ApprovalRequest.objects.exists()


@pytest.mark.django_db
def test_engineer_requests_promotion_to_staging(client, engineer):
    version = ModelVersionFactory(complete=True)
    login(client, engineer)

    response = confirm_action(
        client,
        "modelversion",
        "request_promotion",
        [version],
        target_stage=Stage.STAGING,
        justification="Ready for staging.",
    )

    assert "Promotion requested (1)." in messages_of(response)
    request = ApprovalRequest.objects.get(version=version)
    assert (request.status, request.requester) == (ApprovalStatus.PENDING, engineer)
    [event] = events(AuditEventType.APPROVAL_REQUESTED)
    assert event.details_data["justification"] == "Ready for staging."


@pytest.mark.django_db
def test_colleague_approves_and_the_version_moves_to_staging(client, staging_request):
    reviewer = staff("eng2", Role.ML_ENGINEER)
    login(client, reviewer)

    response = confirm_action(
        client, "approvalrequest", "approve", [staging_request], notes="Looks good.", role=""
    )

    assert "Approved (1)." in messages_of(response)
    staging_request.refresh_from_db()
    staging_request.version.refresh_from_db()
    assert staging_request.status == ApprovalStatus.APPROVED
    assert staging_request.version.stage == Stage.STAGING
    assert _event_types()[-3:] == [
        AuditEventType.APPROVAL_DECISION,
        AuditEventType.APPROVAL_APPROVED,
        AuditEventType.STAGE_CHANGED,
    ]
    decision = ApprovalDecision.objects.get()
    assert (decision.approver, decision.notes) == (reviewer, "Looks good.")


@pytest.mark.django_db
def test_requester_cannot_approve_own_request(client, engineer, staging_request):
    login(client, engineer)
    before = _event_types()

    response = confirm_action(client, "approvalrequest", "approve", [staging_request], notes="")

    assert (
        f"{staging_request}: You requested this promotion; another reviewer must decide. "
        "Nothing was changed." in messages_of(response)
    )
    assert not ApprovalDecision.objects.exists()
    assert _event_types() == before


@pytest.mark.django_db
def test_rejecting_without_notes_is_refused(client, staging_request):
    login(client, staff("eng2", Role.ML_ENGINEER))
    before = _event_types()

    response = confirm_action(client, "approvalrequest", "reject", [staging_request], notes=" ")

    assert any("notes: Say why" in message for message in messages_of(response))
    staging_request.refresh_from_db()
    assert staging_request.status == ApprovalStatus.PENDING
    assert _event_types() == before


@pytest.mark.django_db
def test_rejecting_with_notes_rejects_the_request(client, staging_request):
    login(client, staff("eng2", Role.ML_ENGINEER))

    confirm_action(client, "approvalrequest", "reject", [staging_request], notes="No tests.")

    staging_request.refresh_from_db()
    assert staging_request.status == ApprovalStatus.REJECTED
    [event] = events(AuditEventType.APPROVAL_REJECTED)
    assert event.request == staging_request


@pytest.mark.django_db
def test_risk_officer_revokes_a_production_approval(client, production_version):
    approval = ApprovalRequestFactory(
        version=production_version,
        target_stage=Stage.PRODUCTION,
        from_stage=Stage.STAGING,
        status=ApprovalStatus.APPROVED,
        required_roles=[Role.ML_LEAD.value, Role.RISK_OFFICER.value],
    )
    login(client, staff("risk-staff", Role.RISK_OFFICER))

    response = confirm_action(
        client, "approvalrequest", "revoke", [approval], reason="Accuracy collapsed."
    )

    assert "Revoked (1)." in messages_of(response)
    approval.refresh_from_db()
    production_version.refresh_from_db()
    assert (approval.status, approval.revoke_reason) == (
        ApprovalStatus.REVOKED,
        "Accuracy collapsed.",
    )
    assert production_version.stage == Stage.DEPRECATED
    assert _event_types()[-2:] == [AuditEventType.APPROVAL_REVOKED, AuditEventType.DEPRECATED]


@pytest.mark.django_db
def test_lead_deprecates_a_production_version(client, lead, production_version):
    login(client, lead)

    response = confirm_action(
        client, "modelversion", "deprecate", [production_version], reason="Replaced by rules."
    )

    assert "Deprecated (1)." in messages_of(response)
    production_version.refresh_from_db()
    assert production_version.stage == Stage.DEPRECATED
    [event] = events(AuditEventType.DEPRECATED)
    assert (event.actor_user, event.details_data["reason"]) == (lead, "Replaced by rules.")


@pytest.mark.django_db
def test_governance_admin_cannot_deprecate(client, production_version):
    login(client, governance_admin())

    response = confirm_action(
        client, "modelversion", "deprecate", [production_version], reason="Tidy up."
    )

    assert any(
        "To move a version to deprecated you need one of these roles" in message
        for message in messages_of(response)
    )
    production_version.refresh_from_db()
    assert production_version.stage == Stage.PRODUCTION
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_an_action_on_several_versions_is_all_or_nothing(client, lead, production_version):
    development = ModelVersionFactory()
    login(client, lead)

    response = confirm_action(
        client,
        "modelversion",
        "deprecate",
        [production_version, development],
        reason="Clean up.",
    )

    assert any("Nothing was changed." in message for message in messages_of(response))
    production_version.refresh_from_db()
    assert production_version.stage == Stage.PRODUCTION
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_lead_retires_an_abandoned_development_version(client, lead):
    version = ModelVersionFactory()
    login(client, lead)

    confirm_action(client, "modelversion", "retire", [version], reason="Abandoned experiment.")

    version.refresh_from_db()
    assert version.stage == Stage.RETIRED
    [event] = events(AuditEventType.RETIRED)
    assert event.version == version


@pytest.mark.django_db
def test_lead_requests_rollback_of_a_deprecated_version(client, lead):
    version = ModelVersionFactory(
        stage=Stage.DEPRECATED, stage_changed_at=timezone.now(), complete=True
    )
    login(client, lead)

    confirm_action(
        client, "modelversion", "request_rollback", [version], justification="New one drifts."
    )

    request = ApprovalRequest.objects.get(version=version)
    assert (request.target_stage, request.required_roles) == (
        Stage.PRODUCTION,
        [Role.ML_LEAD.value, Role.RISK_OFFICER.value],
    )
    assert events(AuditEventType.APPROVAL_REQUESTED)


@pytest.mark.django_db
def test_lead_acknowledges_an_alert(client, lead):
    alert = build("retirementalert")
    login(client, lead)

    response = post_action(client, "retirementalert", "acknowledge", [alert])

    assert "Acknowledged (1)." in messages_of(response)
    alert.refresh_from_db()
    assert (alert.status, alert.acknowledged_by) == (AlertStatus.ACKNOWLEDGED, lead)
    [event] = events(AuditEventType.ALERT_ACKNOWLEDGED)
    assert event.details_data == {"alert": alert.pk, "rule": alert.rule}


@pytest.mark.django_db
def test_governance_admin_cannot_acknowledge_an_alert(client):
    alert = build("retirementalert")
    login(client, governance_admin())

    response = post_action(client, "retirementalert", "acknowledge", [alert])

    assert any("To acknowledge an alert" in message for message in messages_of(response))
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN
    assert not AuditEvent.objects.exists()


def _incomplete_staging_version() -> ModelVersion:
    return ModelVersionFactory(stage=Stage.STAGING)


def _production_approval() -> ApprovalRequest:
    return ApprovalRequestFactory(
        version=ModelVersionFactory(stage=Stage.PRODUCTION, complete=True),
        target_stage=Stage.PRODUCTION,
        from_stage=Stage.STAGING,
        status=ApprovalStatus.APPROVED,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "action", "make", "role", "data", "message"),
    [
        (
            "modelversion",
            "request_promotion",
            _incomplete_staging_version,
            Role.ML_LEAD,
            {"target_stage": Stage.PRODUCTION, "justification": "Ship it."},
            "Card incomplete: intended_use",
        ),
        (
            "modelversion",
            "request_rollback",
            ModelVersionFactory,
            Role.ML_LEAD,
            {"justification": "Back."},
            "Only deprecated versions can be rolled back; this one is development.",
        ),
        (
            "modelversion",
            "retire",
            ModelVersionFactory,
            Role.ML_ENGINEER,
            {"reason": "Abandoned."},
            "To move a version to retired you need one of these roles",
        ),
        (
            "approvalrequest",
            "revoke",
            _production_approval,
            Role.ML_LEAD,
            {"reason": "Drift."},
            "To revoke an approval you need one of these roles",
        ),
    ],
)
def test_refused_actions_show_the_reason_and_write_nothing(
    client, name, action, make, role, data, message
):
    obj = make()
    login(client, staff("actor", role))
    before = list(ApprovalRequest.objects.values_list("pk", "status"))
    stage_before = list(ModelVersion.objects.values_list("pk", "stage"))

    response = confirm_action(client, name, action, [obj], **data)

    assert any(message in text and "Nothing was changed." in text for text in messages_of(response))
    assert list(ApprovalRequest.objects.values_list("pk", "status")) == before
    assert list(ModelVersion.objects.values_list("pk", "stage")) == stage_before
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_approval_request_page_shows_its_decisions(client):
    decision = build("approvaldecision")
    login(client, governance_admin())

    response = client.get(url("approvalrequest", "change", decision.request_id))

    assert response.status_code == 200
    [inline] = response.context["inline_admin_formsets"]
    assert [form.original for form in inline] == [decision]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "offered"),
    [
        ("modelversion", {"request_promotion", "request_rollback", "deprecate", "retire"}),
        ("approvalrequest", {"approve", "reject", "revoke"}),
        ("retirementalert", {"acknowledge"}),
    ],
)
def test_list_pages_offer_the_service_actions(client, name, offered):
    build(name)
    login(client, governance_admin())

    response = client.get(url(name, "changelist"))

    choices = {value for value, _ in response.context["action_form"].fields["action"].choices}
    assert choices - {""} == offered
