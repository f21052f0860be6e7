"""The risk classification questionnaire (EU AI Act Art. 6). The form turns what people pick
into the answers services.classification validates and stores; the rules live there and
in governance.classification_rules."""

from typing import Any

from django import forms

from governance.models import AnnexIIIPoint, Art63Exemption, OrganisationRole, RiskClassification
from governance.models.classification import ANNEX_III_AREAS, PURPOSE_LIMIT, REASONING_LIMIT

YES_NO = [("yes", "Yes"), ("no", "No")]


def annex_iii_choices() -> list:
    """None, then the points grouped under their Annex III area."""
    grouped: dict[str, list[tuple[str, str]]] = {}
    for point in AnnexIIIPoint:
        if point != AnnexIIIPoint.NONE:
            grouped.setdefault(point.value[0], []).append((point.value, point.label))
    areas = [(f"{number} {ANNEX_III_AREAS[number]}", grouped[number]) for number in grouped]
    return [(AnnexIIIPoint.NONE.value, AnnexIIIPoint.NONE.label), *areas]


def _yes_no(label: str, help_text: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        help_text=help_text,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Answer yes or no."},
    )


def _described(name: str) -> dict[str, str]:
    return {"aria-describedby": f"help-{name} error-{name}"}


def _textarea(name: str) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": 4, **_described(name)})


class ClassificationForm(forms.Form):
    organisation_role = forms.ChoiceField(
        label="Our role",
        choices=OrganisationRole.choices,
        widget=forms.RadioSelect,
        help_text="Provider: develops it or has it developed and places it on the market or "
        "puts it into service under its name. Deployer: uses it under its authority.",
    )
    intended_purpose = forms.CharField(
        label="Intended purpose",
        max_length=PURPOSE_LIMIT,
        widget=_textarea("intended_purpose"),
        help_text="The task, the context of use and who uses it.",
    )
    annex_i_safety_component = _yes_no(
        "Safety component under Annex I",
        "Is it a safety component of a product, or itself a product, covered by the Union "
        "harmonisation law listed in Annex I and needing a third-party conformity assessment?",
    )
    annex_iii_point = forms.ChoiceField(
        label="Annex III area",
        choices=annex_iii_choices,
        widget=forms.Select(attrs=_described("annex_iii_point")),
        help_text="The use it is put to.",
    )
    profiles_natural_persons = _yes_no(
        "Profiles natural persons",
        "Does it profile people (automated evaluation of personal aspects, GDPR Art. 4(4))?",
    )
    art6_3_exemption = forms.ChoiceField(
        label="Art. 6(3) exemption claimed",
        choices=Art63Exemption.choices,
        widget=forms.Select(attrs=_described("art6_3_exemption")),
        help_text="Only for an Annex III use that poses no significant risk of harm; never "
        "when it profiles natural persons.",
    )
    exemption_reasoning = forms.CharField(
        label="Reasoning for the exemption",
        required=False,
        max_length=REASONING_LIMIT,
        widget=_textarea("exemption_reasoning"),
        help_text="Required with an exemption: the assessment Art. 6(4) asks you to document.",
    )
    general_purpose_ai = _yes_no(
        "General-purpose AI model",
        "Is it a general-purpose AI model (Chapter V)?",
    )

    @classmethod
    def initial_from(cls, classification: RiskClassification | None) -> dict[str, Any]:
        """The stored answers, so a reclassification starts from them."""
        if classification is None:
            return {}
        initial = {field: getattr(classification, field) for field in cls.base_fields}
        for field, value in initial.items():
            if isinstance(value, bool):
                initial[field] = "yes" if value else "no"
        return initial

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        for field, messages in errors.items():
            self.add_error(field if field in self.fields else None, messages)
