"""The shape of a generated document: sections of items, each item a list of facts (with
where each fact comes from) and a list of what is missing. Renderers (Markdown, HTML, PDF)
read only these dataclasses, never the database."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone

MISSING = "MISSING"
DISCLAIMER = "This is product guidance, not legal advice."
NOT_ASSESSMENT = (
    "Draft generated from the records Tutela holds; it is not a conformity assessment. "
    "Review and complete it before relying on it."
)


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


FactValue = str | tuple[str, ...] | Table


@dataclass(frozen=True)
class Fact:
    """One piece of evidence. `markdown` marks free card text (rendered sanitized in HTML)."""

    label: str
    value: FactValue
    source: str = ""
    markdown: bool = False

    @property
    def kind(self) -> str:
        if isinstance(self.value, Table):
            return "table"
        if isinstance(self.value, tuple):
            return "list"
        return "markdown" if self.markdown else "text"


@dataclass(frozen=True)
class Gap:
    """Evidence the item needs and Tutela does not hold: rendered as a MISSING marker."""

    ref: str
    needed: str

    @property
    def marker(self) -> str:
        return f"{MISSING} – Annex IV {self.ref}: {self.needed}"


@dataclass(frozen=True)
class Item:
    key: str  # stable identifier ("1a", "3_accuracy"), for the checklist and the tests
    ref: str  # the Annex IV point as printed ("1(a)", "3")
    title: str
    facts: tuple[Fact, ...] = ()
    gaps: tuple[Gap, ...] = ()

    @property
    def complete(self) -> bool:
        return bool(self.facts) and not self.gaps


@dataclass(frozen=True)
class Section:
    number: int
    title: str
    items: tuple[Item, ...]

    @property
    def heading(self) -> str:
        return f"{self.number}. {self.title}"


@dataclass(frozen=True)
class Document:
    title: str
    subject: str  # "customer-churn-predictor 2.4.1"
    generated_at: datetime
    preamble: tuple[Fact, ...]
    sections: tuple[Section, ...]
    notes: tuple[str, ...] = field(default=(DISCLAIMER, NOT_ASSESSMENT))

    @property
    def gaps(self) -> list[Gap]:
        return [gap for section in self.sections for item in section.items for gap in item.gaps]

    def item(self, key: str) -> Item:
        return next(i for s in self.sections for i in s.items if i.key == key)


def item(key: str, ref: str, title: str, facts: Iterable[Fact | None], gaps: Iterable) -> Item:
    """An item from the facts found (None: not found) and the gaps as (needed or None)."""
    return Item(
        key=key,
        ref=ref,
        title=title,
        facts=tuple(f for f in facts if f is not None),
        gaps=tuple(Gap(ref, needed) for needed in gaps if needed),
    )


def moment(value: datetime | date | None) -> str:
    """A time as people read it in the site's time zone; dates as ISO dates."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M %Z")
    return value.isoformat()


def plain(value: object) -> str:
    """A card value as one line: numbers as written, lists joined, dicts as key=value."""
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dict):
        return ", ".join(f"{key}={plain(item)}" for key, item in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(plain(item) for item in value)
    return "" if value is None else str(value)


def table(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> Table:
    return Table(tuple(columns), tuple(tuple(plain(cell) for cell in row) for row in rows))
