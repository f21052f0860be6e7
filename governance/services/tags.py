"""Free key/value tags on models and versions; every change is one audit event."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import transaction

from governance import audit, policies
from governance.actors import Actor
from governance.models import AuditEventType, ModelTag, ModelVersion, RegisteredModel, VersionTag
from governance.models.prefetch import attach_prefetched
from governance.models.tags import TAG_VALUE_LIMIT
from governance.services.common import lock_model, lock_version
from governance.validators import validate_tag_key, validate_text

MAX_TAGS = 100


def _label(key: Any) -> str:
    """The key as the error names it: short, and encodable (a refused key may hold a lone
    surrogate, which no JSON or HTML response could carry)."""
    text = str(key).encode("utf-8", "backslashreplace").decode()
    return text if len(text) <= 40 else f"{text[:40]}…"


def _check_value(value: Any) -> None:
    if not isinstance(value, str):
        raise ValidationError("the value must be text")
    validate_text(value)
    MaxLengthValidator(TAG_VALUE_LIMIT)(value)
    try:
        value.encode()
    except UnicodeEncodeError:  # a lone surrogate ("\ud800" in JSON): no database stores it
        raise ValidationError("the value must be valid Unicode text") from None


def clean_tags(tags: Any, *, merge: bool) -> dict[str, str | None]:
    """Check a tags object: valid keys, text values (None removes a key when merging)."""
    if not isinstance(tags, dict):
        raise ValidationError({"tags": "Expected an object of key: value tags."})
    errors: list[str] = []
    for key, value in tags.items():
        try:
            validate_tag_key(key)
            if value is None and merge:
                continue
            _check_value(value)
        except ValidationError as error:
            errors.append(f"{_label(key)}: {' '.join(error.messages)}")
    if errors:
        raise ValidationError({"tags": errors})
    return tags


def apply_tags(
    owner: RegisteredModel | ModelVersion, tags: dict, *, actor: Actor, merge: bool
) -> dict[str, str]:
    """Set (or, merging, add to and remove from) the tags of a locked model or version."""
    clean_tags(tags, merge=merge)
    is_version = isinstance(owner, ModelVersion)
    model = owner.model if is_version else owner
    policies.require_can_tag(actor, model)
    tag_class, link = (VersionTag, "version") if is_version else (ModelTag, "model")
    rows = {tag.key: tag for tag in tag_class.objects.filter(**{link: owner})}
    before = {key: tag.value for key, tag in rows.items()}
    after = {**before, **tags} if merge else dict(tags)
    after = {key: value for key, value in after.items() if value is not None}
    if len(after) > MAX_TAGS:
        raise ValidationError({"tags": f"At most {MAX_TAGS} tags per {link}."})
    if after == before:
        return after
    removed = [key for key in before if key not in after]
    tag_class.objects.filter(**{link: owner, "key__in": removed}).delete()
    for key, value in after.items():
        if before.get(key) == value:
            continue
        tag = rows.get(key) or tag_class(key=key, **{link: owner})
        tag.assign(value)
        tag.full_clean(exclude=[link], validate_unique=False, validate_constraints=False)
        tag.save()
    changed = sorted(set(before) ^ set(after) | {k for k in after if before.get(k) != after[k]})
    audit.record(
        event_type=AuditEventType.TAGS_CHANGED,
        actor=actor,
        model=model,
        version=owner if is_version else None,
        details={
            "version": owner.version if is_version else None,
            "before": {key: before.get(key) for key in changed},
            "after": {key: after.get(key) for key in changed},
        },
    )
    return after


def initial_tags(
    owner: RegisteredModel | ModelVersion, tags: dict | None, *, actor: Actor
) -> dict[str, str]:
    """The tags a model or version is registered with, inserted at once (and attached to
    it); the caller's registration event records them (one event, not two)."""
    if not tags:  # nothing to check or write: the new owner simply has no tags
        attach_prefetched(owner, "tags", [])
        return {}
    clean_tags(tags, merge=False)
    if len(tags) > MAX_TAGS:
        raise ValidationError({"tags": f"At most {MAX_TAGS} tags."})
    is_version = isinstance(owner, ModelVersion)
    policies.require_can_tag(actor, owner.model if is_version else owner)
    tag_class, link = (VersionTag, "version") if is_version else (ModelTag, "model")
    rows = []
    for key, value in tags.items():
        tag = tag_class(key=key, **{link: owner})
        tag.assign(value)
        rows.append(tag)
    # bulk_create is fine: tags keep no simple-history, each was validated by clean_tags,
    # and the registration's audit event holds them.
    tag_class.objects.bulk_create(rows)
    # The new owner's tags are these: its answer lists them, in key order, without a query.
    attach_prefetched(owner, "tags", sorted(rows, key=lambda tag: tag.key))
    return dict(tags)


@transaction.atomic
def model_tags_set(
    *, actor: Actor, model_id: int, tags: dict, merge: bool = False
) -> dict[str, str]:
    """Replace (or merge into) a registered model's tags."""
    return apply_tags(lock_model(model_id), tags, actor=actor, merge=merge)


@transaction.atomic
def version_tags_set(
    *, actor: Actor, version_id: int, tags: dict, merge: bool = False
) -> dict[str, str]:
    """Replace (or merge into) a model version's tags."""
    return apply_tags(lock_version(version_id), tags, actor=actor, merge=merge)
