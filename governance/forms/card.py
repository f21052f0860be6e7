"""The card editor's form: what a person typed, turned into the ``changes`` dict and the tag
merge that services.versions.version_update takes. It parses text; the card's and the tags'
rules are the service's (its ValidationError comes back here with ``add_service_errors``)."""

from dataclasses import dataclass
from typing import Any

from django import forms
from django.forms.forms import NON_FIELD_ERRORS

from governance.cards import CARD_FIELDS, IMMUTABLE_ONCE_SET, canonical_json
from governance.forms.fields import (
    FloorRowsField,
    GroupMetricRowsField,
    HyperparameterRowsField,
    LinesField,
    MetricRowsField,
    NumberField,
    RowsField,
    TextField,
)
from governance.forms.tags import TagsField, tag_changes
from governance.models import ModelVersion, ReviewSchedule
from governance.templatetags.tutela import FREE_TEXT_FIELDS

ONE_PER_LINE = "One item per line; blank lines are dropped."
ROWS_HELP = "Clear every cell of a row to remove it."
TYPED_HELP = (
    "Values are typed: 12 and 0.1 become numbers, true and false booleans, null nothing, "
    '[1, 2] or {"a": 1} a list or an object; anything else is kept as text. '
)
MARKDOWN_HELP = "Markdown: **bold**, *italic*, lists, links (http, https, mailto)."

# Card fields edited through several form fields: card key -> form field.
GROUPS = {
    "fairness_assessment": {
        "method": "fairness_method",
        "summary": "fairness_summary",
        "groups": "fairness_groups",
        "results": "fairness_results",
    },
    "retirement_criteria": {
        "max_age_days": "retirement_max_age_days",
        "metric_floors": "retirement_metric_floors",
        "drift_ceiling": "retirement_drift_ceiling",
        "retire_on_replacement": "retirement_retire_on_replacement",
    },
}
MARKDOWN_FIELDS = frozenset(FREE_TEXT_FIELDS)
EXTRA_ROWS = 2  # empty rows always rendered, so rows can be added without JavaScript


def _line(name: str, label: str, help_text: str = "") -> forms.CharField:
    max_length = ModelVersion._meta.get_field(name).max_length
    return forms.CharField(label=label, required=False, max_length=max_length, help_text=help_text)


def _meaningful(value: dict) -> dict:
    """A rule object without its empty or switched-off entries (absent and null rules do
    not apply), so rows the form leaves out are not taken for a change."""
    return {
        key: item
        for key, item in value.items()
        if not (item is None or item is False or item in ("", [], {}))
    }


def _same(field: str, new: Any, old: Any) -> bool:
    if isinstance(new, str) and isinstance(old, str):
        # The form strips text and uses LF line ends; stored text may not.
        return new == old.replace("\r\n", "\n").strip()
    if field in GROUPS and isinstance(old, dict):
        return canonical_json(_meaningful(new)) == canonical_json(_meaningful(old))
    return canonical_json(new) == canonical_json(old)


@dataclass(frozen=True)
class Cell:
    name: str
    id: str
    heading: str
    row: int
    value: str

    @property
    def label(self) -> str:
        return f"{self.heading}, row {self.row}"


@dataclass(frozen=True)
class RowTable:
    """A rows field as the page shows it: its posted (or stored) rows plus empty ones."""

    field: forms.BoundField
    headings: tuple[str, ...]
    rows: list[list[Cell]]


class CardForm(forms.Form):
    """Every card field of a version; ``changes()`` gives what differs from the version."""

    card_revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    intended_use = TextField(label="Intended use", help_text=MARKDOWN_HELP)
    out_of_scope_uses = LinesField(label="Out-of-scope uses", help_text=ONE_PER_LINE)
    primary_users = LinesField(label="Primary users", help_text=ONE_PER_LINE)
    training_data_description = TextField(
        label="Training data description", help_text=MARKDOWN_HELP
    )
    training_data_version = _line("training_data_version", "Training data version")
    training_date = forms.DateField(
        label="Training date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    training_pipeline = _line("training_pipeline", "Training pipeline")
    hyperparameters = HyperparameterRowsField(
        label="Hyperparameters", help_text=TYPED_HELP + ROWS_HELP
    )
    code_revision = _line("code_revision", "Code revision", "Fixed once set.")
    artifact_uri = _line("artifact_uri", "Artefact URI", "Fixed once set, e.g. s3://bucket/m.pkl")
    artifact_sha256 = _line(
        "artifact_sha256", "Artefact SHA-256", "Fixed once set: 64 lowercase hex characters."
    )
    evaluation_metrics = MetricRowsField(
        label="Evaluation metrics", help_text="Metric name and number. " + ROWS_HELP
    )
    performance_by_group = GroupMetricRowsField(
        label="Performance by group", help_text="Group, metric name and number. " + ROWS_HELP
    )
    known_limitations = LinesField(label="Known limitations", help_text=ONE_PER_LINE)
    ethical_considerations = LinesField(label="Ethical considerations", help_text=ONE_PER_LINE)
    fairness_method = forms.CharField(label="Method", required=False, max_length=2000)
    fairness_summary = TextField(label="Summary")
    fairness_groups = LinesField(label="Groups compared", help_text="One group per line.")
    fairness_results = MetricRowsField(label="Results", help_text="Metric name and number.")
    review_schedule = forms.ChoiceField(label="Review schedule", choices=ReviewSchedule.choices)
    retirement_max_age_days = forms.IntegerField(
        label="Maximum age (days since training)", required=False, min_value=1, max_value=3650
    )
    retirement_metric_floors = FloorRowsField(
        label="Metric floors",
        help_text="Retire when the metric stays below the minimum for this many days. " + ROWS_HELP,
    )
    retirement_drift_ceiling = NumberField(label="Drift ceiling", min_value=0)
    retirement_retire_on_replacement = forms.BooleanField(
        label="Retire when a replacement is approved and deployed", required=False
    )
    tags = TagsField(label="Tags")

    def __init__(self, data: Any = None, *, version: ModelVersion) -> None:
        self.current_tags = dict(version.tags.values_list("key", "value"))
        super().__init__(data, initial=self._initial(version) | {"tags": self.current_tags})
        self.version = version
        self.fields["hyperparameters"].original = version.hyperparameters
        self.locked = {field for field in IMMUTABLE_ONCE_SET if getattr(version, field)}
        for name, field in self.fields.items():
            if not field.widget.is_hidden:
                field.widget.attrs.setdefault("aria-describedby", f"help-{name} error-{name}")

    @staticmethod
    def _initial(version: ModelVersion) -> dict[str, Any]:
        values = version.card_values()
        initial = {"card_revision": version.card_revision}
        initial |= {field: values[field] for field in CARD_FIELDS if field not in GROUPS}
        for card_field, parts in GROUPS.items():
            stored = values[card_field] or {}
            initial |= {name: stored.get(key) for key, name in parts.items()}
        return initial

    def card_values(self) -> dict[str, Any]:
        """The whole card as typed (call after is_valid)."""
        data = self.cleaned_data
        values = {field: data[field] for field in CARD_FIELDS if field not in GROUPS}
        fairness = {key: data[name] for key, name in GROUPS["fairness_assessment"].items()}
        values["fairness_assessment"] = {k: v for k, v in fairness.items() if v not in ("", [], {})}
        criteria = {key: data[name] for key, name in GROUPS["retirement_criteria"].items()}
        values["retirement_criteria"] = {
            k: v for k, v in criteria.items() if v is not None and v != []
        }
        return values

    def changes(self) -> dict[str, Any]:
        """The card fields whose typed value differs from the version's stored one."""
        current = self.version.card_values()
        changes = {}
        for field, value in self.card_values().items():
            # A field fixed once set has no input; only a crafted post sends it, and then
            # the service refuses the change with its own message.
            if field in self.locked and field not in self.data:
                continue
            if not _same(field, value, current[field]):
                changes[field] = value
        return changes

    def tag_changes(self) -> dict[str, str | None] | None:
        """The typed set replaces the tags: as a merge, None for each key left out; None
        when the tags stay as they are (call after is_valid)."""
        if "tags" not in self.data:  # a post without the field leaves the tags alone
            return None
        return tag_changes(self.current_tags, self.cleaned_data["tags"]) or None

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        """The service's per-field messages, next to the field (or its group) they name."""
        for field, messages in errors.items():
            if field in self.fields:
                self.add_error(field, messages)
            elif field in GROUPS:  # no form field of that name: shown on its fieldset
                self._errors.setdefault(field, self.error_class()).extend(messages)
            else:
                named = (
                    messages if field == NON_FIELD_ERRORS else [f"{field}: {m}" for m in messages]
                )
                self.add_error(None, named)

    @property
    def tables(self) -> dict[str, RowTable]:
        """Each rows field with the rows to show: as posted, else as stored; plus empty ones."""
        return {
            name: self._table(name, field)
            for name, field in self.fields.items()
            if isinstance(field, RowsField)
        }

    def _table(self, name: str, field: RowsField) -> RowTable:
        bound = self[name]
        if self.is_bound:
            rows = field.widget.value_from_datadict(self.data, self.files, bound.html_name)
        else:
            rows = field.as_rows(self.initial.get(name))
        rows = [*rows, *[("",) * len(field.columns)] * EXTRA_ROWS]
        cells = [
            [
                Cell(
                    name=f"{bound.html_name}-{column}",
                    id=f"id_{name}-{column}-{index}",
                    heading=heading,
                    row=index,
                    value=value,
                )
                for (column, heading), value in zip(field.columns, row, strict=True)
            ]
            for index, row in enumerate(rows, start=1)
        ]
        return RowTable(bound, tuple(heading for _, heading in field.columns), cells)
