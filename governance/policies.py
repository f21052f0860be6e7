"""The only code that answers "may X do Y" and "which roles must approve".

Every check raises PermissionDenied (wrong person), SegregationOfDuties, or a
DomainError (wrong state) with a message for people; ``can`` turns a check into a
boolean for templates. Services call these on rows they have locked.
"""

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from functools import reduce
from operator import or_

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone

from governance.actors import Actor, SystemActor
from governance.exceptions import (
    CardIncomplete,
    DomainError,
    InvalidTransition,
    SegregationOfDuties,
)
from governance.models import (
    ApprovalRequest,
    ApprovalStatus,
    Environment,
    IncidentStatus,
    ModelVersion,
    RegisteredModel,
    ReviewSchedule,
    RiskClassification,
    RiskLevel,
    Role,
    SeriousIncident,
    Stage,
    Team,
)
from governance.roles import global_roles, roles_on_model, roles_on_team

REQUIRED_ROLES = {  # (target stage, elevated risk?) -> roles that must approve
    (Stage.STAGING, False): frozenset({Role.ML_ENGINEER}),
    (Stage.STAGING, True): frozenset({Role.ML_ENGINEER}),
    (Stage.PRODUCTION, False): frozenset({Role.ML_LEAD, Role.RISK_OFFICER}),
    (Stage.PRODUCTION, True): frozenset({Role.ML_LEAD, Role.RISK_OFFICER, Role.LEGAL}),
}
ROLLBACK_ROLES = frozenset({Role.ML_LEAD, Role.RISK_OFFICER})
RISK_ORDER = [RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH, RiskLevel.CRITICAL]
ELEVATED_RISK = frozenset({RiskLevel.HIGH, RiskLevel.CRITICAL})

# Moves that need an approval request, and moves a person (or the system) makes directly.
APPROVAL_MOVES = {
    (Stage.DEVELOPMENT, Stage.STAGING),
    (Stage.STAGING, Stage.PRODUCTION),
    (Stage.DEPRECATED, Stage.PRODUCTION),  # rollback within the grace period
}
DIRECT_MOVES = {
    (Stage.PRODUCTION, Stage.DEPRECATED): frozenset({Role.ML_LEAD, Role.RISK_OFFICER}),
    (Stage.DEPRECATED, Stage.RETIRED): frozenset({Role.ML_LEAD}),
    (Stage.DEVELOPMENT, Stage.RETIRED): frozenset({Role.ML_LEAD}),  # abandon
    (Stage.STAGING, Stage.RETIRED): frozenset({Role.ML_LEAD}),  # abandon
}
# The system (retirement engine) deprecates on a trigger and retires after the grace period.
SYSTEM_MOVES = {(Stage.PRODUCTION, Stage.DEPRECATED), (Stage.DEPRECATED, Stage.RETIRED)}

REQUESTER_ROLES = {
    Stage.STAGING: frozenset({Role.ML_ENGINEER, Role.ML_LEAD}),
    Stage.PRODUCTION: frozenset({Role.ML_LEAD}),
}
AUTHOR_ROLES = frozenset({Role.ML_ENGINEER, Role.ML_LEAD})  # register, edit cards
REPORTER_ROLES = frozenset({Role.ML_ENGINEER, Role.ML_LEAD})  # metrics, deployments
REVOKER_ROLES = frozenset({Role.RISK_OFFICER, Role.LEGAL})
RISK_SETTER_ROLES = frozenset({Role.RISK_OFFICER, Role.GOVERNANCE_ADMIN})
MODEL_EDITOR_ROLES = frozenset({Role.ML_LEAD, Role.GOVERNANCE_ADMIN})
MODEL_POLICY_ROLES = frozenset({Role.RISK_OFFICER, Role.GOVERNANCE_ADMIN})
ALERT_HANDLER_ROLES = frozenset({Role.ML_LEAD, Role.RISK_OFFICER})
ROLE_MANAGER_ROLES = frozenset({Role.GOVERNANCE_ADMIN})
TAGGER_ROLES = frozenset({Role.ML_ENGINEER, Role.ML_LEAD, Role.GOVERNANCE_ADMIN})
TOKEN_MANAGER_ROLES = frozenset({Role.GOVERNANCE_ADMIN})  # for other people's tokens

PRODUCTION_CARD_FIELDS = (
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
)


def _names(roles: frozenset[Role] | set[Role]) -> str:
    return ", ".join(sorted(str(role) for role in roles))


def _require_role(held: frozenset[Role], allowed: frozenset[Role], action: str, on: str) -> None:
    if not held & allowed:
        raise PermissionDenied(
            f"To {action} you need one of these roles on {on}: {_names(allowed)}."
        )


def is_elevated(risk_level: str) -> bool:
    return risk_level in ELEVATED_RISK


def is_risk_raise(old: str, new: str) -> bool:
    return RISK_ORDER.index(RiskLevel(new)) > RISK_ORDER.index(RiskLevel(old))


# --- stages -----------------------------------------------------------------------


def require_move(version: ModelVersion, target: str) -> None:
    """Refuse moves that are not in the lifecycle at all, naming the ones that are."""
    if target not in Stage.values:
        raise InvalidTransition(f"Unknown stage '{target}'. Stages: {', '.join(Stage.values)}.")
    current = Stage(version.stage)
    allowed = sorted(t for (s, t) in APPROVAL_MOVES | set(DIRECT_MOVES) if s == current)
    if (current, target) not in APPROVAL_MOVES | set(DIRECT_MOVES):
        options = ", ".join(allowed) if allowed else "none (retired is final)"
        raise InvalidTransition(
            f"{version} is {current}; it cannot move to {target}. Allowed from {current}: "
            f"{options}."
        )


def needs_approval(version: ModelVersion, target: str) -> bool:
    return (version.stage, target) in APPROVAL_MOVES


def grace_period_ends(version: ModelVersion) -> datetime:
    return version.stage_changed_at + timedelta(days=version.model.grace_period_days)


def within_grace_period(version: ModelVersion) -> bool:
    return version.stage == Stage.DEPRECATED and timezone.now() < grace_period_ends(version)


def required_roles(version: ModelVersion, target: str) -> frozenset[Role]:
    """The roles that must approve moving this version to target, as the policy is now."""
    if is_rollback(version, target):
        return ROLLBACK_ROLES
    return REQUIRED_ROLES[(Stage(target), is_elevated(version.model.risk_level))]


def promotion_target(version: ModelVersion) -> Stage | None:
    """The stage a version can be requested for next (production again for a deprecated
    version: a rollback); None from production and retired."""
    return next((target for source, target in APPROVAL_MOVES if source == version.stage), None)


def is_rollback(version: ModelVersion, target: str) -> bool:
    return version.stage == Stage.DEPRECATED and target == Stage.PRODUCTION


def needs_complete_card(target: str) -> bool:
    """Only production requests (promotions and rollbacks) need a complete card."""
    return target == Stage.PRODUCTION


def card_fields_missing_for(version: ModelVersion, target: str) -> list[str]:
    """What the card lacks for a request to target."""
    return missing_card_fields(version) if needs_complete_card(target) else []


def require_can_ask_promotion(user: Actor, version: ModelVersion) -> None:
    """The promotion page is for those who may request the version's next stage (with no
    next stage: for anyone who may request promotions)."""
    target = promotion_target(version)
    allowed = REQUESTER_ROLES[target] if target else frozenset().union(*REQUESTER_ROLES.values())
    held = roles_on_model(user, version.model)
    _require_role(held, allowed, f"request {target or 'a promotion'}", version.model.name)


def missing_card_fields(version: ModelVersion) -> list[str]:
    """Card fields a production request needs and this card lacks, in card order; for a
    high-risk version, then the EU AI Act evidence it lacks (missing_production_evidence)."""
    needed = list(PRODUCTION_CARD_FIELDS)
    missing = [field for field in needed if getattr(version, field) in ("", None, [], {})]
    if is_elevated(version.model.risk_level):
        if not version.ethical_considerations:
            missing.append("ethical_considerations")
        if not version.performance_by_group and not version.fairness_assessment:
            missing.append("performance_by_group or fairness_assessment")
    return missing + missing_production_evidence(version)


def require_complete_card(version: ModelVersion) -> None:
    missing = missing_card_fields(version)
    if missing:
        raise CardIncomplete(missing)


def require_rollback_window(version: ModelVersion) -> None:
    if version.stage == Stage.DEPRECATED and not within_grace_period(version):
        ends = grace_period_ends(version)
        raise InvalidTransition(
            f"The grace period of {version} ended on {ends:%Y-%m-%d}; it can no longer be "
            "rolled back to production."
        )


def require_rollback(version: ModelVersion) -> None:
    """A rollback asks to put a deprecated version back in production."""
    if version.stage != Stage.DEPRECATED:
        raise InvalidTransition(
            f"Only deprecated versions can be rolled back; this one is {version.stage}."
        )


def require_can_request(user: Actor, version: ModelVersion, target: str) -> None:
    if not isinstance(target, str):
        raise InvalidTransition(f"Choose a target stage: {', '.join(Stage.values)}.")
    # Who may ask comes first: a person without the role learns nothing about the state.
    if target in REQUESTER_ROLES:
        held = roles_on_model(user, version.model)
        _require_role(held, REQUESTER_ROLES[Stage(target)], f"request {target}", version.model.name)
    require_move(version, target)
    if not needs_approval(version, target):
        raise InvalidTransition(
            f"Moving {version} to {target} needs no approval request; use the direct action."
        )
    require_rollback_window(version)
    if needs_complete_card(target):
        require_complete_card(version)


def require_can_move_directly(actor: Actor, version: ModelVersion, target: str) -> None:
    """Deprecate, retire and abandon: made by a person in an allowed role, or the system."""
    require_move(version, target)
    move = (Stage(version.stage), Stage(target))
    if move not in DIRECT_MOVES:
        raise InvalidTransition(f"Moving {version} to {target} needs an approval request.")
    if isinstance(actor, SystemActor):
        if move not in SYSTEM_MOVES:
            raise PermissionDenied(f"The system cannot move {version} to {target}.")
        if move == (Stage.DEPRECATED, Stage.RETIRED) and within_grace_period(version):
            raise InvalidTransition(
                f"{version} is in its grace period until {grace_period_ends(version):%Y-%m-%d}."
            )
        return
    held = roles_on_model(actor, version.model)
    _require_role(held, DIRECT_MOVES[move], f"move a version to {target}", version.model.name)


# --- approvals --------------------------------------------------------------------


def filled_roles(request: ApprovalRequest) -> dict[Role, int]:
    """Role -> approver id of the live (not superseded) decisions on the request."""
    return {
        Role(decision.role): decision.approver_id
        for decision in request.decisions.all()
        if decision.superseded_at is None
    }


def missing_roles(request: ApprovalRequest) -> frozenset[Role]:
    """Required roles without a live decision yet."""
    return frozenset(Role(name) for name in request.required_roles) - set(filled_roles(request))


def require_can_decide(user: Actor, request: ApprovalRequest, role: str | None) -> Role:
    """Check a reviewer may decide now, and return the role the decision fills."""
    if not request.is_open:
        raise DomainError(f"Request #{request.pk} is {request.status}; it takes no more decisions.")
    if isinstance(user, SystemActor):
        raise PermissionDenied("Only people decide on approval requests.")
    if user.pk == request.requester_id:
        raise SegregationOfDuties("You requested this promotion; another reviewer must decide.")
    filled = filled_roles(request)
    if user.pk in filled.values():
        raise SegregationOfDuties(
            "You already decided on this request; one person fills at most one role."
        )
    required = frozenset(Role(name) for name in request.required_roles)
    if role is not None:
        if role not in Role.values:
            raise DomainError(f"Unknown role '{role}'. Roles: {', '.join(Role.values)}.")
        if role not in required:
            raise DomainError(f"This request needs {_names(required)}; {role} is not one of them.")
        if Role(role) in filled:
            raise DomainError(f"The {role} decision on this request has already been made.")
    missing = missing_roles(request)
    candidates = roles_on_model(user, request.version.model) & ({Role(role)} if role else missing)
    if not candidates:
        wanted = role or _names(missing)
        raise PermissionDenied(
            f"To decide on this request you need one of these roles on "
            f"{request.version.model.name}: {wanted}."
        )
    if len(candidates) > 1:
        raise DomainError(
            f"You hold several of the missing roles ({_names(candidates)}); choose the one you "
            "decide in."
        )
    return next(iter(candidates))


def awaits_decision_from(user: Actor, held: frozenset[Role], request: ApprovalRequest) -> bool:
    """Is the request open, not the person's own, undecided by them, and missing a role they
    hold? (``held``: their roles on the request's model; decisions may be prefetched.)"""
    if not request.is_open or isinstance(user, SystemActor) or user.pk == request.requester_id:
        return False
    if user.pk in filled_roles(request).values():
        return False
    return bool(missing_roles(request) & held)


def decidable_roles(user: Actor, request: ApprovalRequest) -> frozenset[Role]:
    """The roles require_can_decide(user, request, role) accepts now, in one roles query;
    several mean the person must choose the role they decide in."""
    held = roles_on_model(user, request.version.model)
    if not awaits_decision_from(user, held, request):
        return frozenset()
    return missing_roles(request) & held


def status_after(request: ApprovalRequest, rejected: bool) -> str:
    """After a decision: any rejection rejects; when no required role is missing the request
    is approved; otherwise it is in review (it has at least this approval)."""
    if rejected:
        return ApprovalStatus.REJECTED
    return ApprovalStatus.IN_REVIEW if missing_roles(request) else ApprovalStatus.APPROVED


def require_can_apply(request: ApprovalRequest, version: ModelVersion) -> None:
    """At the final approval, the move must still be valid for the version as it is now."""
    if version.stage != request.from_stage:
        raise InvalidTransition(
            f"{version} moved from {request.from_stage} to {version.stage} since the request "
            "was made; make a new request."
        )
    require_move(version, request.target_stage)
    require_rollback_window(version)
    if request.target_stage == Stage.PRODUCTION:
        require_complete_card(version)


def require_can_revoke(user: Actor, request: ApprovalRequest) -> None:
    model = request.version.model
    _require_role(roles_on_model(user, model), REVOKER_ROLES, "revoke an approval", model.name)
    if request.status != ApprovalStatus.APPROVED or request.target_stage != Stage.PRODUCTION:
        raise DomainError(
            f"Only approved production requests can be revoked; request #{request.pk} "
            f"(to {request.target_stage}) is {request.status}."
        )
    latest = current_production_approval(request.version)
    if latest is not None and latest.pk != request.pk:
        raise DomainError(
            f"Request #{request.pk} was followed by request #{latest.pk}, which put "
            f"{request.version} back in production; revoke that one."
        )


# Stages a version is in before it ever reaches production (it never comes back to them).
PRE_PRODUCTION_STAGES = frozenset({Stage.DEVELOPMENT, Stage.STAGING})


def current_production_approval(version: ModelVersion) -> ApprovalRequest | None:
    """The approval that put the version in production last (cards show its approvers)."""
    if version.stage in PRE_PRODUCTION_STAGES:
        return None  # production is reached only through such an approval: none yet
    return (
        version.approval_requests.filter(
            target_stage=Stage.PRODUCTION, status=ApprovalStatus.APPROVED
        )
        .order_by("-decided_at", "-pk")
        .first()
    )


def production_approval_among(
    version: ModelVersion, requests: Iterable[ApprovalRequest]
) -> ApprovalRequest | None:
    """current_production_approval, over the version's requests already loaded (the Annex
    IV document loads them all)."""
    if version.stage in PRE_PRODUCTION_STAGES:
        return None
    approved = [
        r
        for r in requests
        if r.target_stage == Stage.PRODUCTION and r.status == ApprovalStatus.APPROVED
    ]
    return max(approved, key=lambda r: (r.decided_at, r.pk), default=None)


# --- cards, models, reports ---------------------------------------------------------


def require_can_register_model(user: Actor, team: Team) -> None:
    _require_role(roles_on_team(user, team), AUTHOR_ROLES, "register a model", team.slug)


def require_can_register_version(user: Actor, model: RegisteredModel) -> None:
    _require_role(roles_on_model(user, model), AUTHOR_ROLES, "register a version", model.name)


def require_can_edit_card(user: Actor, version: ModelVersion) -> None:
    _require_role(
        roles_on_model(user, version.model), AUTHOR_ROLES, "edit a model card", version.model.name
    )
    if version.stage == Stage.RETIRED:
        raise DomainError(f"{version} is retired; its card is kept as it was.")


def require_can_update_model(user: Actor, model: RegisteredModel, fields: set[str]) -> None:
    """Risk level and policy flags are governance decisions; the rest is the lead's."""
    held = roles_on_model(user, model)
    if "risk_level" in fields:
        _require_role(held, RISK_SETTER_ROLES, "change the risk level", model.name)
    if fields & {"auto_deprecate", "grace_period_days"}:
        _require_role(held, MODEL_POLICY_ROLES, "change the model's policy", model.name)
    if fields & {"description", "owner"}:
        _require_role(held, MODEL_EDITOR_ROLES, "edit the model", model.name)


def require_can_tag(user: Actor, model: RegisteredModel) -> None:
    """Tags are labels, not governance: authors and admins of the model set them."""
    _require_role(roles_on_model(user, model), TAGGER_ROLES, "change tags", model.name)


def require_can_manage_token(user: Actor, owner: object) -> None:
    """People manage their own API tokens; superusers and global governance admins
    anyone's (to revoke a leaked token, or issue one for a service account)."""
    if isinstance(user, SystemActor) or user == owner or (user.is_active and user.is_superuser):
        return
    _require_role(global_roles(user), TOKEN_MANAGER_ROLES, "manage API tokens", "other people")


def require_can_verify_audit(user: Actor, sees_everything: bool) -> None:
    """Verifying the chain walks every event, other teams' too, and costs a pass over the
    trail: for people who may see everything (auditors, global roles, superusers)."""
    if not sees_everything:
        raise PermissionDenied("Verifying the whole audit trail needs read access to all.")


def require_can_report(user: Actor, model: RegisteredModel) -> None:
    """Metrics and deployment reports come from pipelines acting as an engineer or lead."""
    _require_role(roles_on_model(user, model), REPORTER_ROLES, "report on a model", model.name)


def require_can_acknowledge(user: Actor, model: RegisteredModel) -> None:
    held = roles_on_model(user, model)
    _require_role(held, ALERT_HANDLER_ROLES, "acknowledge an alert", model.name)


def require_can_manage_roles(user: Actor, scope: Team | RegisteredModel | None) -> None:
    """Governance admins (global, or of the team in scope) and superusers grant roles."""
    if isinstance(user, SystemActor):
        return
    if user.is_active and user.is_superuser:
        return
    if scope is None:
        held, where = global_roles(user), "everything"
    elif isinstance(scope, Team):
        held, where = roles_on_team(user, scope), scope.slug
    else:
        held, where = roles_on_model(user, scope), scope.name
    _require_role(held, ROLE_MANAGER_ROLES, "grant or revoke roles", where)


# The stages a version must be in to serve each environment. Deprecated and retired
# versions are approved nowhere: wherever they still serve, they are shadow models.
APPROVED_STAGES = {
    Environment.DEVELOPMENT: frozenset({Stage.DEVELOPMENT, Stage.STAGING, Stage.PRODUCTION}),
    Environment.STAGING: frozenset({Stage.STAGING, Stage.PRODUCTION}),
    Environment.PRODUCTION: frozenset({Stage.PRODUCTION}),
}


def is_approved_for(version: ModelVersion, environment: str) -> bool:
    """A version may serve production only in production, staging once it passed staging."""
    return version.stage in APPROVED_STAGES[Environment(environment)]


def shadow_deployments_filter(prefix: str = "") -> Q:
    """A filter on Deployment (prefix "") or rows reaching it: active deployments whose
    version is not approved for their environment (the is_approved_for table, in SQL)."""
    approved = reduce(
        or_,
        (
            Q(**{f"{prefix}environment": environment, f"{prefix}version__stage__in": stages})
            for environment, stages in APPROVED_STAGES.items()
        ),
    )
    return Q(**{f"{prefix}active": True}) & ~approved


# --- review schedule ---------------------------------------------------------------

REVIEW_PERIOD_DAYS = {
    ReviewSchedule.MONTHLY: 30,
    ReviewSchedule.QUARTERLY: 91,
    ReviewSchedule.SEMIANNUAL: 182,
    ReviewSchedule.ANNUAL: 365,
}


def next_review_due(schedule: str, last_review: datetime) -> datetime:
    """A production version is reviewed again one schedule period after its last review
    (the approval that put it in production, or its move there when none is recorded)."""
    return last_review + timedelta(days=REVIEW_PERIOD_DAYS[ReviewSchedule(schedule)])


def can(check: Callable[..., object], *args: object) -> bool:
    """Templates and selectors ask ``can(require_can_edit_card, user, version)``."""
    try:
        check(*args)
    except (PermissionDenied, DomainError):
        return False
    return True


def require_can_manage_teams(user: Actor) -> None:
    """Teams are created and renamed by global governance admins (or superusers)."""
    if isinstance(user, SystemActor) or (user.is_active and user.is_superuser):
        return
    _require_role(global_roles(user), ROLE_MANAGER_ROLES, "create or rename teams", "everything")


REVIEW_RECORDER_ROLES = frozenset({Role.RISK_OFFICER})


def require_can_mark_reviewed(user: Actor, version: ModelVersion) -> None:
    """A production version's scheduled review is recorded by a risk officer of its model
    (an approval to production is the other kind of review)."""
    held = roles_on_model(user, version.model)
    _require_role(held, REVIEW_RECORDER_ROLES, "record a review", version.model.name)
    if version.stage != Stage.PRODUCTION:
        raise DomainError(
            f"{version} is {version.stage}; only production versions are reviewed on a schedule."
        )


CLASSIFIER_ROLES = frozenset({Role.RISK_OFFICER, Role.ML_LEAD, Role.GOVERNANCE_ADMIN})


def require_can_classify(user: Actor, model: RegisteredModel) -> None:
    """The EU AI Act risk classification of a model is confirmed by a person holding
    risk_officer, ml_lead or governance_admin on it (on its team, on the model, or
    globally). A confirmation that changes the model's risk level also passes
    require_can_update_model (risk officers and governance admins), through model_update."""
    if isinstance(user, SystemActor):
        raise PermissionDenied("Only people confirm a risk classification.")
    held = roles_on_model(user, model)
    _require_role(held, CLASSIFIER_ROLES, "confirm a risk classification", model.name)


# --- serious incidents (EU AI Act Art. 73) -------------------------------------------

# Anyone working on the model records an incident; reporting it to the market surveillance
# authority and closing it are for risk officers and legal. Suspending the version while
# recording is a revocation of its production approval, so it needs REVOKER_ROLES.
INCIDENT_RECORDER_ROLES = frozenset({Role.ML_ENGINEER, Role.ML_LEAD, Role.RISK_OFFICER})
INCIDENT_AUTHORITY_ROLES = frozenset({Role.RISK_OFFICER, Role.LEGAL})
INCIDENT_EDITOR_ROLES = INCIDENT_RECORDER_ROLES | INCIDENT_AUTHORITY_ROLES
INCIDENT_REMINDED_ROLES = frozenset({Role.ML_LEAD, Role.RISK_OFFICER})  # and the owner


def require_can_record_incident(user: Actor, version: ModelVersion) -> None:
    """ML engineers, ML leads and risk officers of the model record its serious incidents."""
    held = roles_on_model(user, version.model)
    _require_role(held, INCIDENT_RECORDER_ROLES, "record a serious incident", version.model.name)


def require_can_suspend_for_incident(user: Actor, version: ModelVersion) -> ApprovalRequest:
    """Suspending a version on an incident revokes the approval that put it in production
    (the revoke path): the person must be allowed to revoke it. Returns that approval."""
    held = roles_on_model(user, version.model)
    _require_role(held, REVOKER_ROLES, "suspend a version", version.model.name)
    if version.stage != Stage.PRODUCTION:
        raise DomainError(
            f"{version} is {version.stage}, not in production: there is nothing to suspend. "
            "Record the incident without suspending it."
        )
    approval = current_production_approval(version)
    if approval is None:
        raise DomainError(f"No approved production request of {version} was found to revoke.")
    approval.version = version  # the caller's locked row, with its model
    require_can_revoke(user, approval)
    return approval


def require_can_handle_incident(user: Actor, model: RegisteredModel) -> None:
    """Reporting an incident to the authority and closing it: risk officers and legal."""
    held = roles_on_model(user, model)
    _require_role(held, INCIDENT_AUTHORITY_ROLES, "report or close a serious incident", model.name)


def require_can_report_incident(user: Actor, incident: SeriousIncident) -> None:
    require_can_handle_incident(user, incident.version.model)
    if incident.status != IncidentStatus.OPEN:
        closed = "is closed; it " if incident.status == IncidentStatus.CLOSED else ""
        raise DomainError(
            f"Incident #{incident.pk} {closed}was already reported to the authority on "
            f"{incident.reported_at:%Y-%m-%d}."
        )


def require_can_close_incident(user: Actor, incident: SeriousIncident) -> None:
    """An incident is closed once it was reported to the authority (Art. 73)."""
    require_can_handle_incident(user, incident.version.model)
    if incident.status == IncidentStatus.OPEN:
        raise DomainError(
            f"Incident #{incident.pk} has not been reported to the authority yet; report it "
            "before closing it."
        )
    if incident.status == IncidentStatus.CLOSED:
        raise DomainError(f"Incident #{incident.pk} is already closed.")


def require_can_edit_incident(user: Actor, model: RegisteredModel) -> None:
    """Those who record or report incidents keep their corrective action current."""
    held = roles_on_model(user, model)
    _require_role(held, INCIDENT_EDITOR_ROLES, "update a corrective action", model.name)


def require_can_update_corrective_action(user: Actor, incident: SeriousIncident) -> None:
    """Until the incident is closed."""
    require_can_edit_incident(user, incident.version.model)
    if incident.status == IncidentStatus.CLOSED:
        raise DomainError(f"Incident #{incident.pk} is closed; its record is kept as it was.")


# --- EU AI Act evidence before production (issue 6) ------------------------------------

# The compliance checklist items (governance.compliance) a version classified high-risk
# must not be missing when production is requested for it or granted: evidence that can
# exist before the version serves (classification, card sections, data governance, risk
# management, oversight, the monitoring plan), and one breach that must stop a rollback
# (an open serious incident past its reporting deadline, Art. 73 and 26(5)). Items that
# only exist after deployment (monitoring data, scheduled reviews, alerts), that the
# production approval itself creates (the risk officer's acceptance of residual risk), or
# that Tutela does not record (runtime logs, QMS, declaration of conformity, deployer
# notices) never block: they show on the checklist instead.
PRE_PRODUCTION_EVIDENCE = frozenset(
    {
        "art6.classification",
        "art6.exemption",
        "art9.risks",
        "art9.misuse",
        "art9.thresholds",
        "art10.datasheet",
        "art10.bias_examination",
        "art10.bias_mitigation",
        "art10.gaps",
        "annex_iv.1d",
        "annex_iv.1g",
        "annex_iv.2a",
        "annex_iv.2b",
        "annex_iv.2d",
        "annex_iv.2f",
        "annex_iv.2g",
        "annex_iv.3_limits",
        "annex_iv.3_accuracy",
        "annex_iv.3_risks",
        "annex_iv.3_input",
        "annex_iv.4",
        "annex_iv.6",
        "art13.purpose",
        "art13.performance",
        "art13.limitations",
        "art13.lifetime",
        "art14.understanding",
        "art14.stop",
        "art15.accuracy",
        "art15.integrity",
        "art26.instructions",
        "art26.incidents",
        "art72.plan",
        "art73.reporting",
    }
)


def missing_production_evidence(version: ModelVersion) -> list[str]:
    """For a version whose model is classified high-risk (Art. 6): the
    PRE_PRODUCTION_EVIDENCE items of its applicable articles that its checklist finds
    missing, as "Art. N: title", in checklist order; none for other versions. The
    classification decides, not the risk level: lowering the level by hand after a
    high-risk classification must not open the gate (one query per production request)."""
    if not RiskClassification.objects.filter(model_id=version.model_id, is_high_risk=True).exists():
        return []
    # Imported here: the checklist's checks use retirement_rules, which imports this module.
    from governance.compliance import checklist_for

    checklist = checklist_for(version.pk)
    return [item.label for item in checklist.missing_items if item.key in PRE_PRODUCTION_EVIDENCE]
