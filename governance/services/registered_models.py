from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from governance import audit, policies
from governance.actors import Actor
from governance.exceptions import Conflict
from governance.models import (
    OPEN_APPROVAL_STATUSES,
    ApprovalRequest,
    AuditEventType,
    ModelVersion,
    RegisteredModel,
    Team,
)
from governance.services.common import lock_model, save_governed
from governance.services.lifecycle import restart_reviews
from governance.services.tags import apply_tags, initial_tags

EDITABLE_FIELDS = ("description", "owner", "risk_level", "auto_deprecate", "grace_period_days")


@transaction.atomic
def model_register(
    *,
    actor: Actor,
    name: str,
    team_id: int,
    owner_id: int,
    risk_level: str,
    description: str = "",
    auto_deprecate: bool = False,
    grace_period_days: int | None = None,
    tags: dict[str, str] | None = None,
) -> RegisteredModel:
    """Register a named model for a team; engineers and leads of that team may."""
    team = Team.objects.select_for_update().get(pk=team_id)
    policies.require_can_register_model(actor, team)
    # Most models are registered by their owner, who is known to be active.
    is_actor = owner_id == getattr(actor, "pk", None) and getattr(actor, "is_active", False)
    owner = actor if is_actor else _active_user(owner_id)
    model = RegisteredModel(
        name=name,
        team=team,
        owner=owner,
        risk_level=risk_level,
        description=description,
        auto_deprecate=auto_deprecate,
    )
    if grace_period_days is not None:
        model.grace_period_days = grace_period_days
    # Validate before the name is used in a query: PostgreSQL refuses NUL bytes there.
    model.full_clean(exclude=["team", "owner"], validate_unique=False, validate_constraints=False)
    if RegisteredModel.objects.filter(name=name).exists():
        raise Conflict(f"A model named '{name}' already exists.")
    try:
        with transaction.atomic():
            save_governed(model, actor=actor, reason="registered")
    except IntegrityError:
        raise Conflict(f"A model named '{name}' already exists.") from None
    details = {
        "name": name,
        "team": team.slug,
        "owner": owner.get_username(),
        "risk_level": risk_level,
    }
    if registered_tags := initial_tags(model, tags, actor=actor):
        details["tags"] = registered_tags
    audit.record(
        event_type=AuditEventType.MODEL_REGISTERED, actor=actor, model=model, details=details
    )
    return model


def _active_user(value: Any) -> Any:
    user_model = get_user_model()
    if isinstance(value, user_model):
        value = value.pk
    try:
        owner = user_model.objects.filter(pk=int(value), is_active=True).first()
    except (TypeError, ValueError):
        owner = None
    if owner is None:
        raise ValidationError({"owner": "Choose an active user as the owner."})
    return owner


def _plain(value: Any) -> Any:
    return value.get_username() if hasattr(value, "get_username") else value


@transaction.atomic
def model_update(
    *,
    actor: Actor,
    model_id: int,
    changes: dict[str, Any],
    tags: dict[str, str | None] | None = None,
) -> RegisteredModel:
    """Edit a model's settings, and merge tags (None removes one). Raising its risk level
    restarts open reviews, because the required roles (legal for high and critical) may grow."""
    model = _update_settings(actor, model_id, changes)
    if tags is not None:
        apply_tags(model, tags, actor=actor, merge=True)
    return model


def _update_settings(actor: Actor, model_id: int, changes: dict[str, Any]) -> RegisteredModel:
    if not isinstance(changes, dict):
        raise ValidationError({"changes": "Expected an object of model fields."})
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValidationError({field: "This field cannot be changed here." for field in unknown})
    model = lock_model(model_id)
    if "owner" in changes:
        changes = {**changes, "owner": _active_user(changes["owner"])}
    # Checked on every field asked for, so a no-op is refused to those who may not edit.
    policies.require_can_update_model(actor, model, set(changes))
    changed = {field for field, value in changes.items() if getattr(model, field) != value}
    if not changed:
        return model
    before = {field: _plain(getattr(model, field)) for field in changed}
    old_risk = model.risk_level
    for field in changed:
        setattr(model, field, changes[field])
    save_governed(model, actor=actor, reason="updated", update_fields=sorted(changed))
    after = {field: _plain(getattr(model, field)) for field in changed}
    event = (
        AuditEventType.MODEL_RISK_CHANGED
        if "risk_level" in changed
        else AuditEventType.MODEL_UPDATED
    )
    audit.record(
        event_type=event,
        actor=actor,
        model=model,
        details={"before": before, "after": after},
    )
    if "risk_level" in changed and policies.is_risk_raise(old_risk, model.risk_level):
        under_review = ApprovalRequest.objects.filter(
            version__model=model, status__in=OPEN_APPROVAL_STATUSES
        ).values_list("version_id", flat=True)
        versions = ModelVersion.objects.select_for_update().filter(pk__in=list(under_review))
        for version in versions.order_by("pk"):
            version.model = model
            restart_reviews(
                version, actor=actor, reason=f"risk raised from {old_risk} to {model.risk_level}"
            )
    return model
