"""The approval policy, written out literally (never derived from governance.policies):
which roles a new request needs, who may decide in which role, segregation of duties,
and where a role must be held to count."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from guardian.shortcuts import assign_perm

from governance.actors import RETIREMENT
from governance.exceptions import DomainError, SegregationOfDuties
from governance.models import (
    ApprovalDecision,
    ApprovalRequest,
    ApprovalStatus,
    ModelVersion,
    RegisteredModel,
    Stage,
    Team,
)
from governance.services.approvals import approval_decide
from governance.services.versions import version_rollback
from tests.db_state import nothing_written
from tests.factories import ModelVersionFactory, RegisteredModelFactory, UserFactory, grant
from tests.workflows import request_promotion

FROM_STAGE = {"staging": Stage.DEVELOPMENT, "production": Stage.STAGING}


def _set_risk(model: RegisteredModel, risk: str) -> None:
    model.risk_level = risk
    model.save()


def _open_request(model: RegisteredModel, personas: dict, target: str) -> ApprovalRequest:
    version = ModelVersionFactory(model=model, stage=FROM_STAGE[target], complete=True)
    return request_promotion(version, personas, target)


def _person_with_only(role: str, scope: RegisteredModel) -> User:
    user = UserFactory(username=f"only-{role}")
    grant(user, role, scope)
    return user


@pytest.mark.parametrize(
    ("target", "risk", "required_roles"),
    [
        ("staging", "low", ["ml_engineer"]),
        ("staging", "medium", ["ml_engineer"]),
        ("staging", "high", ["ml_engineer"]),
        ("staging", "critical", ["ml_engineer"]),
        ("production", "low", ["ml_lead", "risk_officer"]),
        ("production", "medium", ["ml_lead", "risk_officer"]),
        ("production", "high", ["legal", "ml_lead", "risk_officer"]),
        ("production", "critical", ["legal", "ml_lead", "risk_officer"]),
    ],
)
def test_new_request_requires_the_roles_of_the_policy_table(
    personas, model, target, risk, required_roles
):
    _set_risk(model, risk)

    request = _open_request(model, personas, target)

    assert request.required_roles == required_roles
    assert request.status == ApprovalStatus.PENDING


DECISION_MATRIX = [
    # (risk, target, the only role the decider holds on the model, outcome)
    ("low", "staging", "ml_engineer", "approved"),
    ("low", "staging", "ml_lead", "refused"),
    ("low", "staging", "risk_officer", "refused"),
    ("low", "staging", "legal", "refused"),
    ("low", "staging", "governance_admin", "refused"),
    ("medium", "staging", "ml_engineer", "approved"),
    ("medium", "staging", "ml_lead", "refused"),
    ("medium", "staging", "risk_officer", "refused"),
    ("medium", "staging", "legal", "refused"),
    ("medium", "staging", "governance_admin", "refused"),
    ("high", "staging", "ml_engineer", "approved"),
    ("high", "staging", "ml_lead", "refused"),
    ("high", "staging", "risk_officer", "refused"),
    ("high", "staging", "legal", "refused"),
    ("high", "staging", "governance_admin", "refused"),
    ("critical", "staging", "ml_engineer", "approved"),
    ("critical", "staging", "ml_lead", "refused"),
    ("critical", "staging", "risk_officer", "refused"),
    ("critical", "staging", "legal", "refused"),
    ("critical", "staging", "governance_admin", "refused"),
    ("low", "production", "ml_engineer", "refused"),
    ("low", "production", "ml_lead", "in_review"),
    ("low", "production", "risk_officer", "in_review"),
    ("low", "production", "legal", "refused"),
    ("low", "production", "governance_admin", "refused"),
    ("medium", "production", "ml_engineer", "refused"),
    ("medium", "production", "ml_lead", "in_review"),
    ("medium", "production", "risk_officer", "in_review"),
    ("medium", "production", "legal", "refused"),
    ("medium", "production", "governance_admin", "refused"),
    ("high", "production", "ml_engineer", "refused"),
    ("high", "production", "ml_lead", "in_review"),
    ("high", "production", "risk_officer", "in_review"),
    ("high", "production", "legal", "in_review"),
    ("high", "production", "governance_admin", "refused"),
    ("critical", "production", "ml_engineer", "refused"),
    ("critical", "production", "ml_lead", "in_review"),
    ("critical", "production", "risk_officer", "in_review"),
    ("critical", "production", "legal", "in_review"),
    ("critical", "production", "governance_admin", "refused"),
]


@pytest.mark.parametrize(("risk", "target", "role", "outcome"), DECISION_MATRIX)
def test_who_may_decide_by_risk_target_and_role(personas, model, risk, target, role, outcome):
    _set_risk(model, risk)
    request = _open_request(model, personas, target)
    decider = _person_with_only(role, model)

    if outcome == "refused":
        with nothing_written(), pytest.raises(PermissionDenied, match="To decide on this request"):
            approval_decide(actor=decider, request_id=request.pk, approve=True, note="")
        return
    request = approval_decide(actor=decider, request_id=request.pk, approve=True, note="")

    assert request.status == outcome
    decision = request.decisions.get()
    assert (decision.approver, decision.role, decision.decision) == (decider, role, "approved")
    request.version.refresh_from_db()
    expected_stage = target if outcome == "approved" else FROM_STAGE[target]
    assert request.version.stage == expected_stage


@pytest.mark.parametrize(
    ("risk", "approving_roles", "status", "stage"),
    [
        ("medium", ["ml_lead"], "in_review", "staging"),
        ("medium", ["ml_lead", "risk_officer"], "approved", "production"),
        ("high", ["ml_lead", "risk_officer"], "in_review", "staging"),
        ("high", ["risk_officer", "legal"], "in_review", "staging"),
        ("high", ["ml_lead", "risk_officer", "legal"], "approved", "production"),
        ("critical", ["legal", "risk_officer", "ml_lead"], "approved", "production"),
    ],
)
def test_production_is_approved_only_when_every_required_role_approved(
    personas, model, risk, approving_roles, status, stage
):
    _set_risk(model, risk)
    request = _open_request(model, personas, "production")

    for role in approving_roles:
        request = approval_decide(
            actor=_person_with_only(role, model), request_id=request.pk, approve=True, note=""
        )

    assert request.status == status
    request.version.refresh_from_db()
    assert request.version.stage == stage


@pytest.mark.parametrize("risk", ["low", "medium", "high", "critical"])
def test_rollback_requires_ml_lead_and_risk_officer_at_every_risk_level(personas, model, risk):
    _set_risk(model, risk)
    version = ModelVersionFactory(
        model=model,
        stage=Stage.DEPRECATED,
        complete=True,
        stage_changed_at=timezone.now() - timedelta(days=1),
    )

    request = version_rollback(actor=personas["lead"], version_id=version.pk, justification="Back.")

    assert request.required_roles == ["ml_lead", "risk_officer"]
    assert (request.from_stage, request.target_stage) == ("deprecated", "production")


@pytest.mark.parametrize(
    ("role", "outcome"),
    [
        ("ml_engineer", "refused"),
        ("ml_lead", "in_review"),
        ("risk_officer", "in_review"),
        ("legal", "refused"),
        ("governance_admin", "refused"),
    ],
)
def test_who_may_decide_a_rollback(personas, model, role, outcome):
    _set_risk(model, "high")
    version = ModelVersionFactory(model=model, stage=Stage.DEPRECATED, complete=True)
    request = version_rollback(actor=personas["lead"], version_id=version.pk, justification="Back.")
    decider = _person_with_only(role, model)

    if outcome == "refused":
        with nothing_written(), pytest.raises(PermissionDenied):
            approval_decide(actor=decider, request_id=request.pk, approve=True, note="")
        return
    assert approval_decide(actor=decider, request_id=request.pk, approve=True, note="").status == (
        outcome
    )


def test_rollback_approved_by_ml_lead_and_risk_officer_returns_version_to_production(
    personas, model
):
    _set_risk(model, "critical")
    old = ModelVersionFactory(model=model, stage=Stage.DEPRECATED, complete=True)
    current = ModelVersionFactory(model=model, stage=Stage.PRODUCTION, complete=True)
    request = version_rollback(actor=personas["lead"], version_id=old.pk, justification="Back.")

    for reviewer in ("lead2", "risk_officer"):
        request = approval_decide(
            actor=personas[reviewer], request_id=request.pk, approve=True, note=""
        )

    assert request.status == ApprovalStatus.APPROVED
    stages = dict(ModelVersion.objects.filter(model=model).values_list("pk", "stage"))
    assert stages == {old.pk: "production", current.pk: "deprecated"}


# --- segregation of duties ------------------------------------------------------------


@pytest.mark.parametrize(("target", "requester"), [("staging", "engineer"), ("production", "lead")])
def test_requester_cannot_decide_own_request(personas, model, target, requester):
    request = _open_request(model, personas, target)
    assert request.requester == personas[requester]

    with (
        nothing_written(),
        pytest.raises(SegregationOfDuties) as refused,
    ):
        approval_decide(actor=personas[requester], request_id=request.pk, approve=True, note="")

    assert str(refused.value) == "You requested this promotion; another reviewer must decide."


def test_requester_cannot_reject_own_request_either(personas, model):
    request = _open_request(model, personas, "production")

    with nothing_written(), pytest.raises(SegregationOfDuties, match="You requested"):
        approval_decide(actor=personas["lead"], request_id=request.pk, approve=False, note="No.")


def test_person_holding_two_required_roles_decides_only_once(personas, model):
    request = _open_request(model, personas, "production")
    both = UserFactory(username="lead-and-risk")
    grant(both, "ml_lead", model)
    grant(both, "risk_officer", model)
    request = approval_decide(
        actor=both, request_id=request.pk, approve=True, note="", role="ml_lead"
    )
    assert request.status == ApprovalStatus.IN_REVIEW

    with nothing_written(), pytest.raises(SegregationOfDuties) as refused:
        approval_decide(
            actor=both, request_id=request.pk, approve=True, note="", role="risk_officer"
        )

    assert str(refused.value) == (
        "You already decided on this request; one person fills at most one role."
    )
    assert list(request.decisions.values_list("approver__username", "role")) == [
        ("lead-and-risk", "ml_lead")
    ]


def test_person_holding_two_missing_roles_must_choose_one(personas, model):
    request = _open_request(model, personas, "production")
    both = UserFactory(username="lead-and-risk")
    grant(both, "ml_lead", model)
    grant(both, "risk_officer", model)

    with nothing_written(), pytest.raises(DomainError) as refused:
        approval_decide(actor=both, request_id=request.pk, approve=True, note="")

    assert str(refused.value) == (
        "You hold several of the missing roles (ml_lead, risk_officer); choose the one you "
        "decide in."
    )


def test_person_holding_two_roles_fills_the_one_still_missing(personas, model):
    request = _open_request(model, personas, "production")
    approval_decide(actor=personas["lead2"], request_id=request.pk, approve=True, note="")
    both = UserFactory(username="lead-and-risk")
    grant(both, "ml_lead", model)
    grant(both, "risk_officer", model)

    request = approval_decide(actor=both, request_id=request.pk, approve=True, note="")

    assert request.status == ApprovalStatus.APPROVED
    assert ApprovalDecision.objects.get(request=request, approver=both).role == "risk_officer"


# --- where a role counts ----------------------------------------------------------------


def _grant_globally(user: User, model: RegisteredModel, other_team: Team) -> None:
    grant(user, "risk_officer")


def _grant_on_model(user: User, model: RegisteredModel, other_team: Team) -> None:
    grant(user, "risk_officer", model)


def _grant_on_team(user: User, model: RegisteredModel, other_team: Team) -> None:
    grant(user, "risk_officer", model.team)


def _grant_to_a_group_on_team(user: User, model: RegisteredModel, other_team: Team) -> None:
    reviewers = Group.objects.create(name="fraud-reviewers")
    assign_perm("governance.act_as_risk_officer", reviewers, model.team)
    user.groups.add(reviewers)


def _grant_on_other_team(user: User, model: RegisteredModel, other_team: Team) -> None:
    grant(user, "risk_officer", other_team)


def _grant_on_other_model_of_same_team(
    user: User, model: RegisteredModel, other_team: Team
) -> None:
    sibling = RegisteredModelFactory(name="sibling", team=model.team, owner=model.owner)
    grant(user, "risk_officer", sibling)


def _make_superuser(user: User, model: RegisteredModel, other_team: Team) -> None:
    user.is_superuser = user.is_staff = True
    user.save()


def _grant_model_wide_django_permissions(
    user: User, model: RegisteredModel, other_team: Team
) -> None:
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="governance", codename="act_as_risk_officer"
        )
    )


def _join_the_auditors_group(user: User, model: RegisteredModel, other_team: Team) -> None:
    user.groups.add(Group.objects.get(name="auditors"))


@pytest.mark.parametrize(
    ("how", "may_decide"),
    [
        (_grant_globally, True),
        (_grant_on_model, True),
        (_grant_on_team, True),
        (_grant_to_a_group_on_team, False),  # not granted through role_grant
        (_grant_on_other_team, False),
        (_grant_on_other_model_of_same_team, False),
        (_make_superuser, False),
        (_grant_model_wide_django_permissions, False),
        (_join_the_auditors_group, False),
    ],
)
def test_approver_must_hold_the_role_for_this_model(personas, model, other_team, how, may_decide):
    request = _open_request(model, personas, "production")
    reviewer = UserFactory(username="reviewer")
    how(reviewer, model, other_team)

    if not may_decide:
        with nothing_written(), pytest.raises(PermissionDenied) as refused:
            approval_decide(actor=reviewer, request_id=request.pk, approve=True, note="")
        assert str(refused.value) == (
            "To decide on this request you need one of these roles on "
            "customer-churn-predictor: ml_lead, risk_officer."
        )
        return
    request = approval_decide(actor=reviewer, request_id=request.pk, approve=True, note="")
    assert list(request.decisions.values_list("approver__username", "role")) == [
        ("reviewer", "risk_officer")
    ]


def test_model_wide_permission_on_teams_does_not_count_either(personas, model):
    request = _open_request(model, personas, "production")
    reviewer = UserFactory(username="reviewer")
    reviewer.user_permissions.add(*Permission.objects.filter(codename__startswith="act_as_"))

    with nothing_written(), pytest.raises(PermissionDenied):
        approval_decide(actor=reviewer, request_id=request.pk, approve=True, note="")


def test_inactive_person_holds_no_role(personas, model):
    request = _open_request(model, personas, "production")
    risk = personas["risk_officer"]
    risk.is_active = False
    risk.save()

    with nothing_written(), pytest.raises(PermissionDenied):
        approval_decide(actor=risk, request_id=request.pk, approve=True, note="")


def test_system_actor_cannot_decide(personas, model):
    request = _open_request(model, personas, "production")

    with nothing_written(), pytest.raises(PermissionDenied) as refused:
        approval_decide(actor=RETIREMENT, request_id=request.pk, approve=True, note="")

    assert str(refused.value) == "Only people decide on approval requests."
