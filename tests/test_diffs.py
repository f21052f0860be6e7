"""governance.diffs: two model cards compared field by field, lists and dicts item by item."""

from datetime import date

from governance.cards import CARD_FIELDS
from governance.diffs import (
    DiffRow,
    ItemChange,
    changed_rows,
    compare_field,
    diff_cards,
    metric_rows,
    readable,
)
from tests.factories import COMPLETE_CARD


def test_identical_cards_have_no_changed_rows():
    rows = diff_cards(COMPLETE_CARD, dict(COMPLETE_CARD))

    assert [row.field for row in rows] == list(CARD_FIELDS)
    assert changed_rows(rows) == []


def test_only_the_changed_fields_are_changed_rows():
    new = {**COMPLETE_CARD, "intended_use": "Other use.", "code_revision": "abc1234"}

    changed = changed_rows(diff_cards(COMPLETE_CARD, new))

    assert [(row.field, row.old, row.new) for row in changed] == [
        ("intended_use", COMPLETE_CARD["intended_use"], "Other use."),
        ("code_revision", "3f2c9a1", "abc1234"),
    ]
    assert all(row.items == () for row in changed)  # plain values: old -> new


def test_a_date_equals_its_iso_text():
    """The card as stored (a date) and as history or JSON has it (text) are the same value."""
    assert not compare_field("training_date", date(2026, 10, 1), "2026-10-01").changed


def test_empty_and_absent_values_are_the_same():
    assert not compare_field("known_limitations", None, []).changed
    assert not compare_field("intended_use", "", None).changed


def test_dict_key_order_does_not_count():
    assert not compare_field("hyperparameters", {"a": 1, "b": 2}, {"b": 2, "a": 1}).changed


def test_list_items_added_and_removed():
    row = compare_field("out_of_scope_uses", ["Credit decisions", "Pricing"], ["Pricing", "Hiring"])

    assert row.changed
    assert row.items == (
        ItemChange("removed", "", "Credit decisions", ""),
        ItemChange("added", "", "", "Hiring"),
    )


def test_a_reordered_list_changed_without_items():
    row = compare_field("primary_users", ["a", "b"], ["b", "a"])

    assert row.changed and row.items == ()
    assert (row.old_text, row.new_text) == ("a; b", "b; a")


def test_list_from_nothing_lists_every_item_as_added():
    row = compare_field("known_limitations", None, ["One", "Two"])

    assert [item.kind for item in row.items] == ["added", "added"]


def test_dict_keys_changed_added_and_removed():
    row = compare_field(
        "evaluation_metrics",
        {"accuracy": 0.89, "auc": 0.94, "f1": 0.7},
        {"accuracy": 0.91, "auc": 0.94, "recall": 0.8},
    )

    assert row.items == (
        ItemChange("changed", "accuracy", "0.89", "0.91"),
        ItemChange("removed", "f1", "0.7", ""),
        ItemChange("added", "recall", "", "0.8"),
    )


def test_nested_dicts_are_compared_inside():
    row = compare_field(
        "performance_by_group",
        {"age<30": {"accuracy": 0.9, "n": 100}, "age>=30": {"accuracy": 0.92}},
        {"age<30": {"accuracy": 0.88, "n": 100}, "age>=30": {"accuracy": 0.92}},
    )

    assert row.items == (ItemChange("changed", "age<30.accuracy", "0.9", "0.88"),)


def test_lists_inside_dicts_are_compared_by_item():
    floor = {"metric": "accuracy", "min": 0.88, "days": 7}
    row = compare_field(
        "retirement_criteria",
        {"max_age_days": 90, "metric_floors": [floor]},
        {"max_age_days": 60, "metric_floors": [{**floor, "min": 0.9}]},
    )

    assert row.items == (
        ItemChange("changed", "max_age_days", "90", "60"),
        ItemChange("removed", "metric_floors", "{metric=accuracy, min=0.88, days=7}", ""),
        ItemChange("added", "metric_floors", "", "{metric=accuracy, min=0.9, days=7}"),
    )


def test_a_value_changing_type_is_shown_whole():
    row = compare_field("fairness_assessment", {"method": "parity"}, "see the report")

    assert row.changed and row.items == ()
    assert (row.old_text, row.new_text) == ("method=parity", "see the report")


def test_readable_values():
    assert readable(None) == "not provided"
    assert readable([]) == "not provided"
    assert readable(["a", {"k": [1, 2]}]) == "a; {k=[1, 2]}"
    assert readable({"on": True, "x": None}) == "on=true, x=null"
    assert readable(date(2026, 1, 2)) == "2026-01-02"
    assert readable(0) == "0"


def test_diff_of_chosen_fields_with_missing_keys():
    rows = diff_cards({"intended_use": "A"}, {}, fields=("intended_use", "code_revision"))

    assert rows == [
        DiffRow("intended_use", "A", None, changed=True),
        DiffRow("code_revision", None, None, changed=False),
    ]


def test_metric_rows_next_to_the_baseline():
    rows = metric_rows({"accuracy": 0.91, "auc": 0.94}, {"accuracy": 0.89, "f1": 0.7})

    assert [(r.name, r.value_text, r.baseline_text, r.delta_text) for r in rows] == [
        ("accuracy", "0.91", "0.89", "+0.02"),
        ("auc", "0.94", "—", ""),
        ("f1", "—", "0.7", ""),
    ]


def test_metric_rows_without_a_baseline():
    rows = metric_rows({"accuracy": 0.91}, None)

    assert [(r.name, r.baseline, r.delta) for r in rows] == [("accuracy", None, None)]
