"""Field-by-field comparison of two model cards, for reviewers (pure functions, no queries).

Values compare as the card hash sees them (canonical JSON), so a date and its ISO text, or
dict keys in another order, are the same value. Lists and dicts are compared item by item,
so a reviewer reads "added: Pricing" instead of two long lists side by side.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from governance.cards import CARD_FIELDS, canonical_json

NOT_PROVIDED = "not provided"
ADDED, REMOVED, CHANGED = "added", "removed", "changed"


@dataclass(frozen=True)
class ItemChange:
    """One entry of a list or dict field that was added, removed or changed (readable text)."""

    kind: str
    key: str  # the dict key; "" for a list item
    old: str
    new: str


@dataclass(frozen=True)
class DiffRow:
    """One card field: its old and new value, whether it changed, and item-level changes."""

    field: str
    old: Any
    new: Any
    changed: bool
    items: tuple[ItemChange, ...] = ()

    @property
    def old_text(self) -> str:
        return readable(self.old)

    @property
    def new_text(self) -> str:
        return readable(self.new)


@dataclass(frozen=True)
class MetricRow:
    """One evaluation metric of the version under review next to the production version's."""

    name: str
    value: float | None
    baseline: float | None

    @property
    def delta(self) -> float | None:
        if _is_number(self.value) and _is_number(self.baseline):
            return self.value - self.baseline
        return None

    @property
    def value_text(self) -> str:
        return _number(self.value)

    @property
    def baseline_text(self) -> str:
        return _number(self.baseline)

    @property
    def delta_text(self) -> str:
        delta = self.delta
        return "" if delta is None else f"{delta:+.4g}"


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _number(value: object) -> str:
    if value is None:
        return "—"
    return f"{value:.6g}" if _is_number(value) else str(value)


def _empty(value: object) -> bool:
    return value is None or (isinstance(value, str | list | dict) and not value)


def same(old: object, new: object) -> bool:
    """Equal as the card hash sees them; an absent value equals an empty one."""
    if _empty(old) and _empty(new):
        return True
    return canonical_json(old) == canonical_json(new)


def readable(value: object) -> str:
    """One line of text for a value: lists joined with "; ", dicts as key=value pairs."""
    if _empty(value):
        return NOT_PROVIDED
    return _inline(value)


def _inline(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return ", ".join(f"{key}={_nested(item)}" for key, item in value.items())
    if isinstance(value, list):
        return "; ".join(_nested(item) for item in value)
    return canonical_json(value)


def _nested(value: object) -> str:
    """Inside a list or dict: brackets keep nested structures apart."""
    if isinstance(value, dict):
        return "{" + _inline(value) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_nested(item) for item in value) + "]"
    return _inline(value)


def list_changes(old: list, new: list) -> tuple[ItemChange, ...]:
    """Items removed from old, then items added in new (a reordering alone lists nothing)."""
    old_keys = {canonical_json(item) for item in old}
    new_keys = {canonical_json(item) for item in new}
    removed = [
        ItemChange(REMOVED, "", _nested(item), "")
        for item in old
        if canonical_json(item) not in new_keys
    ]
    added = [
        ItemChange(ADDED, "", "", _nested(item))
        for item in new
        if canonical_json(item) not in old_keys
    ]
    return tuple(removed + added)


def dict_changes(old: Mapping, new: Mapping, prefix: str = "") -> tuple[ItemChange, ...]:
    """Keys changed, removed or added, in the old card's key order, then the new keys;
    nested dicts and lists are compared inside ("b2c.accuracy: 0.90 -> 0.92")."""
    changes: list[ItemChange] = []
    for key in [*old, *(key for key in new if key not in old)]:
        label = f"{prefix}{key}"
        if key not in new:
            changes.append(ItemChange(REMOVED, label, _nested(old[key]), ""))
        elif key not in old:
            changes.append(ItemChange(ADDED, label, "", _nested(new[key])))
        elif same(old[key], new[key]):
            continue
        elif isinstance(old[key], dict) and isinstance(new[key], dict):
            changes.extend(dict_changes(old[key], new[key], prefix=f"{label}."))
        elif isinstance(old[key], list) and isinstance(new[key], list):
            inner = list_changes(old[key], new[key])
            changes.extend(ItemChange(c.kind, label, c.old, c.new) for c in inner)
            if not inner:  # the same items in another order
                changes.append(ItemChange(CHANGED, label, _nested(old[key]), _nested(new[key])))
        else:
            changes.append(ItemChange(CHANGED, label, _nested(old[key]), _nested(new[key])))
    return tuple(changes)


def compare_field(field: str, old: object, new: object) -> DiffRow:
    if same(old, new):
        return DiffRow(field, old, new, changed=False)
    items: tuple[ItemChange, ...] = ()
    if isinstance(old, list | type(None)) and isinstance(new, list | type(None)):
        items = list_changes(old or [], new or [])
    elif isinstance(old, dict | type(None)) and isinstance(new, dict | type(None)):
        items = dict_changes(old or {}, new or {})
    return DiffRow(field, old, new, changed=True, items=items)


def diff_cards(
    old: Mapping[str, Any], new: Mapping[str, Any], fields: Iterable[str] = CARD_FIELDS
) -> list[DiffRow]:
    """Every field of two cards (dicts of card field -> value), in card order."""
    return [compare_field(field, old.get(field), new.get(field)) for field in fields]


def changed_rows(rows: Iterable[DiffRow]) -> list[DiffRow]:
    return [row for row in rows if row.changed]


def metric_rows(values: Mapping[str, Any], baseline: Mapping[str, Any] | None) -> list[MetricRow]:
    """Metrics of the version under review, then metrics only the baseline has."""
    baseline = baseline or {}
    names = [*values, *(name for name in baseline if name not in values)]
    return [MetricRow(name, values.get(name), baseline.get(name)) for name in names]
