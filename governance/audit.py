"""The one function that appends audit events, and the chain verification it promises.

Each event's hash is sha256(previous hash + "\\n" + canonical JSON of the event), so
editing, deleting, inserting or reordering any event breaks every later link.
"""

import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from json.encoder import encode_basestring
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from governance.actors import Actor, actor_label, actor_user
from governance.cards import canonical_json
from governance.models import AuditChainHead, AuditEvent, AuditEventType
from governance.models.audit import GENESIS_HASH, HEAD_ID

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


def _id(value: int | None) -> str:
    return "null" if value is None else int.__repr__(value)


def _digest(
    prev_hash: str,
    sequence: int,
    stamp: str,
    event_type: str,
    actor: str,
    model_id: int | None,
    version_id: int | None,
    request_id: int | None,
    details: str,
) -> str:
    # Byte for byte canonical_json() of the event as a dict (keys sorted, no spaces),
    # written out because json.dumps' set-up cost dominated verification. The columns
    # fix the types: text is JSON-escaped as json.dumps(ensure_ascii=False) does, ids
    # are integers or null.
    text = encode_basestring
    body = (
        f'{{"actor":{text(actor)},"created_at":{text(stamp)},'
        f'"details":{text(details)},"event_type":{text(event_type)},'
        f'"model":{_id(model_id)},"request":{_id(request_id)},'
        f'"sequence":{_id(sequence)},"version":{_id(version_id)}}}'
    )
    return hashlib.sha256(f"{prev_hash}\n{body}".encode()).hexdigest()


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
    """sha256(prev_hash + "\\n" + canonical_json({sequence, created_at, event_type, actor,
    model, version, request, details}))."""
    stamp = format_timestamp(created_at)
    return _digest(
        prev_hash, sequence, stamp, event_type, actor, model_id, version_id, request_id, details
    )


def record(
    *,
    event_type: AuditEventType,
    actor: Actor,
    model: Any = None,
    version: Any = None,
    request: Any = None,
    details: dict | None = None,
) -> AuditEvent | None:
    """Append one event inside the caller's transaction, chained to the current head.
    Inside batch() the event is appended when the batch ends, and None is returned."""
    entry = Entry(event_type, actor, model, version, request, details)
    pending = getattr(connection, PENDING, None)
    if pending is not None:
        pending.append(entry)
        return None
    return record_many([entry])[0]


# The events of the open batch() on this connection (each thread has its own), or None.
PENDING = "_tutela_audit_pending"


@contextmanager
def batch() -> Iterator[None]:
    """Events recorded inside the block are appended together when it ends normally: one
    head lock, insert and head update for a change that records several (an approval that
    moves a version, deprecates the one it replaces and closes stale requests). Open it
    inside the service's transaction, around the whole change: an exception leaves nothing
    to append, and the transaction rolls the change back. Nested batches join the outer."""
    if getattr(connection, PENDING, None) is not None:
        yield
        return
    pending: list[Entry] = []
    setattr(connection, PENDING, pending)
    try:
        yield
    finally:
        setattr(connection, PENDING, None)
    record_many(pending)


@dataclass(frozen=True)
class Entry:
    """One event to append (what record() takes), for record_many()."""

    event_type: AuditEventType
    actor: Actor
    model: Any = None
    version: Any = None
    request: Any = None
    details: dict | None = None


def record_many(entries: list[Entry]) -> list[AuditEvent]:
    """Append events in order inside the caller's transaction, chained to the current head:
    one head lock, one insert and one head update however many there are (a sweep that
    opens hundreds of alerts appends their events at once)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record() must run inside the transaction of the change.")
    if not entries:
        return []
    sequence, prev_hash = _lock_head()
    now, events = timezone.now(), []
    for entry in entries:
        sequence += 1
        event = _chained(entry, sequence, prev_hash, now)
        events.append(event)
        prev_hash = event.hash
    AuditEvent.objects.bulk_create(events)  # append-only: inserts are all it does
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {HEAD_TABLE} SET sequence = %s, hash = %s WHERE id = %s",
            [sequence, prev_hash, HEAD_ID],
        )
    return events


def _chained(entry: Entry, sequence: int, prev_hash: str, now: datetime) -> AuditEvent:
    event = AuditEvent(
        sequence=sequence,
        created_at=now,
        event_type=entry.event_type,
        actor=actor_label(entry.actor),
        actor_user=actor_user(entry.actor),
        model=entry.model,
        version=entry.version,
        request=entry.request,
        details=canonical_json(entry.details or {}),
        prev_hash=prev_hash,
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
    return event


# Every governed write appends at least one event, so the head is read and written with
# plain SQL: the ORM's query building cost more than the statements themselves.
HEAD_TABLE = AuditChainHead._meta.db_table


def _lock_head() -> tuple[int, str]:
    """Locking the head row serializes appends: the next writer waits here and then reads
    the head this one leaves, so sequences stay gap-free and the chain linear. (SQLite has
    no row locks: its IMMEDIATE transactions hold the database's write lock instead.)"""
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT sequence, hash FROM {HEAD_TABLE} WHERE id = %s{lock}", [HEAD_ID])
        sequence, digest = cursor.fetchone()
    return sequence, digest


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    count: int
    head_hash: str
    broken_at: int | None = None
    problem: str = ""


# A timestamp as the database returns it cast to text: SQLite's stored UTC text, or
# PostgreSQL's text in the session time zone, which Django sets (UTC unless configured).
STORED_TEXT = re.compile(r"([1-9]\d{3}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?(\+00(?::00)?)?")


def _rows() -> Iterator[tuple]:
    """Events in sequence order, created_at as the database's text: parsing 100,000
    datetimes and formatting them back cost more than hashing them."""
    events = AuditEvent.objects.order_by("sequence").annotate(
        created_text=Cast("created_at", output_field=TextField())
    )
    fields = ["created_text" if name == "created_at" else name for name in ROW_FIELDS]
    return events.values_list(*fields).iterator(chunk_size=5000)


def _stored_moment(text: str) -> datetime:
    """What Django's converter makes of a stored timestamp (naive means the connection's zone)."""
    moment = parse_datetime(text)
    if settings.USE_TZ and timezone.is_naive(moment):
        moment = timezone.make_aware(moment, connection.timezone)
    return moment


def _stamp_reader() -> Callable[[datetime | str], str]:
    """format_timestamp() of created_at given as a datetime or as the database's text."""
    naive_is_utc = settings.USE_TZ and connection.timezone_name == "UTC"

    def stamp(created: datetime | str) -> str:
        if isinstance(created, datetime):
            return format_timestamp(created)
        match = STORED_TEXT.fullmatch(created)
        # Only UTC text in the exact form takes the shortcut (years from 1000: strftime
        # does not pad shorter ones); anything else goes the long, exact way.
        if match and (match[4] or naive_is_utc):
            return f"{match[1]}T{match[2]}.{(match[3] or '').ljust(6, '0')}Z"
        return format_timestamp(_stored_moment(created))

    return stamp


def verify_rows(rows: Iterable[tuple]) -> ChainReport:
    """Walk events in sequence order; report the first one that does not chain."""
    expected_prev, expected_sequence, count = GENESIS_HASH, 1, 0
    stamp = _stamp_reader()
    for seq, created, etype, actor, model_id, version_id, request_id, details, prev, digest in rows:
        if seq != expected_sequence:
            return ChainReport(False, count, expected_prev, expected_sequence, "sequence gap")
        if prev != expected_prev:
            return ChainReport(False, count, expected_prev, seq, "previous hash does not match")
        recomputed = _digest(
            prev, seq, stamp(created), etype, actor, model_id, version_id, request_id, details
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
    if head is not None and head.sequence != report.count:
        return ChainReport(
            False,
            report.count,
            report.head_hash,
            min(head.sequence, report.count) + 1,
            f"chain head says #{head.sequence}, the last event is #{report.count}",
        )
    if head is not None and head.hash != report.head_hash:
        # Same length, different hash: the last event was rewritten with a fresh hash.
        return ChainReport(
            False,
            report.count,
            report.head_hash,
            report.count,
            "the chain head's hash does not match the last event",
        )
    return report
