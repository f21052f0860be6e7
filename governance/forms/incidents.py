"""The serious-incident register's forms: record an incident, report it to the authority,
update its corrective action, close it. The forms parse what people typed; the rules
(dates not in the future, who may suspend, which state allows what) are the services'."""

from django import forms

from governance.incident_rules import REPORTING_DAYS
from governance.models import IncidentSeverity
from governance.models.incidents import (
    CORRECTIVE_ACTION_LIMIT,
    DESCRIPTION_LIMIT,
    REFERENCE_LIMIT,
)


def severity_choices() -> list[tuple[str, str]]:
    """Each class with the reporting clock Art. 73 gives it, as Tutela reads it."""
    return [
        (severity.value, f"{severity.label} (report within {REPORTING_DAYS[severity]} days)")
        for severity in IncidentSeverity
    ]


def _described(name: str, **attrs: object) -> dict[str, object]:
    return {"aria-describedby": f"help-{name} error-{name}", **attrs}


def _date(name: str, label: str, help_text: str, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(attrs=_described(name, type="date"), format="%Y-%m-%d"),
        error_messages={"invalid": "Give a date as YYYY-MM-DD."},
    )


def _corrective_action(*, required: bool, help_text: str) -> forms.CharField:
    return forms.CharField(
        label="Corrective action",
        required=required,
        max_length=CORRECTIVE_ACTION_LIMIT,
        widget=forms.Textarea(attrs=_described("corrective_action", rows=4)),
        help_text=help_text,
    )


class ServiceErrorsMixin:
    """The service's messages next to the fields they name (the form's field names are the
    service's argument names), the others above the form."""

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        for field, messages in errors.items():
            self.add_error(field if field in self.fields else None, messages)


class IncidentRecordForm(ServiceErrorsMixin, forms.Form):
    description = forms.CharField(
        label="What happened",
        max_length=DESCRIPTION_LIMIT,
        widget=forms.Textarea(attrs=_described("description", rows=5)),
        help_text="The incident or malfunction and the harm it led to, directly or indirectly.",
    )
    severity = forms.ChoiceField(
        label="Class",
        choices=severity_choices,
        widget=forms.Select(attrs=_described("severity")),
        help_text="Other: an infringement of obligations protecting fundamental rights that is "
        "not widespread, or serious harm to property or the environment (Art. 3(49)(c), (d)).",
    )
    aware_at = _date(
        "aware_at",
        "Date of awareness",
        "When you (the provider or deployer) became aware of it; the deadline counts from here.",
    )
    occurred_at = _date(
        "occurred_at",
        "Date it occurred",
        "If known; not after the date of awareness.",
        required=False,
    )
    corrective_action = _corrective_action(
        required=False, help_text="What has been done or is planned (Art. 20); can be updated."
    )
    suspend = forms.BooleanField(
        label="Suspend this version: revoke the approval that put it in production",
        required=False,
    )


class IncidentReportForm(ServiceErrorsMixin, forms.Form):
    reported_at = _date("reported_at", "Reported on", "The day the report reached the authority.")
    reference = forms.CharField(
        label="Authority's reference",
        max_length=REFERENCE_LIMIT,
        widget=forms.TextInput(attrs=_described("reference")),
        help_text="The reference the market surveillance authority gave the report.",
    )


class CorrectiveActionForm(ServiceErrorsMixin, forms.Form):
    corrective_action = _corrective_action(
        required=True, help_text="What was done to correct it: fix, withdraw, disable or recall."
    )
