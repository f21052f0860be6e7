"""Plays the demo catalogue through the services, as the people would: requests, reviews,
promotions, deprecations, monitoring and deployment reports. Every step writes its
history row and audit event like any other use of Tutela."""

import datetime
import random

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from governance.management.commands._seed_demo_catalog import (
    TEAMS,
    ModelSpec,
    OpenRequest,
    VersionSpec,
    card_for,
)
from governance.management.commands._seed_people import (
    SeedLog,
    ensure_team_role,
    ensure_user,
)
from governance.models import (
    ApprovalRequest,
    ApprovalStatus,
    Environment,
    ModelVersion,
    RegisteredModel,
    Role,
    Stage,
    Team,
)
from governance.services.approvals import approval_create, approval_decide
from governance.services.deployments import deployment_record
from governance.services.metrics import metrics_record
from governance.services.registered_models import model_register
from governance.services.teams import team_create
from governance.services.versions import version_deprecate, version_register, version_retire

People = dict[str, AbstractBaseUser]

REVIEWER_FOR_ROLE = {
    Role.ML_ENGINEER: "engineer",
    Role.ML_LEAD: "lead",
    Role.RISK_OFFICER: "risk",
    Role.LEGAL: "legal",
}
# The approvals a version went through to reach its stage (deprecated and retired
# versions served production first, unless they were abandoned in development).
ROUTES = {
    Stage.DEVELOPMENT: (),
    Stage.STAGING: (Stage.STAGING,),
    Stage.PRODUCTION: (Stage.STAGING, Stage.PRODUCTION),
    Stage.DEPRECATED: (Stage.STAGING, Stage.PRODUCTION),
    Stage.RETIRED: (Stage.STAGING, Stage.PRODUCTION),
}
HISTORY_DAYS = 90
DRIFT_DAYS = 14  # the drifting series turns this many days before today


def ensure_teams(people: People, log: SeedLog, *, password: str | None) -> dict[str, Team]:
    """The two teams, each with a lead who holds ml_lead for that team's models only."""
    admin, teams = people["admin"], {}
    for spec in TEAMS:
        team = Team.objects.filter(slug=spec.slug).first()
        if team is None:
            team = team_create(
                actor=admin, slug=spec.slug, name=spec.name, description=spec.description
            )
            log.add("teams")
        lead = ensure_user(spec.lead, staff=True, log=log, password=password)
        ensure_team_role(lead, Role.ML_LEAD, team, actor=admin, log=log)
        people[spec.lead] = lead
        teams[spec.slug] = team
    return teams


def _team_lead(spec: ModelSpec, people: People) -> AbstractBaseUser:
    return people[next(team.lead for team in TEAMS if team.slug == spec.team)]


def _request(version: ModelVersion, target: str, requester: AbstractBaseUser) -> ApprovalRequest:
    return approval_create(
        actor=requester,
        version_id=version.pk,
        target_stage=target,
        justification=f"{version} passed offline evaluation; ready for {target}.",
    )


def _review(request: ApprovalRequest, people: People, *, leave_open: bool) -> None:
    """Approve in every required role; leave_open keeps the last role undecided."""
    roles = [Role(name) for name in request.required_roles]
    for role in roles[:-1] if leave_open else roles:
        approval_decide(
            actor=people[REVIEWER_FOR_ROLE[role]],
            request_id=request.pk,
            approve=True,
            note=f"Card and evaluation reviewed as {role.label}.",
            role=role,
        )


def _open_request(
    version: ModelVersion, wanted: OpenRequest, people: People, lead: AbstractBaseUser
) -> None:
    request = _request(version, wanted.target, lead)
    if wanted.status == ApprovalStatus.IN_REVIEW:
        _review(request, people, leave_open=True)


def _deploy(version: ModelVersion, people: People) -> None:
    deployment_record(
        actor=people["engineer"],
        version_id=version.pk,
        endpoint=f"https://serving.example.internal/{version.model.name}",
        environment=Environment.PRODUCTION,
    )


def _play_version(
    model: RegisteredModel, spec: ModelSpec, v: VersionSpec, people: People
) -> ModelVersion:
    lead = _team_lead(spec, people)
    version = version_register(
        actor=people["engineer"],
        model_id=model.pk,
        version=v.version,
        card=card_for(spec, v, timezone.now().date()),
    )
    for target in () if v.abandoned else ROUTES[v.stage]:
        _review(_request(version, target, lead), people, leave_open=False)
    if v.deployed:
        _deploy(version, people)
    if v.open_request is not None:
        _open_request(version, v.open_request, people, lead)
    return version


def _settle(version: ModelVersion, wanted: Stage, spec: ModelSpec, people: People) -> None:
    """Versions meant to end deprecated or retired, which no promotion moved there."""
    version.refresh_from_db()
    if wanted in (Stage.DEPRECATED, Stage.RETIRED) and version.stage == Stage.PRODUCTION:
        version_deprecate(
            actor=people["risk"], version_id=version.pk, reason="Replaced by a vendor service."
        )
    if wanted == Stage.RETIRED:
        version_retire(
            actor=_team_lead(spec, people),
            version_id=version.pk,
            reason="No longer needed; kept on record.",
        )


def seed_model(spec: ModelSpec, teams: dict[str, Team], people: People, log: SeedLog) -> bool:
    """Play one model's story, all or nothing; a model that exists is left as it is."""
    if RegisteredModel.objects.filter(name=spec.name).exists():
        return False
    lead = _team_lead(spec, people)
    with transaction.atomic():
        model = model_register(
            actor=lead,
            name=spec.name,
            team_id=teams[spec.team].pk,
            owner_id=lead.pk,
            risk_level=spec.risk,
            description=spec.description,
        )
        versions = [(_play_version(model, spec, v, people), v) for v in spec.versions]
        for version, v in versions:
            _settle(version, v.stage, spec, people)
            if v.stage == Stage.PRODUCTION:
                _monitor(version, v, people)
    log.add("models")
    log.add("versions", len(versions))
    return True


def _series(v: VersionSpec, seed: str, days_left: int) -> tuple[float, float]:
    """(accuracy, drift_score) on a day; a drifting version turns bad over DRIFT_DAYS."""
    noise = random.Random(f"{seed}/{days_left}")
    accuracy = v.accuracy + noise.gauss(0, 0.003)
    drift = 0.06 + abs(noise.gauss(0, 0.015))
    turned = DRIFT_DAYS - 1 - days_left  # 0 on the first bad day, DRIFT_DAYS - 1 today
    if v.drifting and turned >= 0:
        # The last week sits above the 0.3 drift ceiling and below the 0.88 accuracy floor.
        accuracy = 0.93 - 0.008 * turned + noise.uniform(-0.002, 0.002)
        drift = 0.18 + 0.02 * turned + noise.uniform(-0.002, 0.002)
    return round(accuracy, 4), round(drift, 4)


def _monitor(version: ModelVersion, v: VersionSpec, people: People) -> None:
    """90 days of daily accuracy and drift, sent the way a monitor would (one batch)."""
    today = timezone.now().date()
    midnight = datetime.datetime.combine(today, datetime.time(), datetime.UTC)
    points = []
    for days_left in range(HISTORY_DAYS - 1, -1, -1):
        accuracy, drift = _series(v, str(version), days_left)
        moment = (midnight - datetime.timedelta(days=days_left)).isoformat()
        points += [
            {"name": "accuracy", "value": accuracy, "observed_at": moment},
            {"name": "drift_score", "value": drift, "observed_at": moment},
        ]
    metrics_record(
        actor=people["engineer"],
        version_id=version.pk,
        points=points,
        source="monitoring/daily-evaluation",
    )
