"""The validators every outside input passes: refused values raise ValidationError with a
message that says what is wrong; accepted values pass silently."""

import math

import pytest
from django.core.exceptions import ValidationError

from governance.validators import (
    validate_artifact_uri,
    validate_fairness_assessment,
    validate_hyperparameters,
    validate_metric_name,
    validate_metric_values,
    validate_model_name,
    validate_performance_by_group,
    validate_retirement_criteria,
    validate_sha256,
    validate_single_line,
    validate_string_list,
    validate_text,
    validate_version_string,
)


def refused(validator, value) -> str:  # noqa: ANN001 - any validator, any value
    """Run the validator, expecting a refusal; return its message."""
    with pytest.raises(ValidationError) as caught:
        validator(value)
    return " ".join(caught.value.messages)


# --- versions ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "2.4.1",
        "1.0rc1",
        "1.0.0-beta.2+build.5",
        "2024.10",
        "2.4",  # PEP 440 allows any number of release segments
        "0.0.1",
        "1.0.post1",
        "1.0.dev3",
        "1!2.0",
        "1.0+local.7",
        "10.20.30-rc.1",
    ],
)
def test_pep440_and_semantic_versions_are_accepted(value):
    validate_version_string(value)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "v1",
        "V2.4.1",
        "1.0.0-",
        " 1.0",
        "1.0 ",
        "1.0\n",
        "\t1.0",
        "1.0\x00",
        "1 .0",
        "latest",
        "1.0.0-beta..2",
        "01.0.0-",
        "1.0.0+",
        "1.0.0-" + "a" * 59,  # 65 characters
        "1." + "0" * 63,  # 65 characters, otherwise valid PEP 440
    ],
)
def test_versions_that_are_neither_pep440_nor_semver_are_refused(value):
    assert "version" in refused(validate_version_string, value).lower()


def test_version_of_exactly_64_characters_is_accepted():
    validate_version_string("1." + "0" * 62)


def test_refused_version_message_quotes_the_value():
    assert refused(validate_version_string, "latest") == (
        "'latest' is not a PEP 440 or semantic version (e.g. 2.4.1)."
    )


# --- names -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["customer-churn-predictor", "a", "fraud.v2", "x_1", "0day", "a" * 100]
)
def test_lowercase_slugs_are_accepted_as_model_names(value):
    validate_model_name(value)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "team/model",
        "../etc",
        "churn model",
        "Customer-Churn",
        "CHURN",
        "churn\x00",
        "churn\x1b[31m",
        "churn\n",
        "churn\t",
        "-churn",
        "churn-",
        ".hidden",
        "a" * 101,
        "modèle",
    ],
)
def test_model_names_with_slashes_spaces_capitals_or_control_characters_are_refused(value):
    assert "no slashes, spaces or control characters" in refused(validate_model_name, value)


@pytest.mark.parametrize("value", ["accuracy", "drift_score", "auc:test/7", "f1-macro"])
def test_metric_names_are_accepted(value):
    validate_metric_name(value)


@pytest.mark.parametrize("value", ["", "accuracy\n", "with space", "_hidden", 7, None, "a" * 101])
def test_bad_metric_names_are_refused(value):
    assert "is not a metric name" in refused(validate_metric_name, value)


# --- free text and single lines ----------------------------------------------------


def test_free_text_keeps_line_breaks_and_tabs_but_no_other_control_characters():
    validate_text("line one\nline two\r\n\tindented")
    assert refused(validate_text, "bell\x07") == "Control characters are not allowed."


@pytest.mark.parametrize("value", ["two\nlines", "carriage\rreturn", "tab\there", "nul\x00"])
def test_single_line_fields_refuse_line_breaks_and_control_characters(value):
    assert "line breaks are not allowed" in refused(validate_single_line, value)


@pytest.mark.parametrize("value", ["A" * 64, "a" * 63, "g" * 64, "a" * 64 + "\n", "a" * 65])
def test_checksums_must_be_64_lowercase_hex_characters(value):
    assert "SHA-256" in refused(validate_sha256, value)


def test_artifact_uris_need_a_scheme_and_no_script_schemes():
    validate_artifact_uri("s3://models/churn/2.4.1/model.pkl")
    assert "with a scheme" in refused(validate_artifact_uri, "models/churn.pkl")
    assert "not allowed" in refused(validate_artifact_uri, "javascript:alert(1)")


# --- JSON card fields --------------------------------------------------------------


def test_string_lists_refuse_strings_non_text_items_and_empty_items():
    validate_string_list(["Credit decisions", "Pricing"])
    assert refused(validate_string_list, "Credit decisions") == (
        "Expected a list of text items, got str."
    )
    assert refused(validate_string_list, ["ok", 3]) == "item 2: expected text, got int."
    assert refused(validate_string_list, ["ok", "  "]) == "item 2: empty items are not allowed."
    assert refused(validate_string_list, ["x" * 2_001]) == "item 1: at most 2000 characters."
    assert refused(validate_string_list, ["x"] * 101) == "At most 100 items."


@pytest.mark.parametrize(
    "number",
    [
        math.nan,
        math.inf,
        -math.inf,
        True,
        False,
        "0.9",
        None,
        [0.9],
        pytest.param(10**400, id="int-too-large-for-a-float"),
    ],
)
def test_evaluation_metrics_refuse_values_that_are_not_finite_numbers(number):
    assert refused(validate_metric_values, {"accuracy": number}).startswith(
        "accuracy: expected a finite number"
    )


def test_evaluation_metrics_accept_integers_and_floats():
    validate_metric_values({"accuracy": 0.91, "support": 1200, "loss": -0.5})


def test_evaluation_metrics_must_be_an_object():
    assert refused(validate_metric_values, [["accuracy", 0.9]]) == (
        "Expected an object of metric name to number, got list."
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"age<30": 0.9}, "age<30: Expected an object of metric name to number, got float."),
        ({"age<30": {"accuracy": {"mean": 0.9}}}, "age<30: accuracy: expected a finite number"),
        ({"age<30": {"accuracy": math.nan}}, "age<30: accuracy: expected a finite number"),
        ([{"group": "age<30", "accuracy": 0.9}], "Expected an object of group to metrics"),
        ({"": {"accuracy": 0.9}}, "group: keys must be non-empty text"),
    ],
)
def test_performance_by_group_must_be_group_to_metric_to_number(value, message):
    assert message in refused(validate_performance_by_group, value)


def test_hyperparameters_allow_scalars_lists_and_one_level_of_nesting():
    validate_hyperparameters(
        {
            "max_depth": 6,
            "learning_rate": 0.1,
            "early_stopping": True,
            "seed": None,
            "layers": [64, 32],
            "optimizer": {"name": "adam", "beta1": 0.9},
        }
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"optimizer": {"adam": {"beta1": 0.9}}}, "optimizer.adam: expected text"),
        ({"layers": [[64, 32]]}, "layers: expected text"),
        ({"learning_rate": math.nan}, "learning_rate: expected text"),
        ({"learning_rate": math.inf}, "learning_rate: expected text"),
        ("max_depth=6", "Expected an object of parameter name to value, got str."),
    ],
)
def test_hyperparameters_refuse_deeper_nesting_and_non_finite_numbers(value, message):
    assert message in refused(validate_hyperparameters, value)


def test_fairness_assessment_refuses_unknown_keys_naming_them():
    validate_fairness_assessment(
        {"method": "demographic parity", "summary": "Within 2 points.", "groups": ["age"]}
    )
    assert refused(validate_fairness_assessment, {"method": "x", "verdict": "fair"}) == (
        "Unknown keys: verdict (allowed: groups, method, results, summary)."
    )


def test_fairness_assessment_results_must_be_numbers():
    assert "ratio: expected a finite number" in refused(
        validate_fairness_assessment, {"results": {"ratio": "0.8"}}
    )


def test_retirement_criteria_accept_every_documented_rule():
    validate_retirement_criteria(
        {
            "max_age_days": 90,
            "metric_floors": [{"metric": "accuracy", "min": 0.88, "days": 7}],
            "drift_ceiling": 0.3,
            "retire_on_replacement": True,
        }
    )
    validate_retirement_criteria({})


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"max_age": 90}, "Unknown rules: max_age"),
        ({"max_age_days": 0}, "max_age_days: expected a whole number from 1 to 3650."),
        ({"max_age_days": 3651}, "max_age_days: expected a whole number from 1 to 3650."),
        ({"max_age_days": True}, "max_age_days: expected a whole number from 1 to 3650."),
        ({"max_age_days": 90.5}, "max_age_days: expected a whole number from 1 to 3650."),
        (
            {"metric_floors": [{"metric": "accuracy", "min": 0.88, "days": 0}]},
            "metric_floors[0].days: expected a whole number from 1 to 365.",
        ),
        (
            {"metric_floors": [{"metric": "accuracy", "min": math.nan, "days": 7}]},
            "metric_floors[0].min: expected a finite number.",
        ),
        (
            {"metric_floors": [{"metric": "accuracy", "min": 0.88}]},
            "metric_floors[0]: expected {metric, min, days}.",
        ),
        ({"metric_floors": {"metric": "accuracy"}}, "Expected metric_floors as a list"),
        ({"drift_ceiling": -0.1}, "drift_ceiling: expected a finite number of at least 0."),
        ({"drift_ceiling": math.inf}, "drift_ceiling: expected a finite number of at least 0."),
        ({"retire_on_replacement": "yes"}, "retire_on_replacement: expected true or false."),
        ("90 days", "Expected an object of retirement rules, got str."),
    ],
)
def test_retirement_criteria_refuse_unknown_rules_and_out_of_range_values(value, message):
    assert message in refused(validate_retirement_criteria, value)
