"""approval_create, approval_decide, approval_revoke, and reviews restarted by a card edit
or a risk raise: each success with its audit events and history rows, each refusal with
its message and nothing written."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from governance.exceptions import CardIncomplete, Conflict, DomainError, InvalidTransition
from governance.models import (
    ApprovalDecision,
    ApprovalRequest,
    ModelVersion,
    RegisteredModel,
    Stage,
)
from governance.services.approvals import approval_create, approval_decide, approval_revoke
from governance.services.registered_models import model_update
from governance.services.versions import version_deprecate, version_rollback, version_update_card
from tests.db_state import audit_mark, history, new_events, nothing_written
from tests.factories import COMPLETE_CARD, ModelVersionFactory, UserFactory, grant
from tests.workflows import approve_all, promote, request_promotion

NAME = "customer-churn-predictor 2.4.1"


@pytest.fixture
def staging_version(model: RegisteredModel) -> ModelVersion:
    return ModelVersionFactory(model=model, version="2.4.1", stage=Stage.STAGING, complete=True)


@pytest.fixture
def production_request(staging_version: ModelVersion, personas: dict) -> ApprovalRequest:
    """An open production request by lead on a medium-risk model."""
    return request_promotion(staging_version, personas, Stage.PRODUCTION)


def _decide(personas: dict, who: str, request: ApprovalRequest, **kwargs) -> ApprovalRequest:
    kwargs = {"approve": True, "note": "", **kwargs}
    return approval_decide(actor=personas[who], request_id=request.pk, **kwargs)


def _set_stage(version: ModelVersion, stage: str, days_ago: int = 0) -> None:
    """Test set-up only: put a version in a stage without going through the lifecycle."""
    ModelVersion.objects.filter(pk=version.pk).update(
        stage=stage, stage_changed_at=timezone.now() - timedelta(days=days_ago)
    )
    version.refresh_from_db()


# --- approval_create -----------------------------------------------------------------


def test_engineer_requests_staging_for_a_development_version(personas, model, version):
    mark = audit_mark()

    request = approval_create(
        actor=personas["engineer"],
        version_id=version.pk,
        target_stage="staging",
        justification="Offline evaluation passed.",
    )

    request.refresh_from_db()
    assert (request.version, request.requester, request.status) == (
        version,
        personas["engineer"],
        "pending",
    )
    assert (request.from_stage, request.target_stage) == ("development", "staging")
    assert request.required_roles == ["ml_engineer"]
    assert request.card_hash == version.card_hash()
    assert request.justification == "Offline evaluation passed."
    assert new_events(mark) == [
        (
            "approval.requested",
            "engineer",
            model.pk,
            version.pk,
            request.pk,
            {
                "version": "2.4.1",
                "from": "development",
                "to": "staging",
                "required_roles": ["ml_engineer"],
                "card_hash": version.card_hash(),
                "justification": "Offline evaluation passed.",
            },
        )
    ]
    assert history(request) == [("+", "engineer", "requested")]
    version.refresh_from_db()
    assert version.stage == "development"


def test_lead_requests_production_for_a_staging_version(personas, model, staging_version):
    mark = audit_mark()

    request = approval_create(
        actor=personas["lead"],
        version_id=staging_version.pk,
        target_stage="production",
        justification="Ready.",
    )

    assert (request.status, request.from_stage, request.required_roles) == (
        "pending",
        "staging",
        ["ml_lead", "risk_officer"],
    )
    assert [(e[0], e[1], e[4], e[5]["to"]) for e in new_events(mark)] == [
        ("approval.requested", "lead", request.pk, "production")
    ]
    assert history(request) == [("+", "lead", "requested")]


@pytest.mark.parametrize(
    ("target", "persona", "allowed"),
    [
        ("staging", "engineer", True),
        ("staging", "lead", True),
        ("staging", "risk_officer", False),
        ("staging", "legal", False),
        ("staging", "admin", False),
        ("staging", "global_risk", False),
        ("staging", "other_team_lead", False),
        ("staging", "no_role", False),
        ("staging", "superuser", False),
        ("production", "lead", True),
        ("production", "engineer", False),
        ("production", "risk_officer", False),
        ("production", "legal", False),
        ("production", "admin", False),
        ("production", "global_risk", False),
        ("production", "other_team_lead", False),
        ("production", "no_role", False),
        ("production", "superuser", False),
    ],
)
def test_who_may_request_a_promotion(personas, model, target, persona, allowed):
    stage = Stage.DEVELOPMENT if target == "staging" else Stage.STAGING
    version = ModelVersionFactory(model=model, stage=stage, complete=True)

    def call() -> ApprovalRequest:
        return approval_create(
            actor=personas[persona], version_id=version.pk, target_stage=target, justification="J"
        )

    if allowed:
        assert call().requester == personas[persona]
        return
    with nothing_written(), pytest.raises(PermissionDenied) as refused:
        call()
    roles = "ml_engineer, ml_lead" if target == "staging" else "ml_lead"
    assert str(refused.value) == (
        f"To request {target} you need one of these roles on customer-churn-predictor: {roles}."
    )


@pytest.mark.parametrize(
    ("stage", "target", "message"),
    [
        (
            "development",
            "production",
            f"{NAME} is development; it cannot move to production. "
            "Allowed from development: retired, staging.",
        ),
        (
            "staging",
            "staging",
            f"{NAME} is staging; it cannot move to staging. "
            "Allowed from staging: production, retired.",
        ),
        (
            "production",
            "staging",
            f"{NAME} is production; it cannot move to staging. "
            "Allowed from production: deprecated.",
        ),
        (
            "production",
            "production",
            f"{NAME} is production; it cannot move to production. "
            "Allowed from production: deprecated.",
        ),
        (
            "deprecated",
            "staging",
            f"{NAME} is deprecated; it cannot move to staging. "
            "Allowed from deprecated: production, retired.",
        ),
        (
            "retired",
            "staging",
            f"{NAME} is retired; it cannot move to staging. "
            "Allowed from retired: none (retired is final).",
        ),
        (
            "retired",
            "production",
            f"{NAME} is retired; it cannot move to production. "
            "Allowed from retired: none (retired is final).",
        ),
        (
            "production",
            "deprecated",
            f"Moving {NAME} to deprecated needs no approval request; use the direct action.",
        ),
        (
            "development",
            "retired",
            f"Moving {NAME} to retired needs no approval request; use the direct action.",
        ),
        (
            "development",
            "gold",
            "Unknown stage 'gold'. Stages: development, staging, production, deprecated, retired.",
        ),
    ],
)
def test_request_refused_in_an_illegal_state(personas, version, stage, target, message):
    _set_stage(version, stage)

    with nothing_written(), pytest.raises(InvalidTransition) as refused:
        approval_create(
            actor=personas["lead"], version_id=version.pk, target_stage=target, justification="J"
        )

    assert str(refused.value) == message


def test_second_open_request_for_the_same_move_is_a_conflict(personas, production_request):
    with nothing_written(), pytest.raises(Conflict) as refused:
        approval_create(
            actor=personas["lead2"],
            version_id=production_request.version_id,
            target_stage="production",
            justification="Me too.",
        )

    assert str(refused.value) == (
        f"Request #{production_request.pk} to move {NAME} to production is already open."
    )


def test_in_review_request_also_blocks_a_second_one(personas, production_request):
    _decide(personas, "lead2", production_request)

    with nothing_written(), pytest.raises(Conflict, match="is already open"):
        request_promotion(production_request.version, personas, "production")


def test_new_request_allowed_after_a_rejection(personas, production_request):
    _decide(personas, "risk_officer", production_request, approve=False, note="Not yet.")

    again = request_promotion(production_request.version, personas, "production")

    assert again.pk != production_request.pk
    assert again.status == "pending"


@pytest.mark.parametrize(
    ("justification", "message"),
    [
        ("", "Say why; this is kept in the audit trail."),
        ("   ", "Say why; this is kept in the audit trail."),
        ("bell\x07", "Control characters are not allowed."),
        ("x" * 5001, "Ensure this value has at most 5000 characters (it has 5001)."),
        (None, "Expected text."),
    ],
)
def test_request_needs_a_plain_text_justification(personas, version, justification, message):
    with nothing_written(), pytest.raises(ValidationError) as refused:
        approval_create(
            actor=personas["engineer"],
            version_id=version.pk,
            target_stage="staging",
            justification=justification,
        )

    assert refused.value.message_dict == {"justification": [message]}


@pytest.mark.parametrize(
    ("risk", "card_changes", "message"),
    [
        (
            "medium",
            {"intended_use": "", "evaluation_metrics": {}},
            "Card incomplete: intended_use, evaluation_metrics.",
        ),
        ("low", {"retirement_criteria": {}}, "Card incomplete: retirement_criteria."),
        (
            "medium",
            {"out_of_scope_uses": [], "training_date": None, "known_limitations": []},
            "Card incomplete: out_of_scope_uses, training_date, known_limitations.",
        ),
        (
            "high",
            {"ethical_considerations": [], "performance_by_group": {}},
            "Card incomplete: ethical_considerations, performance_by_group or fairness_assessment.",
        ),
        (
            "critical",
            {
                "intended_use": "",
                "evaluation_metrics": {},
                "ethical_considerations": [],
                "performance_by_group": {},
            },
            "Card incomplete: intended_use, evaluation_metrics, ethical_considerations, "
            "performance_by_group or fairness_assessment.",
        ),
        (
            "high",
            {"primary_users": [], "training_data_version": "", "training_pipeline": ""},
            "Card incomplete: primary_users, training_data_version, training_pipeline.",
        ),
    ],
)
def test_production_request_lists_every_missing_card_field(
    personas, model, risk, card_changes, message
):
    model.risk_level = risk
    model.save()
    version = ModelVersionFactory(
        model=model, stage=Stage.STAGING, **{**COMPLETE_CARD, **card_changes}
    )

    with nothing_written(), pytest.raises(CardIncomplete) as refused:
        request_promotion(version, personas, "production")

    assert str(refused.value) == message


def test_empty_card_lists_every_required_field(personas, model):
    model.risk_level = "high"
    model.save()
    version = ModelVersionFactory(model=model, stage=Stage.STAGING, retirement_criteria={})

    with nothing_written(), pytest.raises(CardIncomplete) as refused:
        request_promotion(version, personas, "production")

    assert refused.value.missing == [
        "intended_use",
        "out_of_scope_uses",
        "primary_users",
        "training_data_description",
        "training_data_version",
        "training_date",
        "training_pipeline",
        "evaluation_metrics",
        "known_limitations",
        "retirement_criteria",
        "ethical_considerations",
        "performance_by_group or fairness_assessment",
    ]


def test_fairness_assessment_stands_in_for_performance_by_group_at_high_risk(personas, model):
    model.risk_level = "high"
    model.save()
    card = {
        **COMPLETE_CARD,
        "performance_by_group": {},
        "fairness_assessment": {"method": "demographic parity", "summary": "Within 2 points."},
    }
    version = ModelVersionFactory(model=model, stage=Stage.STAGING, **card)

    request = request_promotion(version, personas, "production")

    assert request.required_roles == ["legal", "ml_lead", "risk_officer"]


def test_staging_request_does_not_need_a_complete_card(personas, model):
    version = ModelVersionFactory(model=model, stage=Stage.DEVELOPMENT)

    request = request_promotion(version, personas, "staging")

    assert request.status == "pending"


def test_medium_risk_production_does_not_need_ethics_or_fairness(personas, model):
    card = {**COMPLETE_CARD, "ethical_considerations": [], "performance_by_group": {}}
    version = ModelVersionFactory(model=model, stage=Stage.STAGING, **card)

    assert request_promotion(version, personas, "production").status == "pending"


# --- approval_decide -----------------------------------------------------------------


def test_first_approval_puts_the_request_in_review(personas, model, production_request):
    version = production_request.version
    mark = audit_mark()

    request = _decide(personas, "lead2", production_request, note="Card reads well.")

    request.refresh_from_db()
    assert (request.status, request.decided_at) == ("in_review", None)
    decision = ApprovalDecision.objects.get(request=request)
    assert (decision.approver, decision.role, decision.decision, decision.notes) == (
        personas["lead2"],
        "ml_lead",
        "approved",
        "Card reads well.",
    )
    assert (decision.card_hash, decision.superseded_at) == (request.card_hash, None)
    assert new_events(mark) == [
        (
            "approval.decision",
            "lead2",
            model.pk,
            version.pk,
            request.pk,
            {"role": "ml_lead", "decision": "approved", "notes": "Card reads well."},
        )
    ]
    assert history(decision) == [("+", "lead2", "approved")]
    assert history(request)[-1] == ("~", "lead2", "in_review")
    version.refresh_from_db()
    assert version.stage == "staging"


def test_last_required_approval_promotes_and_deprecates_the_old_production_version(
    personas, model, production_request
):
    new = production_request.version
    old = ModelVersionFactory(
        model=model,
        version="2.3.0",
        stage=Stage.PRODUCTION,
        complete=True,
        stage_changed_at=timezone.now() - timedelta(days=60),
    )
    _decide(personas, "lead2", production_request)
    mark = audit_mark()
    before = timezone.now()

    request = _decide(personas, "risk_officer", production_request, note="OK.")

    request.refresh_from_db()
    new.refresh_from_db()
    old.refresh_from_db()
    assert request.status == "approved"
    assert request.decided_at >= before
    assert (new.stage, old.stage) == ("production", "deprecated")
    assert new.stage_changed_at >= before
    assert old.stage_changed_at >= before
    decision_details = {"role": "risk_officer", "decision": "approved", "notes": "OK."}
    assert new_events(mark) == [
        ("approval.decision", "risk_officer", model.pk, new.pk, request.pk, decision_details),
        (
            "approval.approved",
            "risk_officer",
            model.pk,
            new.pk,
            request.pk,
            {"version": "2.4.1", "target_stage": "production"},
        ),
        (
            "model.deprecated",
            "risk_officer",
            model.pk,
            old.pk,
            request.pk,
            {
                "version": "2.3.0",
                "from": "production",
                "to": "deprecated",
                "reason": "replaced by 2.4.1",
            },
        ),
        (
            "model.stage_changed",
            "risk_officer",
            model.pk,
            new.pk,
            request.pk,
            {
                "version": "2.4.1",
                "from": "staging",
                "to": "production",
                "reason": f"approval request #{request.pk}",
            },
        ),
    ]
    assert history(new)[-1] == ("~", "risk_officer", "staging -> production")
    assert history(old)[-1] == ("~", "risk_officer", "production -> deprecated")
    assert history(request)[-1] == ("~", "risk_officer", "approved")


def test_staging_approval_moves_the_version_to_staging(personas, model, version):
    request = request_promotion(version, personas, "staging")
    mark = audit_mark()

    request = _decide(personas, "engineer2", request)

    version.refresh_from_db()
    assert (request.status, version.stage) == ("approved", "staging")
    assert [(e[0], e[1], e[3]) for e in new_events(mark)] == [
        ("approval.decision", "engineer2", version.pk),
        ("approval.approved", "engineer2", version.pk),
        ("model.stage_changed", "engineer2", version.pk),
    ]


def test_a_rejection_rejects_the_request(personas, model, production_request):
    version = production_request.version
    mark = audit_mark()

    request = _decide(personas, "risk_officer", production_request, approve=False, note="Bias.")

    request.refresh_from_db()
    version.refresh_from_db()
    assert request.status == "rejected"
    assert request.decided_at is not None
    assert version.stage == "staging"
    assert new_events(mark) == [
        (
            "approval.decision",
            "risk_officer",
            model.pk,
            version.pk,
            request.pk,
            {"role": "risk_officer", "decision": "rejected", "notes": "Bias."},
        ),
        (
            "approval.rejected",
            "risk_officer",
            model.pk,
            version.pk,
            request.pk,
            {"version": "2.4.1", "target_stage": "production"},
        ),
    ]
    assert history(request)[-1] == ("~", "risk_officer", "rejected")


def test_a_rejection_after_approvals_still_rejects(personas, model):
    model.risk_level = "high"
    model.save()
    version = ModelVersionFactory(model=model, stage=Stage.STAGING, complete=True)
    request = request_promotion(version, personas, "production")
    _decide(personas, "lead2", request)
    _decide(personas, "risk_officer", request)

    request = _decide(personas, "legal", request, approve=False, note="Consent unclear.")

    version.refresh_from_db()
    assert (request.status, version.stage) == ("rejected", "staging")


def test_rejection_needs_a_note(personas, production_request):
    with nothing_written(), pytest.raises(ValidationError) as refused:
        _decide(personas, "risk_officer", production_request, approve=False, note=" ")

    assert refused.value.message_dict == {"notes": ["Say why; this is kept in the audit trail."]}


def test_decision_must_be_true_or_false(personas, production_request):
    with nothing_written(), pytest.raises(ValidationError) as refused:
        _decide(personas, "risk_officer", production_request, approve="yes")

    assert refused.value.message_dict == {"decision": ["Choose approved or rejected."]}


@pytest.mark.parametrize("closed_by", ["approved", "rejected", "revoked"])
def test_closed_request_takes_no_more_decisions(personas, model, closed_by):
    model.risk_level = "high"
    model.save()
    version = ModelVersionFactory(model=model, stage=Stage.STAGING, complete=True)
    request = request_promotion(version, personas, "production")
    if closed_by == "rejected":
        _decide(personas, "lead2", request, approve=False, note="No.")
    else:
        approve_all(request, personas)
    if closed_by == "revoked":
        approval_revoke(actor=personas["legal"], request_id=request.pk, reason="Complaint.")
    late = UserFactory(username="late-risk")
    grant(late, "risk_officer", model)

    with nothing_written(), pytest.raises(DomainError) as refused:
        approval_decide(actor=late, request_id=request.pk, approve=True, note="")

    assert (
        str(refused.value) == f"Request #{request.pk} is {closed_by}; it takes no more decisions."
    )


def test_unknown_role_is_refused(personas, production_request):
    with nothing_written(), pytest.raises(DomainError) as refused:
        _decide(personas, "lead2", production_request, role="boss")

    assert str(refused.value) == (
        "Unknown role 'boss'. Roles: ml_engineer, ml_lead, risk_officer, legal, governance_admin."
    )


def test_role_the_request_does_not_need_is_refused(personas, production_request):
    with nothing_written(), pytest.raises(DomainError) as refused:
        _decide(personas, "legal", production_request, role="legal")

    assert (
        str(refused.value) == "This request needs ml_lead, risk_officer; legal is not one of them."
    )


def test_role_already_filled_is_refused(personas, model, production_request):
    _decide(personas, "lead2", production_request)
    third_lead = UserFactory(username="lead3")
    grant(third_lead, "ml_lead", model)

    with nothing_written(), pytest.raises(DomainError) as refused:
        approval_decide(
            actor=third_lead,
            request_id=production_request.pk,
            approve=True,
            note="",
            role="ml_lead",
        )

    assert str(refused.value) == "The ml_lead decision on this request has already been made."


def test_holder_of_a_filled_role_only_cannot_decide(personas, model, production_request):
    _decide(personas, "lead2", production_request)
    third_lead = UserFactory(username="lead3")
    grant(third_lead, "ml_lead", model)

    with nothing_written(), pytest.raises(PermissionDenied) as refused:
        approval_decide(actor=third_lead, request_id=production_request.pk, approve=True, note="")

    assert str(refused.value) == (
        "To decide on this request you need one of these roles on customer-churn-predictor: "
        "risk_officer."
    )


def test_role_not_held_is_refused(personas, production_request):
    with nothing_written(), pytest.raises(PermissionDenied) as refused:
        _decide(personas, "lead2", production_request, role="risk_officer")

    assert str(refused.value) == (
        "To decide on this request you need one of these roles on customer-churn-predictor: "
        "risk_officer."
    )


def test_explicit_role_is_recorded(personas, model, production_request):
    both = UserFactory(username="lead-and-risk")
    grant(both, "ml_lead", model)
    grant(both, "risk_officer", model)

    approval_decide(
        actor=both, request_id=production_request.pk, approve=True, note="", role="risk_officer"
    )

    assert list(production_request.decisions.values_list("role", flat=True)) == ["risk_officer"]


@pytest.mark.parametrize("service", ["decide", "revoke"])
def test_a_request_that_does_not_exist_is_named_in_the_refusal(personas, service):
    call = {
        "decide": lambda: approval_decide(
            actor=personas["lead2"], request_id=9999, approve=True, note=""
        ),
        "revoke": lambda: approval_revoke(
            actor=personas["risk_officer"], request_id=9999, reason="Misbehaves."
        ),
    }[service]

    with nothing_written(), pytest.raises(ApprovalRequest.DoesNotExist) as refused:
        call()

    assert str(refused.value) == "No approval request #9999."


def test_card_changed_outside_a_review_is_a_conflict(personas, production_request):
    ModelVersion.objects.filter(pk=production_request.version_id).update(intended_use="Other.")

    with nothing_written(), pytest.raises(Conflict) as refused:
        _decide(personas, "lead2", production_request)

    assert str(refused.value) == f"The card of {NAME} changed outside a review; reload the request."


def test_final_approval_refused_when_the_version_left_the_stage_it_was_requested_from(
    personas, production_request
):
    _decide(personas, "lead2", production_request)
    _set_stage(production_request.version, Stage.DEVELOPMENT)

    with nothing_written(), pytest.raises(InvalidTransition) as refused:
        _decide(personas, "risk_officer", production_request)

    assert str(refused.value) == (
        f"{NAME} moved from staging to development since the request was made; make a new request."
    )
    assert production_request.decisions.count() == 1


def test_final_rollback_approval_refused_after_the_grace_period(personas, model):
    version = ModelVersionFactory(
        model=model,
        stage=Stage.DEPRECATED,
        complete=True,
        stage_changed_at=timezone.now() - timedelta(days=29),
    )
    request = version_rollback(actor=personas["lead"], version_id=version.pk, justification="Back.")
    _decide(personas, "lead2", request)
    _set_stage(version, Stage.DEPRECATED, days_ago=31)
    ends = version.stage_changed_at + timedelta(days=30)

    with nothing_written(), pytest.raises(InvalidTransition) as refused:
        _decide(personas, "risk_officer", request)

    assert str(refused.value) == (
        f"The grace period of customer-churn-predictor {version.version} ended on "
        f"{ends:%Y-%m-%d}; it can no longer be rolled back to production."
    )


# --- approval_revoke -----------------------------------------------------------------


@pytest.fixture
def approved_production(production_request: ApprovalRequest, personas: dict) -> ApprovalRequest:
    return approve_all(production_request, personas)


def test_risk_officer_revokes_and_the_version_leaves_production(
    personas, model, approved_production
):
    version = approved_production.version
    mark = audit_mark()
    before = timezone.now()

    request = approval_revoke(
        actor=personas["risk_officer"], request_id=approved_production.pk, reason="Drift."
    )

    request.refresh_from_db()
    version.refresh_from_db()
    assert (request.status, request.revoked_by, request.revoke_reason) == (
        "revoked",
        personas["risk_officer"],
        "Drift.",
    )
    assert request.revoked_at >= before
    assert version.stage == "deprecated"
    assert version.stage_changed_at >= before
    assert new_events(mark) == [
        (
            "approval.revoked",
            "risk_officer",
            model.pk,
            version.pk,
            request.pk,
            {"version": "2.4.1", "reason": "Drift."},
        ),
        (
            "model.deprecated",
            "risk_officer",
            model.pk,
            version.pk,
            request.pk,
            {
                "version": "2.4.1",
                "from": "production",
                "to": "deprecated",
                "reason": "approval revoked: Drift.",
            },
        ),
    ]
    assert history(request)[-1] == ("~", "risk_officer", "revoked")
    assert history(version)[-1] == ("~", "risk_officer", "production -> deprecated")


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("risk_officer", True),
        ("legal", True),
        ("global_risk", True),
        ("lead", False),
        ("lead2", False),
        ("engineer", False),
        ("admin", False),
        ("other_team_lead", False),
        ("no_role", False),
        ("superuser", False),
    ],
)
def test_who_may_revoke_an_approval(personas, approved_production, persona, allowed):
    def call() -> ApprovalRequest:
        return approval_revoke(
            actor=personas[persona], request_id=approved_production.pk, reason="Misbehaves."
        )

    if allowed:
        assert call().status == "revoked"
        return
    with nothing_written(), pytest.raises(PermissionDenied) as refused:
        call()
    assert str(refused.value) == (
        "To revoke an approval you need one of these roles on customer-churn-predictor: "
        "legal, risk_officer."
    )


@pytest.mark.parametrize("state", ["pending", "in_review", "rejected", "revoked"])
def test_only_approved_production_requests_can_be_revoked(personas, production_request, state):
    if state == "in_review":
        _decide(personas, "lead2", production_request)
    elif state == "rejected":
        _decide(personas, "lead2", production_request, approve=False, note="No.")
    elif state == "revoked":
        approve_all(production_request, personas)
        approval_revoke(actor=personas["legal"], request_id=production_request.pk, reason="Bad.")

    with nothing_written(), pytest.raises(DomainError) as refused:
        approval_revoke(
            actor=personas["risk_officer"], request_id=production_request.pk, reason="Why."
        )

    assert str(refused.value) == (
        "Only approved production requests can be revoked; "
        f"request #{production_request.pk} (to production) is {state}."
    )


def test_approved_staging_request_cannot_be_revoked(personas, version):
    request = promote(version, personas, "staging")

    with nothing_written(), pytest.raises(DomainError, match=r"\(to staging\) is approved\."):
        approval_revoke(actor=personas["risk_officer"], request_id=request.pk, reason="Why.")


def test_revocation_needs_a_reason(personas, approved_production):
    with nothing_written(), pytest.raises(ValidationError) as refused:
        approval_revoke(
            actor=personas["risk_officer"], request_id=approved_production.pk, reason=""
        )

    assert refused.value.message_dict == {"reason": ["Say why; this is kept in the audit trail."]}


def test_revoking_a_replaced_version_leaves_it_deprecated(personas, model, approved_production):
    old = approved_production.version
    newer = ModelVersionFactory(model=model, version="2.5.0", stage=Stage.STAGING, complete=True)
    promote(newer, personas, "production")
    mark = audit_mark()

    approval_revoke(actor=personas["legal"], request_id=approved_production.pk, reason="Late.")

    old.refresh_from_db()
    newer.refresh_from_db()
    assert (old.stage, newer.stage) == ("deprecated", "production")
    assert [e[0] for e in new_events(mark)] == ["approval.revoked"]


# --- reviews restarted by a card edit or a risk raise --------------------------------


def test_card_edit_during_review_sends_the_request_back_to_pending(
    personas, model, production_request
):
    version = production_request.version
    _decide(personas, "lead2", production_request)
    first = ApprovalDecision.objects.get(request=production_request)
    old_hash = production_request.card_hash
    mark = audit_mark()

    version_update_card(
        actor=personas["lead"], version_id=version.pk, changes={"intended_use": "Churn, v2."}
    )

    request = ApprovalRequest.objects.get(pk=production_request.pk)
    version.refresh_from_db()
    first.refresh_from_db()
    assert request.status == "pending"
    assert request.card_hash == version.card_hash() != old_hash
    assert request.required_roles == ["ml_lead", "risk_officer"]
    assert first.superseded_at is not None
    assert ApprovalDecision.objects.filter(request=request).count() == 1
    events = new_events(mark)
    assert [e[0] for e in events] == ["model.card_updated", "approval.restarted"]
    assert events[1] == (
        "approval.restarted",
        "lead",
        model.pk,
        version.pk,
        request.pk,
        {
            "reason": "card edited during review",
            "required_roles": {
                "before": ["ml_lead", "risk_officer"],
                "after": ["ml_lead", "risk_officer"],
            },
            "superseded_decisions": [{"approver": personas["lead2"].pk, "role": "ml_lead"}],
        },
    )
    assert history(first)[-1] == ("~", "lead", "card edited during review")
    assert history(request)[-1] == ("~", "lead", "card edited during review")


def test_superseded_decisions_no_longer_count(personas, production_request):
    version = production_request.version
    _decide(personas, "lead2", production_request)
    version_update_card(
        actor=personas["lead"], version_id=version.pk, changes={"intended_use": "Churn, v2."}
    )

    after_risk = _decide(personas, "risk_officer", production_request)
    assert after_risk.status == "in_review"
    after_lead = _decide(personas, "lead2", production_request, note="Re-read.")

    version.refresh_from_db()
    assert (after_lead.status, version.stage) == ("approved", "production")
    decisions = production_request.decisions.order_by("pk")
    assert [(d.approver.username, d.role, d.superseded_at is None) for d in decisions] == [
        ("lead2", "ml_lead", False),
        ("risk_officer", "risk_officer", True),
        ("lead2", "ml_lead", True),
    ]


def test_card_edit_restarts_a_pending_request_with_the_new_hash(personas, production_request):
    version = production_request.version
    mark = audit_mark()

    same = {"intended_use": version.intended_use}
    version_update_card(actor=personas["lead"], version_id=version.pk, changes=same)
    assert new_events(mark) == []

    version_update_card(
        actor=personas["engineer"], version_id=version.pk, changes={"known_limitations": ["New"]}
    )

    production_request.refresh_from_db()
    version.refresh_from_db()
    assert production_request.card_hash == version.card_hash()
    assert [e[0] for e in new_events(mark)] == ["model.card_updated", "approval.restarted"]


def test_card_edit_leaves_closed_requests_alone(personas, approved_production):
    version = approved_production.version
    mark = audit_mark()

    version_update_card(
        actor=personas["lead"], version_id=version.pk, changes={"known_limitations": ["More"]}
    )

    approved_production.refresh_from_db()
    assert approved_production.status == "approved"
    assert [e[0] for e in new_events(mark)] == ["model.card_updated"]
    assert approved_production.decisions.filter(superseded_at__isnull=False).count() == 0


def test_risk_raise_restarts_review_and_adds_legal(personas, model, production_request):
    version = production_request.version
    _decide(personas, "lead2", production_request)
    mark = audit_mark()

    model_update(actor=personas["risk_officer"], model_id=model.pk, changes={"risk_level": "high"})

    request = ApprovalRequest.objects.get(pk=production_request.pk)
    assert (request.status, request.required_roles) == (
        "pending",
        ["legal", "ml_lead", "risk_officer"],
    )
    assert request.decisions.get().superseded_at is not None
    assert new_events(mark) == [
        (
            "model.risk_changed",
            "risk_officer",
            model.pk,
            None,
            None,
            {"before": {"risk_level": "medium"}, "after": {"risk_level": "high"}},
        ),
        (
            "approval.restarted",
            "risk_officer",
            model.pk,
            version.pk,
            request.pk,
            {
                "reason": "risk raised from medium to high",
                "required_roles": {
                    "before": ["ml_lead", "risk_officer"],
                    "after": ["legal", "ml_lead", "risk_officer"],
                },
                "superseded_decisions": [{"approver": personas["lead2"].pk, "role": "ml_lead"}],
            },
        ),
    ]
    assert history(request)[-1] == ("~", "risk_officer", "risk raised from medium to high")

    for who in ("lead2", "risk_officer"):
        request = _decide(personas, who, request)
    assert request.status == "in_review"
    assert _decide(personas, "legal", request).status == "approved"


def test_risk_raise_restarts_staging_requests_with_the_same_roles(personas, model, version):
    request = request_promotion(version, personas, "staging")

    model_update(actor=personas["admin"], model_id=model.pk, changes={"risk_level": "critical"})

    request.refresh_from_db()
    assert (request.status, request.required_roles) == ("pending", ["ml_engineer"])
    assert request.history.first().history_change_reason == "risk raised from medium to critical"


def test_risk_lowering_keeps_the_roles_fixed_at_request_time(personas, model):
    model.risk_level = "high"
    model.save()
    version = ModelVersionFactory(model=model, stage=Stage.STAGING, complete=True)
    request = request_promotion(version, personas, "production")
    _decide(personas, "legal", request)
    mark = audit_mark()

    model_update(actor=personas["risk_officer"], model_id=model.pk, changes={"risk_level": "low"})

    request.refresh_from_db()
    assert (request.status, request.required_roles) == (
        "in_review",
        ["legal", "ml_lead", "risk_officer"],
    )
    assert request.decisions.get().superseded_at is None
    assert [e[0] for e in new_events(mark)] == ["model.risk_changed"]


def test_risk_raise_over_an_incomplete_card_blocks_the_final_approval(personas, model):
    card = {**COMPLETE_CARD, "ethical_considerations": []}
    version = ModelVersionFactory(model=model, stage=Stage.STAGING, **card)
    request = request_promotion(version, personas, "production")
    model_update(actor=personas["risk_officer"], model_id=model.pk, changes={"risk_level": "high"})
    _decide(personas, "lead2", request)
    _decide(personas, "legal", request)

    with nothing_written(), pytest.raises(CardIncomplete) as refused:
        _decide(personas, "risk_officer", request)

    assert str(refused.value) == "Card incomplete: ethical_considerations."


@pytest.mark.parametrize("value", [1e20, 1e16, 2.5e-7, 12345678.0, -0.0])
def test_card_edit_with_any_number_keeps_the_review_decidable(personas, production_request, value):
    """The hash a restarted review keeps must be the hash of the card as stored."""
    version = production_request.version
    version_update_card(
        actor=personas["lead"],
        version_id=version.pk,
        changes={"hyperparameters": {"max_depth": 6, "n_samples": value}},
    )

    request = _decide(personas, "lead2", production_request)

    version.refresh_from_db()
    assert request.status == "in_review"
    assert request.card_hash == version.card_hash()


@pytest.mark.parametrize(
    ("stage", "target"),
    [("development", "production"), ("production", "staging"), ("retired", "staging")],
)
def test_people_without_the_requester_role_learn_nothing_about_the_version(
    personas, model, stage, target
):
    bare = ModelVersionFactory(model=model, version="0.9.0", stage=stage)

    with nothing_written(), pytest.raises(PermissionDenied, match=f"To request {target}"):
        approval_create(
            actor=personas["no_role"], version_id=bare.pk, target_stage=target, justification="Go."
        )


def test_only_the_approval_that_put_the_version_back_can_be_revoked(
    personas, model, approved_production
):
    version = approved_production.version
    version_deprecate(actor=personas["lead"], version_id=version.pk, reason="Incident.")
    rollback = approve_all(
        version_rollback(actor=personas["lead"], version_id=version.pk, justification="Fixed."),
        personas,
    )

    with nothing_written(), pytest.raises(DomainError, match="revoke that one"):
        approval_revoke(
            actor=personas["risk_officer"], request_id=approved_production.pk, reason="Old."
        )
    approval_revoke(actor=personas["risk_officer"], request_id=rollback.pk, reason="Again.")

    version.refresh_from_db()
    assert version.stage == Stage.DEPRECATED


def test_a_restart_never_drops_a_role_fixed_when_the_request_was_made(personas, model):
    model.risk_level = "high"
    model.save()
    version = ModelVersionFactory(model=model, version="3.0.0", stage=Stage.STAGING, complete=True)
    request = request_promotion(version, personas, Stage.PRODUCTION)
    model_update(actor=personas["admin"], model_id=model.pk, changes={"risk_level": "low"})

    version_update_card(
        actor=personas["engineer"], version_id=version.pk, changes={"intended_use": "Edited."}
    )

    request.refresh_from_db()
    assert (request.status, request.required_roles) == (
        "pending",
        ["legal", "ml_lead", "risk_officer"],
    )


def test_a_target_stage_that_is_not_text_is_refused(personas, staging_version):
    with nothing_written(), pytest.raises(InvalidTransition, match="Choose a target stage"):
        approval_create(
            actor=personas["lead"],
            version_id=staging_version.pk,
            target_stage=["production"],
            justification="Go.",
        )
