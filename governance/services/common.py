"""Helpers every service uses: locking the aggregate and saving with history."""

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from governance.actors import Actor, actor_user
from governance.models import ModelVersion, RegisteredModel
from governance.models.approvals import NOTE_LIMIT
from governance.validators import validate_text


def lock_model(model_id: int | QuerySet) -> RegisteredModel:
    """Lock the registered model: the aggregate root of its versions and requests.

    Every service that changes a version, a request or a deployment of a model locks the
    model row first, so changes to one model serialize in one order (model, then its
    rows, then the audit head) and never deadlock.

    model_id may be a one-column queryset naming the model (the model of a version): the
    database resolves it inside the locking statement, a lookup query less per write.
    """
    # of=("self",): lock the model row only, not the joined team and owner rows (locking
    # the team would serialize every change across a whole team on PostgreSQL). They come
    # along because audit details, cards and API answers name them.
    models_with_people = RegisteredModel.objects.select_related("team", "owner")
    return models_with_people.select_for_update(of=("self",)).get(pk=model_id)


def lock_models(model_ids: Iterable[int]) -> None:
    """Lock several models at once, in id order, for a caller that runs several services in
    one transaction: each service appends to the audit chain (holding its head until commit)
    and would otherwise lock the next model after the head, against the order above."""
    ids = sorted(set(model_ids))
    list(RegisteredModel.objects.select_for_update().filter(pk__in=ids).order_by("pk"))


def lock_version(version_id: int | QuerySet) -> ModelVersion:
    """Lock a version's model, then the version; the returned version carries that model.
    version_id may be a one-row, one-column queryset naming the version (of a request, say):
    a version's model never changes, so the model's lock can find it by a subquery."""
    try:
        model = lock_model(ModelVersion.objects.filter(pk=version_id).values("model_id")[:1])
    except RegisteredModel.DoesNotExist:
        raise ModelVersion.DoesNotExist("No such version.") from None
    version = ModelVersion.objects.select_for_update().get(pk=version_id)
    version.model = model
    return version


def save_governed(
    obj: models.Model,
    *,
    actor: Actor,
    reason: str,
    update_fields: Iterable[str] | None = None,
) -> None:
    """Validate, then save with simple-history's user and reason for the history row.

    Uniqueness is checked by the services under their locks and held by the database's
    constraints, so full_clean skips its extra uniqueness and foreign-key queries.
    """
    # Foreign keys arrive as rows the service loaded (or locked); validating them would
    # re-query each one, and the database's foreign-key constraints hold them anyway.
    # With update_fields only those are validated: the others were valid when they were
    # saved, and re-validating a whole model card on every stage change cost more than
    # the change itself.
    fields = obj._meta.concrete_fields
    if update_fields is not None:
        update_fields = list(update_fields)
        skipped = [f.name for f in fields if f.is_relation or f.name not in update_fields]
    else:
        skipped = [f.name for f in fields if f.is_relation]
    obj.full_clean(exclude=skipped, validate_unique=False, validate_constraints=False)
    obj._history_user = actor_user(actor)
    obj._change_reason = reason
    obj.save(update_fields=update_fields)


def require_reason(reason: str, field: str = "reason", *, required: bool = True) -> None:
    """Reasons, notes and justifications: text the audit trail keeps, within its limit."""
    if not isinstance(reason, str):
        raise ValidationError({field: "Expected text."})
    if required and not reason.strip():
        raise ValidationError({field: "Say why; this is kept in the audit trail."})
    try:
        validate_text(reason)
        MaxLengthValidator(NOTE_LIMIT)(reason)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None


def aware_datetime(value: Any) -> datetime:
    """A moment from outside (ISO 8601 text or a datetime), with its time zone, in UTC:
    PostgreSQL refuses offsets past 15:59, and neither database stores years outside
    1-9999 in UTC (SQLite overflows; PostgreSQL stores a BC moment nothing reads back)."""
    try:
        moment = parse_datetime(value) if isinstance(value, str) else value
    except ValueError:  # well-formed but impossible, e.g. month 13
        moment = None
    if not isinstance(moment, datetime):
        raise ValidationError("expected an ISO 8601 date and time")
    if timezone.is_naive(moment):
        raise ValidationError("give a time zone (e.g. 2026-11-27T10:00:00Z)")
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise ValidationError("the moment is out of range (years 1 to 9999 in UTC)") from None
