"""Audit events for seed_scale: the story of the seeded rows, chained from the current
head with governance.audit.event_hash, exactly as audit.record() would chain them."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import cycle

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from governance.audit import event_hash
from governance.cards import canonical_json
from governance.management.commands._seed_scale_rows import SeededModel, SeededVersion
from governance.models import AuditChainHead, AuditEvent, AuditEventType, Stage
from governance.models.audit import HEAD_ID

Story = tuple[AuditEventType, int, int | None, dict]

# The approved moves that brought a version to its stage, as stage events.
STAGE_PATHS = {
    Stage.DEVELOPMENT: (),
    Stage.STAGING: ((Stage.DEVELOPMENT, Stage.STAGING),),
    Stage.PRODUCTION: ((Stage.DEVELOPMENT, Stage.STAGING), (Stage.STAGING, Stage.PRODUCTION)),
    Stage.DEPRECATED: (
        (Stage.DEVELOPMENT, Stage.STAGING),
        (Stage.STAGING, Stage.PRODUCTION),
        (Stage.PRODUCTION, Stage.DEPRECATED),
    ),
}


def _version_story(model: SeededModel, version: SeededVersion) -> Iterator[Story]:
    yield (
        AuditEventType.VERSION_REGISTERED,
        model.pk,
        version.pk,
        {"version": version.version, "card_hash": version.card_hash},
    )
    for source, target in STAGE_PATHS[version.stage]:
        event = (
            AuditEventType.DEPRECATED
            if target == Stage.DEPRECATED
            else AuditEventType.STAGE_CHANGED
        )
        details = {"version": version.version, "from": source, "to": target, "reason": "seed"}
        yield event, model.pk, version.pk, details


def model_story(models: Iterable[SeededModel], owner: str) -> Iterator[Story]:
    """Registration and the stage changes of every version, model by model."""
    for model in models:
        yield (
            AuditEventType.MODEL_REGISTERED,
            model.pk,
            None,
            {
                "name": model.name,
                "team": model.team,
                "owner": owner,
                "risk_level": model.risk_level,
            },
        )
        for version in model.versions:
            yield from _version_story(model, version)


def monitoring_story(models: list[SeededModel]) -> Iterator[Story]:
    """Daily metric reports of the production versions (of any version, if none serves),
    round after round, for ever."""
    every = [(m.pk, v) for m in models for v in m.versions]
    live = [(pk, v) for pk, v in every if v.stage == Stage.PRODUCTION] or every
    for day, (model_id, version) in enumerate(cycle(live)):
        details = {"version": version.version, "count": 2, "names": ["accuracy", "drift_score"]}
        yield AuditEventType.METRICS_RECORDED, model_id, version.pk, {**details, "day": day}


@dataclass
class Chain:
    """The chain's end while events are appended: sequence and hash of the last event."""

    sequence: int
    hash: str

    @classmethod
    def locked_head(cls) -> "Chain":
        """Lock the head row first, so no other writer appends until this transaction ends."""
        head = AuditChainHead.objects.select_for_update().get(pk=HEAD_ID)
        return cls(head.sequence, head.hash)

    def save_head(self) -> None:
        AuditChainHead.objects.filter(pk=HEAD_ID).update(sequence=self.sequence, hash=self.hash)

    def events(self, story: Iterable[Story], actor: AbstractBaseUser) -> Iterator[AuditEvent]:
        username = actor.get_username()
        for event_type, model_id, version_id, details in story:
            event = AuditEvent(
                sequence=self.sequence + 1,
                created_at=timezone.now(),
                event_type=event_type,
                actor=username,
                actor_user_id=actor.pk,
                model_id=model_id,
                version_id=version_id,
                details=canonical_json(details),
                prev_hash=self.hash,
            )
            event.hash = event_hash(
                prev_hash=event.prev_hash,
                sequence=event.sequence,
                created_at=event.created_at,
                event_type=event.event_type,
                actor=event.actor,
                model_id=model_id,
                version_id=version_id,
                request_id=None,
                details=event.details,
            )
            self.sequence, self.hash = event.sequence, event.hash
            yield event
