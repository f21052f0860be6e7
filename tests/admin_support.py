"""Helpers shared by the admin tests: staff personas, rows of every governance model, URLs,
and posting an admin action the way the changelist does."""

from django.contrib.admin import helpers
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.db import models
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from governance import audit
from governance.models import (
    ApprovalDecision,
    AuditEvent,
    AuditEventType,
    Decision,
    Role,
    Stage,
)
from tests.factories import (
    ApprovalRequestFactory,
    DeploymentFactory,
    MetricObservationFactory,
    ModelVersionFactory,
    RegisteredModelFactory,
    RetirementAlertFactory,
    TeamFactory,
    UserFactory,
    grant,
)

GOVERNED = (
    "team",
    "registeredmodel",
    "modelversion",
    "approvalrequest",
    "approvaldecision",
    "deployment",
    "metricobservation",
    "retirementalert",
    "auditevent",
)
HISTORY_TRACKED = (
    "team",
    "registeredmodel",
    "modelversion",
    "approvalrequest",
    "approvaldecision",
    "deployment",
)


def staff(username: str, *roles: Role, superuser: bool = False) -> User:
    """A staff user holding the given roles globally (their groups open the admin pages)."""
    user = UserFactory(username=username, is_staff=True, is_superuser=superuser)
    for role in roles:
        grant(user, role)
    return user


def superuser(*roles: Role) -> User:
    return staff("root", *roles, superuser=True)


def governance_admin() -> User:
    return staff("govadmin", Role.GOVERNANCE_ADMIN)


def login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def url(name: str, action: str, *args: object) -> str:
    return reverse(f"admin:governance_{name}_{action}", args=args)


def build(name: str) -> models.Model:
    """One row of a governance model, with the relations its list page shows."""
    if name == "team":
        return TeamFactory()
    if name == "registeredmodel":
        return RegisteredModelFactory()
    if name == "modelversion":
        return ModelVersionFactory()
    if name == "approvalrequest":
        return ApprovalRequestFactory()
    if name == "approvaldecision":
        return ApprovalDecision.objects.create(
            request=ApprovalRequestFactory(),
            approver=UserFactory(),
            role=Role.ML_ENGINEER,
            decision=Decision.APPROVED,
            card_hash="0" * 64,
        )
    if name == "deployment":
        return DeploymentFactory()
    if name == "metricobservation":
        return MetricObservationFactory()
    if name == "retirementalert":
        return RetirementAlertFactory()
    return _audit_event()


def _audit_event() -> AuditEvent:
    request = ApprovalRequestFactory()
    version = request.version
    return audit.record(
        event_type=AuditEventType.STAGE_CHANGED,
        actor=version.created_by,
        model=version.model,
        version=version,
        request=request,
        details={"from": Stage.DEVELOPMENT, "to": Stage.STAGING},
    )


def post_action(client: Client, name: str, action: str, objects: list) -> HttpResponse:
    """Choose an action on the changelist (a confirmation action answers with its page)."""
    payload = {
        "action": action,
        "index": 0,
        helpers.ACTION_CHECKBOX_NAME: [obj.pk for obj in objects],
    }
    return client.post(url(name, "changelist"), payload, follow=True)


def confirm_action(
    client: Client, name: str, action: str, objects: list, **data: object
) -> HttpResponse:
    """Submit an action's confirmation page with its form data."""
    payload = {
        "action": action,
        helpers.ACTION_CHECKBOX_NAME: [obj.pk for obj in objects],
        "_confirm": "yes",
        **data,
    }
    return client.post(url(name, "changelist"), payload, follow=True)


def messages_of(response: HttpResponse) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def events(event_type: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(event_type=event_type))
