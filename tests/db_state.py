"""What a service call wrote: row counts of every table it may touch, and the audit events
and history rows it appended. A refused call must leave all of it unchanged."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.apps import apps
from django.db import models

from governance.models import AuditChainHead, AuditEvent

# Governance tables (with their simple-history tables and the audit trail), role grants
# (guardian object permissions, group memberships) and users.
COUNTED_APPS = ("governance", "guardian", "auth")


def row_counts() -> dict[str, int]:
    """Rows per table, plus the audit chain head's sequence (it is updated, not inserted)."""
    counts = {
        model._meta.label: model._default_manager.count()
        for app_label in COUNTED_APPS
        for model in apps.get_app_config(app_label).get_models(include_auto_created=True)
    }
    counts["audit head sequence"] = AuditChainHead.objects.get(pk=1).sequence
    return counts


@contextmanager
def nothing_written() -> Iterator[None]:
    """Assert the block adds no row, audit event or history row anywhere it could."""
    before = row_counts()
    yield
    after = row_counts()
    changed = {
        table: (before[table], after[table]) for table in before if before[table] != after[table]
    }
    assert not changed, f"a refused call wrote rows (table: (before, after)): {changed}"


def audit_mark() -> int:
    """The sequence of the last audit event; pass it to new_events()."""
    return AuditChainHead.objects.get(pk=1).sequence


def new_events(mark: int) -> list[tuple]:
    """Events appended since mark as (event_type, actor, model, version, request, details)."""
    events = AuditEvent.objects.filter(sequence__gt=mark).order_by("sequence")
    return [
        (e.event_type, e.actor, e.model_id, e.version_id, e.request_id, e.details_data)
        for e in events
    ]


def history(obj: models.Model) -> list[tuple]:
    """simple-history rows of obj, oldest first, as (type, username or None, change reason)."""
    rows = obj.history.order_by("history_id").select_related("history_user")
    return [
        (
            row.history_type,
            row.history_user.get_username() if row.history_user else None,
            row.history_change_reason,
        )
        for row in rows
    ]
