"""Form fields for card values people type: items one per line, and tables of rows.

They only turn text into the plain data the card stores; the rules on that data (names,
ranges, sizes) stay in governance.validators, which the service runs.
"""

import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.datastructures import MultiValueDict

INTEGER_RE = re.compile(r"^[+-]?\d+$")
WHOLE_RE = re.compile(r"^\d{1,9}$")
DECIMAL_RE = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")


def parse_number(text: str) -> int | float:
    """A finite decimal number ("12", "0.91", "1e-3"); ValueError for "abc", NaN, inf."""
    text = text.strip()
    if INTEGER_RE.fullmatch(text):
        return int(text)  # ValueError past Python's digit limit, like any bad number
    if DECIMAL_RE.fullmatch(text):
        value = float(text)
        if math.isfinite(value):
            return value
    raise ValueError(f"'{text[:40]}' is not a finite number")


def format_number(value: object) -> str:
    # repr gives the shortest text that parses back to the same float.
    return repr(value) if isinstance(value, float) else str(value)


def parse_typed(text: str) -> Any:
    """A hyperparameter value: numbers, true/false, null, JSON lists/objects, else text."""
    text = text.strip()
    if text in ("true", "false"):
        return text == "true"
    if text == "null":
        return None
    try:
        return parse_number(text)
    except ValueError:
        pass
    if text[:1] in ("[", "{"):
        try:
            value = json.loads(text)
        except ValueError:
            return text
        if isinstance(value, list | dict):
            return value
    return text


def format_typed(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return format_number(value)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


class LinesField(forms.CharField):
    """A list of text items, one per line in a textarea; blank lines are dropped."""

    widget = forms.Textarea(attrs={"rows": 4})

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        return "\n".join(value) if isinstance(value, list) else value

    def clean(self, value: Any) -> list[str]:
        text = super().clean(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


def _values(data: Mapping[str, Any], key: str) -> list[str]:
    """Every value posted under key (a QueryDict, or a plain dict of lists or strings)."""
    if isinstance(data, MultiValueDict):
        return data.getlist(key)
    value = data.get(key, [])
    return list(value) if isinstance(value, list | tuple) else [value]


class RowsWidget(forms.Widget):
    """Cells posted as repeated names ``<field>-<column>``, one value per row.

    Rows have no index in their names, so the page's script adds and removes rows without
    renumbering anything; rows with every cell blank are dropped.
    """

    def __init__(self, columns: Sequence[str]) -> None:
        super().__init__()
        self.columns = tuple(columns)

    def value_from_datadict(
        self, data: Mapping[str, Any], files: MultiValueDict, name: str
    ) -> list[tuple[str, ...]]:
        cells = [_values(data, f"{name}-{column}") for column in self.columns]
        length = max((len(column) for column in cells), default=0)
        rows = [
            tuple(column[i] if i < len(column) else "" for column in cells) for i in range(length)
        ]
        return [row for row in rows if any(cell.strip() for cell in row)]

    def value_omitted_from_data(
        self, data: MultiValueDict, files: MultiValueDict, name: str
    ) -> bool:
        return False


class RowsField(forms.Field):
    """A table of rows; ``convert`` turns the text rows into the card's value, and every
    row's problem becomes one message of the field ("Row 2: ...")."""

    columns: tuple[tuple[str, str], ...] = ()  # (posted name, column heading)

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(widget=RowsWidget([name for name, _ in self.columns]), **kwargs)

    def as_rows(self, value: Any) -> list[tuple[str, ...]]:
        """The card's value as text rows, for the page."""
        raise NotImplementedError

    def convert(self, rows: list[tuple[str, ...]], problem: Callable[[int, str], None]) -> Any:
        raise NotImplementedError

    def clean(self, value: Any) -> Any:
        rows = [tuple(cell.strip() for cell in row) for row in value or []]
        problems: list[str] = []
        result = self.convert(rows, lambda index, text: problems.append(f"Row {index}: {text}"))
        if problems:
            raise ValidationError(problems)
        return result


def _number(text: str, what: str, index: int, problem: Callable[[int, str], None]) -> Any:
    if not text:
        problem(index, f"{what} needs a number.")
        return None
    try:
        return parse_number(text)
    except ValueError:
        problem(index, f"'{text[:40]}' is not a number (write e.g. 0.91).")
        return None


def _unique(key: Any, seen: set, index: int, problem: Callable[[int, str], None]) -> bool:
    if key in seen:
        shown = " / ".join(key) if isinstance(key, tuple) else key
        problem(index, f"'{shown}' appears twice.")
        return False
    seen.add(key)
    return True


class MetricRowsField(RowsField):
    """Metric name -> number (evaluation_metrics, fairness results)."""

    columns = (("name", "Metric"), ("value", "Value"))

    def as_rows(self, value: Any) -> list[tuple[str, ...]]:
        return [(name, format_number(number)) for name, number in (value or {}).items()]

    def convert(self, rows: list[tuple[str, ...]], problem: Callable[[int, str], None]) -> dict:
        metrics, seen = {}, set()
        for index, (name, text) in enumerate(rows, start=1):
            number = _number(text, name or "The metric", index, problem)
            if not name:
                problem(index, "give the metric a name.")
            elif _unique(name, seen, index, problem) and number is not None:
                metrics[name] = number
        return metrics


class GroupMetricRowsField(RowsField):
    """Group -> metric name -> number (performance_by_group)."""

    columns = (("group", "Group"), ("metric", "Metric"), ("value", "Value"))

    def as_rows(self, value: Any) -> list[tuple[str, ...]]:
        return [
            (group, name, format_number(number))
            for group, metrics in (value or {}).items()
            for name, number in (metrics or {}).items()
        ]

    def convert(self, rows: list[tuple[str, ...]], problem: Callable[[int, str], None]) -> dict:
        groups: dict[str, dict] = {}
        seen: set = set()
        for index, (group, name, text) in enumerate(rows, start=1):
            number = _number(text, name or "The metric", index, problem)
            if not (group and name):
                problem(index, "give both the group and the metric.")
            elif _unique((group, name), seen, index, problem) and number is not None:
                groups.setdefault(group, {})[name] = number
        return groups


class HyperparameterRowsField(RowsField):
    """Name -> typed value. A row whose text is unchanged keeps its stored value exactly
    (the text "6" of a stored string stays a string)."""

    columns = (("name", "Parameter"), ("value", "Value"))
    original: dict | None = None

    def as_rows(self, value: Any) -> list[tuple[str, ...]]:
        return [(name, format_typed(item)) for name, item in (value or {}).items()]

    def convert(self, rows: list[tuple[str, ...]], problem: Callable[[int, str], None]) -> dict:
        original = self.original or {}
        parameters, seen = {}, set()
        for index, (name, text) in enumerate(rows, start=1):
            if not name:
                problem(index, "give the parameter a name.")
            elif _unique(name, seen, index, problem):
                unchanged = name in original and text == format_typed(original[name]).strip()
                parameters[name] = original[name] if unchanged else parse_typed(text)
        return parameters


class FloorRowsField(RowsField):
    """retirement_criteria.metric_floors: [{metric, min, days}]."""

    columns = (("metric", "Metric"), ("min", "Minimum"), ("days", "Days below"))

    def as_rows(self, value: Any) -> list[tuple[str, ...]]:
        return [
            (
                str(floor.get("metric", "")),
                format_number(floor.get("min", "")),
                str(floor.get("days", "")),
            )
            for floor in value or []
            if isinstance(floor, dict)
        ]

    def convert(self, rows: list[tuple[str, ...]], problem: Callable[[int, str], None]) -> list:
        floors = []
        for index, (metric, low, days_text) in enumerate(rows, start=1):
            minimum = _number(low, "The minimum", index, problem)
            days = int(days_text) if WHOLE_RE.fullmatch(days_text) else None
            if days is None:
                problem(index, "days must be a whole number.")
            if not metric:
                problem(index, "give the metric a name.")
            elif minimum is not None and days is not None:
                floors.append({"metric": metric, "min": minimum, "days": days})
        return floors


class NumberField(forms.CharField):
    """An optional finite number typed as text: ints stay ints, so a stored 1 reads back 1."""

    def __init__(self, *, min_value: float | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.min_value = min_value
        self.widget.attrs["inputmode"] = "decimal"

    def prepare_value(self, value: Any) -> Any:
        return format_number(value) if isinstance(value, int | float) else value

    def clean(self, value: Any) -> int | float | None:
        text = super().clean(value)
        if not text:
            return None
        try:
            number = parse_number(text)
        except ValueError:
            raise ValidationError("Enter a finite number, e.g. 0.3.") from None
        if self.min_value is not None and number < self.min_value:
            raise ValidationError(f"Enter a number of at least {self.min_value}.")
        return number


class TextField(forms.CharField):
    """Free text from a textarea, with the browser's CRLF line ends made LF as stored."""

    widget = forms.Textarea(attrs={"rows": 6})

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        return super().to_python(value).replace("\r\n", "\n")
