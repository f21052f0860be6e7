"""The audit trail: appended in the caller's transaction, chained by hash, append-only in
the ORM and in the database, and verified by ``manage.py verify_audit``."""

import hashlib
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.db.backends.utils import CursorWrapper

from governance import audit
from governance.actors import SEED, SystemActor
from governance.audit_guard import install_triggers, remove_triggers
from governance.models import AppendOnlyError, AuditChainHead, AuditEvent, AuditEventType
from governance.models.audit import GENESIS_HASH

pytestmark = pytest.mark.django_db

TABLE = "governance_auditevent"


def record_events(count: int) -> list[AuditEvent]:
    return [
        audit.record(
            event_type=AuditEventType.TEAM_CREATED,
            actor=SEED,
            details={"n": number, "team": f"team-{number}"},
        )
        for number in range(1, count + 1)
    ]


@pytest.fixture
def chain() -> list[AuditEvent]:
    """Five events from an empty trail: sequences 1 to 5."""
    assert AuditEvent.objects.count() == 0
    return record_events(5)


@pytest.fixture
def postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE triggers exist on PostgreSQL only; SQLite has no TRUNCATE.")


@contextmanager
def triggers_lifted() -> Iterator[CursorWrapper]:
    """Tamper as the table owner would: drop the append-only triggers, then put them back."""
    remove_triggers(connection)
    try:
        with connection.cursor() as cursor:
            yield cursor
    finally:
        install_triggers(connection)


def verify_output() -> str:
    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def verify_error() -> str:
    with pytest.raises(CommandError) as caught:
        call_command("verify_audit", stdout=StringIO())
    return str(caught.value)


# --- appending -----------------------------------------------------------------------


def test_record_appends_gap_free_sequences_chained_by_previous_hash(chain):
    stored = list(AuditEvent.objects.order_by("sequence"))

    assert [event.sequence for event in stored] == [1, 2, 3, 4, 5]
    assert stored[0].prev_hash == GENESIS_HASH
    for previous, event in zip(stored, stored[1:], strict=False):
        assert event.prev_hash == previous.hash
    assert len({event.hash for event in stored}) == 5


def test_event_hash_is_sha256_of_previous_hash_and_canonical_event(chain):
    event = AuditEvent.objects.get(sequence=2)
    body = json.dumps(
        {
            "actor": "system:seed",
            "created_at": event.created_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "details": '{"n":2,"team":"team-2"}',
            "event_type": "team.created",
            "model": None,
            "request": None,
            "sequence": 2,
            "version": None,
        },
        separators=(",", ":"),
    )

    assert event.details == '{"n":2,"team":"team-2"}'
    assert event.hash == hashlib.sha256(f"{chain[0].hash}\n{body}".encode()).hexdigest()


def test_record_moves_the_chain_head_to_the_new_event(chain):
    head = AuditChainHead.objects.get(pk=1)

    assert (head.sequence, head.hash) == (5, chain[-1].hash)


def test_record_keeps_the_actor_label_and_user(personas):
    by_person = audit.record(event_type=AuditEventType.ROLE_GRANTED, actor=personas["admin"])
    by_task = audit.record(
        event_type=AuditEventType.RETIREMENT_TRIGGERED, actor=SystemActor("retirement")
    )

    assert (by_person.actor, by_person.actor_user) == ("admin", personas["admin"])
    assert (by_task.actor, by_task.actor_user) == ("system:retirement", None)


@pytest.mark.django_db(transaction=True)
def test_record_refuses_to_run_outside_a_transaction():
    with pytest.raises(RuntimeError, match="must run inside the transaction of the change"):
        audit.record(event_type=AuditEventType.TEAM_CREATED, actor=SEED)

    assert AuditEvent.objects.count() == 0
    assert AuditChainHead.objects.get(pk=1).sequence == 0


@pytest.mark.django_db(transaction=True)
def test_events_roll_back_with_the_change_they_record():
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        audit.record(event_type=AuditEventType.TEAM_CREATED, actor=SEED)
        1 / 0  # noqa: B018 - the change fails after its event was appended

    assert AuditEvent.objects.count() == 0
    assert AuditChainHead.objects.get(pk=1).sequence == 0
    with transaction.atomic():
        event = audit.record(event_type=AuditEventType.TEAM_CREATED, actor=SEED)
    assert (event.sequence, event.prev_hash) == (1, GENESIS_HASH)


def test_a_batch_appends_its_events_together_when_it_ends(chain, django_assert_num_queries):
    with transaction.atomic(), audit.batch():
        for number in (6, 7, 8):
            recorded = audit.record(
                event_type=AuditEventType.TEAM_CREATED, actor=SEED, details={"n": number}
            )
            assert recorded is None
        assert AuditEvent.objects.count() == 5

    details = AuditEvent.objects.filter(sequence__gt=5).order_by("sequence")
    assert list(details.values_list("sequence", "details")) == [
        (6, '{"n":6}'),
        (7, '{"n":7}'),
        (8, '{"n":8}'),
    ]
    assert audit.verify_chain().ok


def test_a_batch_of_events_costs_one_head_lock_insert_and_head_update(
    chain, django_assert_num_queries
):
    with transaction.atomic(), django_assert_num_queries(3), audit.batch():
        for _ in range(4):
            audit.record(event_type=AuditEventType.TEAM_CREATED, actor=SEED)

    assert AuditChainHead.objects.get(pk=1).sequence == 9


def test_a_batch_that_fails_appends_nothing_and_the_next_records_at_once(chain):
    with pytest.raises(ZeroDivisionError), transaction.atomic(), audit.batch():
        audit.record(event_type=AuditEventType.TEAM_CREATED, actor=SEED)
        1 / 0  # noqa: B018 - the change fails after recording its event

    with transaction.atomic():
        event = audit.record(event_type=AuditEventType.TEAM_CREATED, actor=SEED)
    assert event.sequence == 6
    assert AuditEvent.objects.count() == 6


def test_a_nested_batch_joins_the_outer_one(chain):
    with transaction.atomic(), audit.batch():
        with audit.batch():
            audit.record(event_type=AuditEventType.TEAM_CREATED, actor=SEED)
        assert AuditEvent.objects.count() == 5
        audit.record(event_type=AuditEventType.TEAM_CREATED, actor=SEED)

    assert AuditEvent.objects.count() == 7


# --- append-only in the ORM ----------------------------------------------------------


def test_saving_an_event_again_is_refused(chain):
    event = AuditEvent.objects.get(sequence=3)
    event.details = '{"n":99}'

    with pytest.raises(AppendOnlyError, match="cannot be updated"):
        event.save()

    assert AuditEvent.objects.get(sequence=3).details == '{"n":3,"team":"team-3"}'


def test_deleting_an_event_is_refused(chain):
    with pytest.raises(AppendOnlyError, match="cannot be deleted"):
        AuditEvent.objects.get(sequence=3).delete()

    assert AuditEvent.objects.count() == 5


def test_queryset_update_is_refused(chain):
    with pytest.raises(AppendOnlyError, match="cannot be updated"):
        AuditEvent.objects.filter(sequence__gte=2).update(actor="someone-else")
    with pytest.raises(AppendOnlyError, match="cannot be updated"):
        AuditEvent.objects.update(details="{}")

    assert set(AuditEvent.objects.values_list("actor", flat=True)) == {"system:seed"}


def test_queryset_delete_is_refused(chain):
    with pytest.raises(AppendOnlyError, match="cannot be deleted"):
        AuditEvent.objects.filter(sequence=5).delete()
    with pytest.raises(AppendOnlyError, match="cannot be deleted"):
        AuditEvent.objects.all().delete()

    assert AuditEvent.objects.count() == 5


def test_overwriting_an_event_through_a_new_instance_is_refused_by_the_database(chain):
    original = AuditEvent.objects.get(sequence=2)
    forged = AuditEvent(
        pk=original.pk,
        sequence=2,
        created_at=original.created_at,
        event_type=AuditEventType.TEAM_CREATED,
        actor="mallory",
        details="{}",
        prev_hash=original.prev_hash,
        hash=original.hash,
    )

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        forged.save()

    assert AuditEvent.objects.get(sequence=2).actor == "system:seed"


# --- append-only in the database -----------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        f"UPDATE {TABLE} SET details = '{{}}' WHERE sequence = 3",
        f"UPDATE {TABLE} SET actor = 'mallory'",
        f"DELETE FROM {TABLE} WHERE sequence = 5",
        f"DELETE FROM {TABLE}",
    ],
)
def test_raw_update_and_delete_on_the_audit_table_fail(chain, statement):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)

    assert AuditEvent.objects.count() == 5
    assert audit.verify_chain().ok


def test_raw_truncate_on_the_audit_table_fails(chain, postgresql_only):
    with (
        pytest.raises(DatabaseError, match="append-only: TRUNCATE refused"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        # Fire the deferred foreign-key checks of the inserts first; PostgreSQL refuses to
        # truncate a table with pending trigger events before our trigger is reached.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {TABLE} CASCADE")

    assert AuditEvent.objects.count() == 5


def test_raw_inserts_are_allowed_so_appends_keep_working(chain):
    """Only changes are refused; the next service call can still append."""
    event = record_events(1)[0]

    assert event.sequence == 6
    assert audit.verify_chain().ok


# --- verify_audit --------------------------------------------------------------------


def test_verify_audit_reports_the_count_and_head_hash(chain):
    output = verify_output()

    assert re.fullmatch(
        rf"Audit chain intact: 5 events, head {chain[-1].hash} \(\d+\.\d\d s\)\.\n", output
    )


def test_verify_audit_accepts_an_empty_trail():
    assert verify_output().startswith(f"Audit chain intact: 0 events, head {GENESIS_HASH} (")


def test_verify_audit_names_an_edited_event(chain):
    with triggers_lifted() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET details = %s WHERE sequence = 3", ['{"n":99}'])

    assert verify_error() == (
        "Audit chain broken at sequence 3: content does not match its hash "
        "(2 events verified before it)."
    )


def test_verify_audit_names_an_event_whose_actor_was_rewritten(chain):
    with triggers_lifted() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET actor = %s WHERE sequence = 4", ["mallory"])

    assert "broken at sequence 4: content does not match its hash" in verify_error()


def test_verify_audit_names_a_deleted_event(chain):
    with triggers_lifted() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE sequence = 3")

    assert verify_error() == (
        "Audit chain broken at sequence 3: sequence gap (2 events verified before it)."
    )


def test_verify_audit_names_a_deleted_last_event_through_the_chain_head(chain):
    with triggers_lifted() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE sequence = 5")

    assert verify_error() == (
        "Audit chain broken at sequence 5: chain head says #5, the last event is #4 "
        "(4 events verified before it)."
    )


def _shift_up_from(cursor: CursorWrapper, sequence: int) -> None:
    """Make room at sequence: one row at a time from the top, so the unique index holds."""
    for number in range(5, sequence - 1, -1):
        cursor.execute(f"UPDATE {TABLE} SET sequence = sequence + 1 WHERE sequence = %s", [number])


def test_verify_audit_names_the_event_after_an_inserted_one(chain):
    """A forger who knows the hash function makes the inserted event itself look valid;
    the event after it no longer points at its predecessor."""
    with triggers_lifted() as cursor:
        _shift_up_from(cursor, 3)
    forged = AuditEvent(
        sequence=3,
        created_at=chain[1].created_at,
        event_type=AuditEventType.TEAM_CREATED,
        actor="system:seed",
        details='{"n":"forged"}',
        prev_hash=chain[1].hash,
    )
    forged.hash = audit.event_hash(
        prev_hash=forged.prev_hash,
        sequence=3,
        created_at=forged.created_at,
        event_type=forged.event_type,
        actor=forged.actor,
        model_id=None,
        version_id=None,
        request_id=None,
        details=forged.details,
    )
    forged.save()

    assert verify_error() == (
        "Audit chain broken at sequence 4: previous hash does not match "
        "(3 events verified before it)."
    )


def test_verify_audit_names_a_clumsily_inserted_event_itself(chain):
    with triggers_lifted() as cursor:
        _shift_up_from(cursor, 3)
    AuditEvent(
        sequence=3,
        created_at=chain[1].created_at,
        event_type=AuditEventType.TEAM_CREATED,
        actor="system:seed",
        prev_hash=chain[1].hash,
        hash="f" * 64,
    ).save()

    assert "broken at sequence 3: content does not match its hash" in verify_error()


def test_verify_audit_names_the_first_of_reordered_events(chain):
    with triggers_lifted() as cursor:
        for old, new in ((2, 1000), (3, 2), (1000, 3)):
            cursor.execute(f"UPDATE {TABLE} SET sequence = %s WHERE sequence = %s", [new, old])

    assert verify_error() == (
        "Audit chain broken at sequence 2: previous hash does not match "
        "(1 events verified before it)."
    )


def test_verify_audit_names_an_event_appended_behind_the_heads_back(chain):
    """Events are intact, but the head (updated with every append) never saw the last one."""
    AuditChainHead.objects.filter(pk=1).update(sequence=4, hash=chain[3].hash)

    assert verify_error() == (
        "Audit chain broken at sequence 5: chain head says #4, the last event is #5 "
        "(5 events verified before it)."
    )


def test_verify_audit_names_a_rewritten_last_event_through_the_chain_head(chain):
    """Rewriting the last event with a fresh, valid hash leaves the rows consistent; the
    head, which every append moves, still holds the old hash."""
    last = chain[-1]
    rehashed = audit.event_hash(
        prev_hash=last.prev_hash,
        sequence=5,
        created_at=last.created_at,
        event_type=last.event_type,
        actor="system:seed",
        model_id=None,
        version_id=None,
        request_id=None,
        details='{"n":"rewritten"}',
    )
    with triggers_lifted() as cursor:
        cursor.execute(
            f"UPDATE {TABLE} SET details = %s, hash = %s WHERE sequence = 5",
            ['{"n":"rewritten"}', rehashed],
        )

    assert audit.verify_rows(audit._rows()).ok
    assert verify_error() == (
        "Audit chain broken at sequence 5: the chain head's hash does not match the last "
        "event (5 events verified before it)."
    )


def test_verify_audit_passes_again_once_the_triggers_are_back(chain):
    with triggers_lifted():
        pass

    assert verify_output().startswith("Audit chain intact: 5 events")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"DELETE FROM {TABLE}")


def test_fast_timestamp_reading_matches_the_hash_definition(personas, version):
    """verify_chain reads created_at as database text for speed; every stored event must
    give the same timestamp string as formatting its datetime."""
    from governance.audit import _rows, _stamp_reader, format_timestamp
    from governance.services.versions import version_update_card

    for text in ("First.", "Second.", "Third."):
        version_update_card(
            actor=personas["engineer"], version_id=version.pk, changes={"intended_use": text}
        )
    stamp = _stamp_reader()
    texts = [row[1] for row in _rows()]
    moments = list(AuditEvent.objects.order_by("sequence").values_list("created_at", flat=True))

    assert len(texts) == len(moments) >= 3
    assert [stamp(text) for text in texts] == [format_timestamp(moment) for moment in moments]


@pytest.mark.parametrize(
    ("actor", "details", "ids"),
    [
        ("lead", '{"notes":"ok"}', (1, 2, 3)),
        ("system:retirement", '{"a":"\\u00e9 \\"quoted\\" \\\\ tab\\t 🚀"}', (None, None, None)),
        ("ünïcode \u2028 line", "{}", (10**12, None, 7)),
    ],
)
def test_event_hash_is_sha256_of_previous_hash_and_canonical_json(actor, details, ids):
    """The documented definition, written the slow, obvious way (bundles re-verify it)."""
    import hashlib
    from datetime import UTC, datetime

    from governance.audit import event_hash
    from governance.cards import canonical_json

    moment = datetime(2026, 11, 27, 10, 0, 0, 12, tzinfo=UTC)
    model_id, version_id, request_id = ids
    body = canonical_json(
        {
            "sequence": 42,
            "created_at": "2026-11-27T10:00:00.000012Z",
            "event_type": "approval.decision",
            "actor": actor,
            "model": model_id,
            "version": version_id,
            "request": request_id,
            "details": details,
        }
    )
    expected = hashlib.sha256(f"{'f' * 64}\n{body}".encode()).hexdigest()

    assert expected == event_hash(
        prev_hash="f" * 64,
        sequence=42,
        created_at=moment,
        event_type="approval.decision",
        actor=actor,
        model_id=model_id,
        version_id=version_id,
        request_id=request_id,
        details=details,
    )
