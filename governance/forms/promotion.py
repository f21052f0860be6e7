"""The promotion request form: the stage asked for and why."""

from django import forms

from governance.models import Stage
from governance.models.approvals import NOTE_LIMIT, REQUESTABLE_STAGES


class PromotionForm(forms.Form):
    """The target travels with the form: if the version moved since the page was read,
    the service refuses the stale move instead of requesting the next one."""

    target_stage = forms.ChoiceField(
        choices=[(stage.value, stage.label) for stage in Stage if stage in REQUESTABLE_STAGES],
        widget=forms.HiddenInput,
    )
    justification = forms.CharField(
        label="Justification",
        widget=forms.Textarea(
            attrs={"rows": 5, "aria-describedby": "help-justification error-justification"}
        ),
        max_length=NOTE_LIMIT,
        help_text="Why this version should move now; reviewers read it, the audit trail keeps it.",
    )

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        for field, messages in errors.items():
            self.add_error(field if field in self.fields else None, messages)
