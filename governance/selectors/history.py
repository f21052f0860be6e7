"""The history sections of the model and version pages: the model's audit events, and the
field changes simple-history kept (of the model, its versions and their approval requests).

Pages hold 25 entries and need no COUNT: a page reads one row more than it shows to know
whether another page follows. Each diff compares a history row with the row before it,
read in the same query (LAG over the object's rows), so no page queries per entry.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db.models import F, Model, QuerySet, Window
from django.db.models.functions import Lag

from governance import diffs
from governance.cards import CARD_FIELDS
from governance.models import ApprovalRequest, ModelVersion, RegisteredModel, Team
from governance.selectors import User, audit_events_visible_to, model_get_for

PAGE_SIZE = 25
MAX_PAGE = 10_000  # deeper pages are refused as page 1 rather than read with a huge OFFSET
MAX_CHANGES_PAGE = 200
KINDS = {"+": "created", "~": "changed", "-": "deleted"}

# The fields whose changes are shown. Bookkeeping columns (card_revision,
# *_updated_at, stage_changed_at, the review dates) change with every edit and would only add noise.
MODEL_FIELDS = (
    "name",
    "team",
    "owner",
    "description",
    "risk_level",
    "auto_deprecate",
    "grace_period_days",
)
VERSION_FIELDS = ("stage", *CARD_FIELDS)
REQUEST_FIELDS = (
    "status",
    "required_roles",
    "justification",
    "decided_at",
    "revoked_by",
    "revoked_at",
    "revoke_reason",
)
USER_FIELDS = {"owner", "revoked_by"}


@dataclass(frozen=True)
class PageWindow:
    items: list
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_number(self) -> int:
        return self.number - 1

    @property
    def next_number(self) -> int:
        return self.number + 1


def page_number(raw: str | None) -> int:
    """A ?page= value as a page number; anything but a whole number from 1 means page 1."""
    try:
        number = int(raw or 1)
    except ValueError:
        return 1
    return number if 1 <= number <= MAX_PAGE else 1


def page_of(rows: QuerySet | Sequence, number: int) -> PageWindow:
    start = (number - 1) * PAGE_SIZE
    chunk = list(rows[start : start + PAGE_SIZE + 1])
    return PageWindow(chunk[:PAGE_SIZE], number, len(chunk) > PAGE_SIZE)


# --- audit events -------------------------------------------------------------------


@dataclass(frozen=True)
class DetailItem:
    """One entry of an event's details: a value, or a change from old to new."""

    label: str
    value: object = None
    old: object = None
    new: object = None
    changed: bool = False

    @property
    def old_text(self) -> str:
        return diffs.readable(self.old)

    @property
    def new_text(self) -> str:
        return diffs.readable(self.new)


def _is_change(value: object) -> bool:
    return isinstance(value, dict) and set(value) == {"before", "after"}


def readable_details(details: object) -> list[DetailItem]:
    """Event details as labelled items; {before, after} pairs (and dicts of them, such as a
    card update's changes) become old -> new items."""
    if not isinstance(details, dict):
        return [DetailItem("details", details)]
    items = []
    if isinstance(details.get("before"), dict) and isinstance(details.get("after"), dict):
        # A model update: {"before": {field: old}, "after": {field: new}}.
        before, after = details["before"], details["after"]
        items += [
            DetailItem(field, old=before.get(field), new=after.get(field), changed=True)
            for field in [*before, *(f for f in after if f not in before)]
        ]
        details = {k: v for k, v in details.items() if k not in ("before", "after")}
    for key, value in details.items():
        label = key.replace("_", " ")
        if _is_change(value):
            items.append(DetailItem(label, old=value["before"], new=value["after"], changed=True))
        elif isinstance(value, dict) and value and all(map(_is_change, value.values())):
            items += [
                DetailItem(field, old=change["before"], new=change["after"], changed=True)
                for field, change in value.items()
            ]
        else:
            items.append(DetailItem(label, value))
    return items


def audit_events_page(user: User, model: RegisteredModel, page: int) -> PageWindow:
    """The model's audit events the person may see, newest first, with .items (readable
    details)."""
    events = (
        audit_events_visible_to(user)
        .filter(model=model)
        .select_related("version")
        .order_by("-sequence")
    )
    window = page_of(events, page)
    for event in window.items:
        event.items = readable_details(event.details_data)
    return window


def model_audit_for(*, user: User, name: str, page: int) -> tuple[RegisteredModel, PageWindow]:
    model = model_get_for(user=user, name=name)
    return model, audit_events_page(user, model, page)


# --- simple-history field changes -----------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: object
    new: object
    items: tuple[diffs.ItemChange, ...]  # for lists and dicts: what was added, removed

    @property
    def old_text(self) -> str:
        return diffs.readable(self.old)

    @property
    def new_text(self) -> str:
        return diffs.readable(self.new)


@dataclass(frozen=True)
class ChangeEntry:
    """One simple-history record: who changed what on which object, and why."""

    subject: str  # "model", "version" or "request"
    label: str  # the model's name, the version string, or the request number
    object_id: int
    at: datetime
    who: str
    kind: str  # created, changed or deleted
    reason: str
    changes: list[FieldChange]


def _with_previous(records: QuerySet, fields: Iterable[str]) -> QuerySet:
    """History rows newest first, each annotated with the previous row's values."""
    meta = records.model._meta
    columns = [meta.get_field(name).attname for name in fields] + ["history_id"]
    window = {"partition_by": [F("id")], "order_by": [F("history_id").asc()]}
    previous = {f"previous_{column}": Window(Lag(column), **window) for column in columns}
    return (
        records.select_related("history_user")
        .annotate(**previous)
        .order_by("-history_date", "-history_id")
    )


def _field_changes(record: Model, fields: Sequence[str]) -> list[FieldChange]:
    if record.previous_history_id is None:
        return []
    history = type(record)
    attnames = [history._meta.get_field(name).attname for name in fields]
    previous = history(**{column: getattr(record, f"previous_{column}") for column in attnames})
    delta = record.diff_against(previous, included_fields=fields)
    return [
        FieldChange(c.field, c.old, c.new, diffs.compare_field(c.field, c.old, c.new).items)
        for c in delta.changes
    ]


def _label(subject: str, record: Model) -> str:
    if subject == "model":
        return record.name
    return record.version if subject == "version" else f"#{record.id}"


def _entry(subject: str, record: Model, fields: Sequence[str]) -> ChangeEntry:
    user = record.history_user
    return ChangeEntry(
        subject=subject,
        label=_label(subject, record),
        object_id=record.id,
        at=record.history_date,
        who=user.get_username() if user else "system",
        kind=KINDS.get(record.history_type, record.history_type),
        reason=record.history_change_reason or "",
        changes=_field_changes(record, fields),
    )


def _reference(field: str) -> str:
    """Which table a foreign-key field's ids point to ("" for plain values)."""
    return "user" if field in USER_FIELDS else "team" if field == "team" else ""


def _named(entries: list[ChangeEntry]) -> list[ChangeEntry]:
    """Owner, reviser and team ids as names: one query each, only when some changed."""
    ids: dict[str, set[int]] = {"user": set(), "team": set()}
    for change in (change for entry in entries for change in entry.changes):
        if _reference(change.field):
            ids[_reference(change.field)] |= {change.old, change.new} - {None}
    if not ids["user"] | ids["team"]:
        return entries
    people = get_user_model().objects.filter(pk__in=ids["user"])
    names = {
        "user": dict(people.values_list("pk", get_user_model().USERNAME_FIELD)),
        "team": dict(Team.objects.filter(pk__in=ids["team"]).values_list("pk", "slug")),
    }

    def named(change: FieldChange) -> FieldChange:
        found = names.get(_reference(change.field))
        if not found:
            return change
        old, new = found.get(change.old, change.old), found.get(change.new, change.new)
        return replace(change, old=old, new=new)

    return [replace(entry, changes=[named(c) for c in entry.changes]) for entry in entries]


def model_changes_for(*, user: User, name: str, page: int) -> tuple[RegisteredModel, PageWindow]:
    """Field changes of the model, its versions and their approval requests, newest first.
    Each source gives its newest page*25+1 rows; merged, they hold the page asked for."""
    model = model_get_for(user=user, name=name)
    # Every source is read up to the page asked for, so deep pages cost; 200 pages (5,000
    # changes) is as far back as this view goes, the audit trail reaches further.
    page = page if page <= MAX_CHANGES_PAGE else 1
    wanted = page * PAGE_SIZE + 1
    sources = (
        ("model", RegisteredModel.history.filter(id=model.pk), MODEL_FIELDS),
        ("version", ModelVersion.history.filter(model_id=model.pk), VERSION_FIELDS),
        ("request", ApprovalRequest.history.filter(version__model_id=model.pk), REQUEST_FIELDS),
    )
    records = [
        (subject, record, fields)
        for subject, rows, fields in sources
        for record in _with_previous(rows, fields)[:wanted]
    ]
    records.sort(key=lambda item: item[1].history_date, reverse=True)
    window = page_of(records, page)
    entries = [_entry(subject, record, fields) for subject, record, fields in window.items]
    return model, replace(window, items=_named(entries))


def version_history(version: ModelVersion, page: int) -> PageWindow:
    """The version's own history records (card edits and stage moves), newest first."""
    rows = _with_previous(ModelVersion.history.filter(id=version.pk), VERSION_FIELDS)
    window = page_of(rows, page)
    entries = [_entry("version", record, VERSION_FIELDS) for record in window.items]
    return replace(window, items=_named(entries))
