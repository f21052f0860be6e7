"""The one function that appends audit events, and the chain verification it promises.

Each event's hash is sha256(previous hash + "\\n" + canonical JSON of the event), so
editing, deleting, inserting or reordering any event breaks every later link.
"""

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from governance.actors import Actor, actor_label, actor_user
from governance.cards import canonical_json
from governance.models import AuditChainHead, AuditEvent, AuditEventType
from governance.models.audit import GENESIS_HASH

HEAD_ID = 1
ROW_FIELDS = (
    "sequence",
    "created_at",
    "event_type",
    "actor",
    "model_id",
    "version_id",
    "request_id",
    "details",
    "prev_hash",
    "hash",
)


def format_timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(
    *,
    prev_hash: str,
    sequence: int,
    created_at: datetime,
    event_type: str,
    actor: str,
    model_id: int | None,
    version_id: int | None,
    request_id: int | None,
    details: str,
) -> str:
    body = canonical_json(
        {
            "sequence": sequence,
            "created_at": format_timestamp(created_at),
            "event_type": event_type,
            "actor": actor,
            "model": model_id,
            "version": version_id,
            "request": request_id,
            "details": details,
        }
    )
    return hashlib.sha256(f"{prev_hash}\n{body}".encode()).hexdigest()


def record(
    *,
    event_type: AuditEventType,
    actor: Actor,
    model: Any = None,
    version: Any = None,
    request: Any = None,
    details: dict | None = None,
) -> AuditEvent:
    """Append one event inside the caller's transaction, chained to the current head."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record() must run inside the transaction of the change.")
    # Locking the head row serializes appends: the next writer waits here and then
    # reads the head this one leaves, so sequences stay gap-free and the chain linear.
    head = AuditChainHead.objects.select_for_update().get(pk=HEAD_ID)
    event = AuditEvent(
        sequence=head.sequence + 1,
        created_at=timezone.now(),
        event_type=event_type,
        actor=actor_label(actor),
        actor_user=actor_user(actor),
        model=model,
        version=version,
        request=request,
        details=canonical_json(details or {}),
        prev_hash=head.hash,
    )
    event.hash = event_hash(
        prev_hash=event.prev_hash,
        sequence=event.sequence,
        created_at=event.created_at,
        event_type=event.event_type,
        actor=event.actor,
        model_id=event.model_id,
        version_id=event.version_id,
        request_id=event.request_id,
        details=event.details,
    )
    event.save(force_insert=True)
    head.sequence, head.hash = event.sequence, event.hash
    head.save(update_fields=["sequence", "hash"])
    return event


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    count: int
    head_hash: str
    broken_at: int | None = None
    problem: str = ""


def _rows() -> Iterator[tuple]:
    events = AuditEvent.objects.order_by("sequence").values_list(*ROW_FIELDS)
    return events.iterator(chunk_size=5000)


def verify_rows(rows: Iterable[tuple]) -> ChainReport:
    """Walk events in sequence order; report the first one that does not chain."""
    expected_prev, expected_sequence, count = GENESIS_HASH, 1, 0
    for seq, created, etype, actor, model_id, version_id, request_id, details, prev, digest in rows:
        if seq != expected_sequence:
            return ChainReport(False, count, expected_prev, expected_sequence, "sequence gap")
        if prev != expected_prev:
            return ChainReport(False, count, expected_prev, seq, "previous hash does not match")
        recomputed = event_hash(
            prev_hash=prev,
            sequence=seq,
            created_at=created,
            event_type=etype,
            actor=actor,
            model_id=model_id,
            version_id=version_id,
            request_id=request_id,
            details=details,
        )
        if recomputed != digest:
            return ChainReport(False, count, expected_prev, seq, "content does not match its hash")
        expected_prev, expected_sequence, count = digest, seq + 1, count + 1
    return ChainReport(True, count, expected_prev)


def verify_chain() -> ChainReport:
    """Verify every event, then check that the head row points at the last one."""
    report = verify_rows(_rows())
    if not report.ok:
        return report
    head = AuditChainHead.objects.filter(pk=HEAD_ID).first()
    if head is not None and (head.sequence, head.hash) != (report.count, report.head_hash):
        return ChainReport(
            False,
            report.count,
            report.head_hash,
            min(head.sequence, report.count) + 1,
            f"chain head says #{head.sequence}, the last event is #{report.count}",
        )
    return report
