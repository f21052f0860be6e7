"""The card editor's form: what is typed becomes exactly the ``changes`` dict the card
service takes; text that is not a value is a field error; the promotion form."""

from datetime import date

import pytest

from governance.forms import CardForm, PromotionForm
from governance.forms.fields import format_typed, parse_number, parse_typed
from governance.models import ModelVersion
from tests.factories import ModelVersionFactory

# The factory's complete card (tests.factories.COMPLETE_CARD) as the editor posts it.
UNCHANGED = {
    "card_revision": "1",
    "intended_use": "Score monthly churn risk of retail customers for retention offers.",
    "out_of_scope_uses": "Credit decisions\r\nPricing",
    "primary_users": "Retention team",
    "training_data_description": "Twelve months of anonymised customer activity.",
    "training_data_version": "customers-2026-09",
    "training_date": "2026-10-01",
    "training_pipeline": "pipelines/churn/train.py",
    "hyperparameters-name": ["max_depth", "learning_rate", ""],
    "hyperparameters-value": ["6", "0.1", ""],
    "artifact_uri": "",
    "artifact_sha256": "",
    "evaluation_metrics-name": ["accuracy", "auc", ""],
    "evaluation_metrics-value": ["0.91", "0.94", ""],
    "performance_by_group-group": ["age<30", "age>=30"],
    "performance_by_group-metric": ["accuracy", "accuracy"],
    "performance_by_group-value": ["0.9", "0.92"],
    "known_limitations": "Less accurate for customers younger than three months",
    "ethical_considerations": "Offers must not discriminate by age",
    "fairness_method": "",
    "fairness_summary": "",
    "fairness_groups": "",
    "review_schedule": "quarterly",
    "retirement_max_age_days": "90",
    "retirement_metric_floors-metric": ["accuracy", ""],
    "retirement_metric_floors-min": ["0.88", ""],
    "retirement_metric_floors-days": ["7", ""],
    "retirement_drift_ceiling": "0.3",
    "retirement_retire_on_replacement": "on",
}


def changes_for(version: ModelVersion, **typed: object) -> dict:
    form = CardForm(UNCHANGED | typed, version=version)
    assert form.is_valid(), form.errors
    return form.changes()


def errors_for(version: ModelVersion, **typed: object) -> dict:
    form = CardForm(UNCHANGED | typed, version=version)
    assert not form.is_valid()
    return form.errors


def test_unchanged_card_has_no_changes(version):
    assert changes_for(version) == {}


def test_free_text_keeps_its_line_breaks_without_carriage_returns(version):
    assert changes_for(version, intended_use="  Line one.\r\n\r\nLine two.  ") == {
        "intended_use": "Line one.\n\nLine two."
    }


def test_list_fields_are_one_item_per_line_without_blank_lines(version):
    assert changes_for(version, primary_users="Retention team\r\n\r\n  Analysts \r\n") == {
        "primary_users": ["Retention team", "Analysts"]
    }
    assert changes_for(version, known_limitations="") == {"known_limitations": []}


def test_single_line_date_and_choice_fields(version):
    assert changes_for(
        version,
        training_data_version="customers-2026-10",
        training_date="2026-11-15",
        review_schedule="annual",
    ) == {
        "training_data_version": "customers-2026-10",
        "training_date": date(2026, 11, 15),
        "review_schedule": "annual",
    }
    assert changes_for(version, training_date="") == {"training_date": None}


def test_hyperparameter_values_are_typed(version):
    typed = changes_for(
        version,
        **{
            "hyperparameters-name": ["depth", "rate", "stop", "none", "sizes", "opt", "loss"],
            "hyperparameters-value": ["8", "1e-3", "false", "null", "[64, 32]", '{"b": 1}', "mse"],
        },
    )

    assert typed == {
        "hyperparameters": {
            "depth": 8,
            "rate": 0.001,
            "stop": False,
            "none": None,
            "sizes": [64, 32],
            "opt": {"b": 1},
            "loss": "mse",
        }
    }


def test_hyperparameter_text_left_as_it_was_keeps_its_stored_type(model):
    version = ModelVersionFactory(model=model, hyperparameters={"seed": "6", "depth": 6})
    form = CardForm(
        UNCHANGED
        | {
            "card_revision": "1",
            "hyperparameters-name": ["seed", "depth"],
            "hyperparameters-value": ["6", "6"],
        },
        version=version,
    )

    assert form.is_valid()
    assert "hyperparameters" not in form.changes()  # "6" stays a string, 6 an int


def test_metric_rows_become_numbers(version):
    assert changes_for(
        version,
        **{
            "evaluation_metrics-name": ["accuracy", "auc", "loss"],
            "evaluation_metrics-value": ["0.93", "0.94", "12"],
        },
    ) == {"evaluation_metrics": {"accuracy": 0.93, "auc": 0.94, "loss": 12}}


def test_group_rows_nest_by_group(version):
    assert changes_for(
        version,
        **{
            "performance_by_group-group": ["a", "a", "b"],
            "performance_by_group-metric": ["auc", "f1", "auc"],
            "performance_by_group-value": ["0.9", "0.8", "0.85"],
        },
    ) == {"performance_by_group": {"a": {"auc": 0.9, "f1": 0.8}, "b": {"auc": 0.85}}}


def test_fairness_assessment_is_assembled_from_its_parts(version):
    assert changes_for(
        version,
        fairness_method="Equalized odds",
        fairness_summary="Gap under 2 points.",
        fairness_groups="age<30\r\nage>=30",
        **{"fairness_results-name": ["tpr_gap"], "fairness_results-value": ["0.02"]},
    ) == {
        "fairness_assessment": {
            "method": "Equalized odds",
            "summary": "Gap under 2 points.",
            "groups": ["age<30", "age>=30"],
            "results": {"tpr_gap": 0.02},
        }
    }


def test_retirement_criteria_are_assembled_and_empty_rules_left_out(version):
    typed = changes_for(
        version,
        retirement_max_age_days="",
        retirement_drift_ceiling="0",
        retirement_retire_on_replacement="",
        **{
            "retirement_metric_floors-metric": ["auc", "f1"],
            "retirement_metric_floors-min": ["0.9", "0.7"],
            "retirement_metric_floors-days": ["3", "14"],
        },
    )

    assert typed == {
        "retirement_criteria": {
            "metric_floors": [
                {"metric": "auc", "min": 0.9, "days": 3},
                {"metric": "f1", "min": 0.7, "days": 14},
            ],
            "drift_ceiling": 0,
            "retire_on_replacement": False,
        }
    }


def test_stored_rules_the_form_leaves_out_are_not_a_change(model):
    version = ModelVersionFactory(
        model=model,
        retirement_criteria={"max_age_days": 30, "drift_ceiling": None, "metric_floors": []},
    )
    data = UNCHANGED | {
        "retirement_max_age_days": "30",
        "retirement_drift_ceiling": "",
        "retirement_retire_on_replacement": "",
        "retirement_metric_floors-metric": [""],
        "retirement_metric_floors-min": [""],
        "retirement_metric_floors-days": [""],
    }
    form = CardForm(data, version=version)

    assert form.is_valid()
    assert "retirement_criteria" not in form.changes()


def test_artefact_identity_is_sent_when_typed_and_left_out_once_set(version):
    assert changes_for(version, artifact_uri="s3://models/churn.pkl") == {
        "artifact_uri": "s3://models/churn.pkl"
    }
    # code_revision is set: the page shows no input for it, and its absence is no change.
    data = dict(UNCHANGED)
    form = CardForm(data, version=version)
    assert form.is_valid() and "code_revision" not in form.changes()
    assert changes_for(version, code_revision="other") == {"code_revision": "other"}


@pytest.mark.parametrize(
    ("typed", "field", "message"),
    [
        (
            {"evaluation_metrics-name": ["auc"], "evaluation_metrics-value": ["abc"]},
            "evaluation_metrics",
            "Row 1: 'abc' is not a number (write e.g. 0.91).",
        ),
        (
            {"evaluation_metrics-name": ["auc"], "evaluation_metrics-value": ["nan"]},
            "evaluation_metrics",
            "Row 1: 'nan' is not a number (write e.g. 0.91).",
        ),
        (
            {"evaluation_metrics-name": ["auc", "auc"], "evaluation_metrics-value": ["1", "2"]},
            "evaluation_metrics",
            "Row 2: 'auc' appears twice.",
        ),
        (
            {"hyperparameters-name": ["", "x"], "hyperparameters-value": ["3", "4"]},
            "hyperparameters",
            "Row 1: give the parameter a name.",
        ),
        (
            {
                "performance_by_group-group": ["a"],
                "performance_by_group-metric": [""],
                "performance_by_group-value": ["1"],
            },
            "performance_by_group",
            "Row 1: give both the group and the metric.",
        ),
        (
            {"fairness_results-name": ["gap"], "fairness_results-value": ["1e999"]},
            "fairness_results",
            "Row 1: '1e999' is not a number (write e.g. 0.91).",
        ),
        (
            {
                "retirement_metric_floors-metric": ["auc"],
                "retirement_metric_floors-min": ["0.9"],
                "retirement_metric_floors-days": ["7.5"],
            },
            "retirement_metric_floors",
            "Row 1: days must be a whole number.",
        ),
        ({"retirement_drift_ceiling": "-1"}, "retirement_drift_ceiling", "at least 0"),
        ({"retirement_drift_ceiling": "inf"}, "retirement_drift_ceiling", "finite number"),
        ({"retirement_max_age_days": "0"}, "retirement_max_age_days", "greater than or equal"),
        ({"training_date": "2026-13-01"}, "training_date", "Enter a valid date."),
        ({"review_schedule": "weekly"}, "review_schedule", "Select a valid choice."),
        ({"card_revision": ""}, "card_revision", "This field is required."),
    ],
)
def test_text_that_is_not_a_value_is_a_field_error(version, typed, field, message):
    errors = errors_for(version, **typed)

    assert any(message in text for text in errors[field]), errors


def test_service_errors_go_next_to_their_field_or_group(version):
    form = CardForm(UNCHANGED, version=version)
    assert form.is_valid()

    form.add_service_errors(
        {
            "artifact_sha256": ["fixed once set"],
            "retirement_criteria": ["metric_floors[0].days: expected 1 to 365."],
            "card": ["Expected an object."],
        }
    )

    assert form.errors["artifact_sha256"] == ["fixed once set"]
    assert form.errors["retirement_criteria"] == ["metric_floors[0].days: expected 1 to 365."]
    assert form.non_field_errors() == ["card: Expected an object."]


def test_rows_are_shown_as_posted_with_empty_rows_to_add_more(version):
    form = CardForm(
        UNCHANGED | {"evaluation_metrics-name": ["x", ""], "evaluation_metrics-value": ["abc", ""]},
        version=version,
    )
    form.is_valid()

    rows = form.tables["evaluation_metrics"].rows

    assert [[cell.value for cell in row] for row in rows] == [["x", "abc"], ["", ""], ["", ""]]
    assert (rows[0][1].name, rows[0][1].id, rows[0][1].label) == (
        "evaluation_metrics-value",
        "id_evaluation_metrics-value-1",
        "Value, row 1",
    )


@pytest.mark.parametrize(
    ("text", "number"),
    [("12", 12), ("-3", -3), ("0.91", 0.91), (".5", 0.5), ("1e-3", 0.001), ("2E+2", 200.0)],
)
def test_parse_number_reads_decimal_numbers(text, number):
    parsed = parse_number(text)
    assert parsed == number and type(parsed) is type(number)


@pytest.mark.parametrize("text", ["abc", "NaN", "inf", "-Infinity", "1e999", "1_000", "0x10", ""])
def test_parse_number_refuses_what_is_not_a_finite_decimal(text):
    with pytest.raises(ValueError):
        parse_number(text)


@pytest.mark.parametrize(
    "value", [True, False, None, 0, 6, 0.1, 1e20, "text", "6", [1, "a"], {"a": {"b": 2}}]
)
def test_typed_values_read_back_as_written(value):
    if value == "6":
        assert parse_typed(format_typed(value)) == 6  # why the form keeps unchanged text
    else:
        assert parse_typed(format_typed(value)) == value


def test_promotion_form_needs_a_justification_and_a_requestable_stage():
    assert PromotionForm({"target_stage": "staging", "justification": "Ready."}).is_valid()
    missing = PromotionForm({"target_stage": "staging", "justification": " "})
    wrong = PromotionForm({"target_stage": "retired", "justification": "Ready."})

    assert missing.errors == {"justification": ["This field is required."]}
    assert "target_stage" in wrong.errors
