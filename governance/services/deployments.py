from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from governance import audit, policies
from governance.actors import Actor
from governance.exceptions import Conflict
from governance.models import AuditEventType, Deployment, Environment
from governance.services.common import lock_version, save_governed
from governance.services.shadows import shadow_alert_check


def _previous(endpoint: str, environment: str) -> Deployment | None:
    return (
        Deployment.objects.select_for_update()
        .filter(endpoint=endpoint, environment=environment, active=True)
        .first()
    )


@transaction.atomic
def deployment_record(
    *,
    actor: Actor,
    version_id: int,
    endpoint: str,
    environment: str,
    reported_at: datetime | None = None,
) -> Deployment:
    """Record what the serving platform reports, always: we must know the truth. A version
    not approved for the environment is a shadow model and raises an alert (resolved once
    none of its active deployments is a shadow)."""
    if environment not in Environment.values:
        raise ValidationError({"environment": f"Choose one of: {', '.join(Environment.values)}."})
    if reported_at is not None and (
        not isinstance(reported_at, datetime) or timezone.is_naive(reported_at)
    ):
        raise ValidationError({"reported_at": "Give a time zone (e.g. 2026-11-27T10:00:00Z)."})
    version = lock_version(version_id)
    policies.require_can_report(actor, version.model)
    deployment = Deployment(
        endpoint=endpoint,
        environment=environment,
        version=version,
        reported_by=actor,
        reported_at=reported_at or timezone.now(),
    )
    deployment.full_clean(validate_unique=False, validate_constraints=False)
    # The endpoint now serves this version: the previous report for it ends here. Endpoints
    # of other models are locked through the deployment row itself.
    endpoint = deployment.endpoint
    previous = _previous(endpoint, environment)
    if previous is not None:
        previous.active, previous.ended_at = False, deployment.reported_at
        save_governed(
            previous, actor=actor, reason="replaced", update_fields=["active", "ended_at"]
        )
    try:
        with transaction.atomic():
            save_governed(deployment, actor=actor, reason="reported")
    except IntegrityError:  # a report for the same endpoint of another model won the race
        raise Conflict(
            f"Another deployment of {endpoint} ({environment}) was reported at the same "
            "moment; send this report again."
        ) from None
    approved = policies.is_approved_for(version, environment)
    audit.record(
        event_type=AuditEventType.DEPLOYED,
        actor=actor,
        model=version.model,
        version=version,
        details={
            "version": version.version,
            "endpoint": endpoint,
            "environment": environment,
            "approved": approved,
            "replaces": previous.version_id if previous else None,
        },
    )
    # Every active deployment of the version, this one included: the same check as the
    # scheduled sweep opens, updates or resolves its shadow alert.
    shadow_alert_check(version, actor=actor)
    return deployment
