from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from governance import audit, policies
from governance.actors import Actor, SystemActor
from governance.cards import CARD_FIELDS, IMMUTABLE_ONCE_SET, canonical_json
from governance.exceptions import Conflict
from governance.models import (
    ApprovalRequest,
    AuditEventType,
    ModelVersion,
    RegisteredModel,
    Stage,
)
from governance.services.approvals import approval_create
from governance.services.common import lock_model, lock_version, require_reason, save_governed
from governance.services.lifecycle import change_stage, restart_reviews
from governance.services.tags import apply_tags, initial_tags
from governance.validators import validate_version_string


def _reject_unknown_fields(card: dict[str, Any]) -> None:
    if not isinstance(card, dict):
        raise ValidationError({"card": "Expected an object of card fields."})
    unknown = sorted(set(card) - set(CARD_FIELDS))
    if unknown:
        raise ValidationError(
            {field: "Not a model card field (see CARD_FIELDS)." for field in unknown}
        )


@transaction.atomic
def version_register(
    *,
    actor: Actor,
    model_id: int,
    version: str,
    card: dict[str, Any] | None = None,
    tags: dict[str, str] | None = None,
) -> ModelVersion:
    """Register a trained artefact of a model in development, with its (partial) card."""
    return _register(actor, lock_model(model_id), version, card, tags, known_new=False)


def _register(
    actor: Actor,
    model: RegisteredModel,
    version: str,
    card: dict[str, Any] | None,
    tags: dict[str, str] | None,
    *,
    known_new: bool,
) -> ModelVersion:
    """version_register on the locked model; known_new: the caller already looked for the
    version under that lock and found none."""
    policies.require_can_register_version(actor, model)
    card = card or {}
    _reject_unknown_fields(card)
    new = ModelVersion(model=model, version=version, created_by=actor, **card)
    # Validate before the version is used in a query: PostgreSQL refuses NUL bytes there.
    new.full_clean(
        exclude=["model", "created_by"], validate_unique=False, validate_constraints=False
    )
    if not known_new and ModelVersion.objects.filter(model=model, version=version).exists():
        raise Conflict(f"Version {version} of {model.name} already exists.")
    save_governed(new, actor=actor, reason="registered")
    # Hash the card as stored: PostgreSQL's jsonb normalizes numbers (1e20 comes back as an
    # int), and every later check hashes the stored card.
    new.refresh_from_db(fields=CARD_FIELDS)
    details = {"version": new.version, "card_hash": new.card_hash()}
    if registered_tags := initial_tags(new, tags, actor=actor):
        details["tags"] = registered_tags
    audit.record(
        event_type=AuditEventType.VERSION_REGISTERED,
        actor=actor,
        model=model,
        version=new,
        details=details,
    )
    return new


@transaction.atomic
def version_register_once(
    *,
    actor: Actor,
    model_id: int,
    version: str,
    card: dict[str, Any] | None = None,
    tags: dict[str, str] | None = None,
) -> tuple[ModelVersion, bool]:
    """Registration a pipeline can retry: the same version with the same artefact checksum
    returns the registered one (created False); another checksum is a Conflict."""
    model = lock_model(model_id)
    try:  # before the query below: PostgreSQL refuses NUL bytes
        validate_version_string(version)
    except ValidationError as error:
        raise ValidationError({"version": error.messages}) from None
    existing = ModelVersion.objects.filter(model=model, version=version).first()
    if existing is None:
        return _register(actor, model, version, card, tags, known_new=True), True
    policies.require_can_register_version(actor, model)
    checksum = (card or {}).get("artifact_sha256") if isinstance(card, dict) else None
    if not checksum or checksum != existing.artifact_sha256:
        raise Conflict(
            f"Version {version} of {model.name} is already registered with artefact checksum "
            f"{existing.artifact_sha256 or '(none)'}; register the new artefact as a new version."
        )
    existing.model = model
    return existing, False


def _stale_card_message(version: ModelVersion, expected: int) -> str:
    last = version.history.order_by("-history_id").select_related("history_user").first()
    who = last.history_user.get_username() if last and last.history_user else "someone"
    return (
        f"The card of {version} was changed by {who} at {version.card_updated_at:%Y-%m-%d %H:%M} "
        f"UTC since you opened it (revision {expected}, now {version.card_revision}). "
        "Reload to see their change; nothing was saved."
    )


def _check_immutable(version: ModelVersion, changes: dict[str, Any]) -> None:
    errors = {
        field: f"{field} is fixed once set; register a new version for a different artefact."
        for field in IMMUTABLE_ONCE_SET
        if field in changes
        and getattr(version, field)
        and changes[field] != getattr(version, field)
    }
    if errors:
        raise ValidationError(errors)


@transaction.atomic
@audit.batch()
def version_update_card(
    *,
    actor: Actor,
    version_id: int,
    changes: dict[str, Any],
    expected_revision: int | None = None,
) -> ModelVersion:
    """Edit card fields. Refused when the card changed since expected_revision; restarts
    open reviews, because reviewers approved the card as it was."""
    _reject_unknown_fields(changes)
    version = lock_version(version_id)
    policies.require_can_edit_card(actor, version)
    if expected_revision is not None and expected_revision != version.card_revision:
        raise Conflict(_stale_card_message(version, expected_revision))
    _check_immutable(version, changes)
    old_values = version.card_values()
    before = {field: canonical_json(value) for field, value in old_values.items()}
    for field, value in changes.items():
        setattr(version, field, value)
    version.full_clean(validate_unique=False, validate_constraints=False)
    changed = [f for f in CARD_FIELDS if canonical_json(getattr(version, f)) != before[f]]
    if not changed:
        return version
    version.card_revision += 1
    version.card_updated_at = timezone.now()
    moved_review = []
    if "review_schedule" in changed and version.next_review_at is not None:
        version.next_review_at = policies.next_review_due(
            version.review_schedule, version.last_reviewed_at
        )
        moved_review = ["next_review_at"]
    save_governed(
        version,
        actor=actor,
        reason="card updated",
        update_fields=[*changed, "card_revision", "card_updated_at", *moved_review],
    )
    # Reviews restart on the card as stored (see version_register): reload what changed.
    version.refresh_from_db(fields=changed)
    audit.record(
        event_type=AuditEventType.CARD_UPDATED,
        actor=actor,
        model=version.model,
        version=version,
        details={
            "version": version.version,
            "revision": version.card_revision,
            "card_hash": version.card_hash(),
            "changes": {
                f: {"before": old_values[f], "after": getattr(version, f)} for f in changed
            },
        },
    )
    restart_reviews(version, actor=actor, reason="card edited during review")
    return version


@transaction.atomic
@audit.batch()
def version_update(
    *,
    actor: Actor,
    version_id: int,
    changes: dict[str, Any],
    tags: dict[str, str | None] | None = None,
    expected_revision: int | None = None,
) -> ModelVersion:
    """Edit card fields and merge tags (None removes one) in one transaction."""
    if changes or tags is None:
        version = version_update_card(
            actor=actor, version_id=version_id, changes=changes, expected_revision=expected_revision
        )
    else:  # tags alone are labels, not a card edit: require_can_tag (in apply_tags) decides
        version = lock_version(version_id)
        if expected_revision is not None and expected_revision != version.card_revision:
            raise Conflict(_stale_card_message(version, expected_revision))
    if tags is not None:
        apply_tags(version, tags, actor=actor, merge=True)
    return version


def _move_directly(actor: Actor, version_id: int, target: str, reason: str) -> ModelVersion:
    if not isinstance(actor, SystemActor):
        require_reason(reason)
    version = lock_version(version_id)
    policies.require_can_move_directly(actor, version, target)
    change_stage(version, target, actor=actor, reason=reason)
    return version


@transaction.atomic
@audit.batch()
def version_deprecate(*, actor: Actor, version_id: int, reason: str) -> ModelVersion:
    """Take a production version out of service; it can be rolled back in the grace period."""
    return _move_directly(actor, version_id, Stage.DEPRECATED, reason)


@transaction.atomic
@audit.batch()
def version_retire(*, actor: Actor, version_id: int, reason: str) -> ModelVersion:
    """Retire a version for good: abandon it before production, or end its deprecation."""
    return _move_directly(actor, version_id, Stage.RETIRED, reason)


def version_rollback(*, actor: Actor, version_id: int, justification: str) -> ApprovalRequest:
    """Ask to put a deprecated version back in production (ml_lead + risk_officer approve)."""
    return approval_create(
        actor=actor,
        version_id=version_id,
        target_stage=Stage.PRODUCTION,
        justification=justification,
        rollback=True,
    )


# The moves a person makes without a request, by target (the policy says when).
DIRECT_MOVES = {Stage.DEPRECATED: version_deprecate, Stage.RETIRED: version_retire}


def version_transition(
    *, actor: Actor, version: ModelVersion, target_stage: str, justification: str
) -> ApprovalRequest | ModelVersion:
    """Move a version towards target_stage the way the policy says: a rollback request for
    a deprecated version going back to production, a direct move where no approval is
    needed (deprecate, retire: the justification is the reason), otherwise an approval
    request (whose policy check names the allowed moves). `version` is the caller's read
    of it, which picks the service; that service locks the rows and checks them again."""
    if policies.is_rollback(version, target_stage):
        return version_rollback(actor=actor, version_id=version.pk, justification=justification)
    direct = DIRECT_MOVES.get(target_stage)
    if direct is None or policies.needs_approval(version, target_stage):
        return approval_create(
            actor=actor,
            version_id=version.pk,
            target_stage=target_stage,
            justification=justification,
        )
    return direct(actor=actor, version_id=version.pk, reason=justification)
