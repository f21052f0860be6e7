"""Tags on models and versions (services.tags and the tags of the register and update
services): which keys and values are accepted, replace against merge, who may, the audit
event, nothing written on a refusal, and the ?tag filters with the index behind them."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import QuerySet

from governance.models import ModelTag, ModelVersion, RegisteredModel, Team, VersionTag
from governance.selectors import models_visible_to, versions_visible_to
from governance.selectors.tags import models_tagged, parse_tag_filters, versions_tagged
from governance.services.registered_models import model_register, model_update
from governance.services.tags import model_tags_set, version_tags_set
from governance.services.versions import (
    version_register,
    version_register_once,
    version_update,
)
from tests.db_state import audit_mark, new_events, nothing_written
from tests.factories import ModelVersionFactory, RegisteredModelFactory

SHA = "b" * 64


def _tags(owner: RegisteredModel | ModelVersion) -> dict[str, str]:
    if isinstance(owner, RegisteredModel):
        rows = ModelTag.objects.filter(model=owner)
    else:
        rows = VersionTag.objects.filter(version=owner)
    return dict(rows.values_list("key", "value"))


def _set(personas: dict, model: RegisteredModel, tags: object, **kwargs) -> dict:
    return model_tags_set(actor=personas["lead"], model_id=model.pk, tags=tags, **kwargs)


def _refused(personas: dict, model: RegisteredModel, tags: object, **kwargs) -> list[str]:
    """The service's messages for a refused tags object; asserts nothing was written."""
    with nothing_written(), pytest.raises(ValidationError) as refused:
        _set(personas, model, tags, **kwargs)
    return refused.value.message_dict["tags"]


# --- keys and values -----------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    ["team", "A1", "data.domain", "jira/ML-42", "a_b-c", "9", "k" * 250, "._-/"],
)
def test_key_of_letters_digits_and_dot_underscore_dash_slash_is_accepted(personas, model, key):
    _set(personas, model, {key: "x"})

    assert _tags(model) == {key: "x"}


@pytest.mark.parametrize(
    "key",
    ["", "has space", "k" * 251, "café", "a:b", "a=b", "nul\x00", "tab\t", "a\nb", "ü/x"],
)
def test_key_outside_the_alphabet_or_over_250_characters_is_refused(personas, model, key):
    [message] = _refused(personas, model, {key: "x"})

    assert "Use 1-250 letters, digits, '.', '_', '-' or '/' for a tag key." in message


def test_non_text_key_is_refused(personas, model):
    [message] = _refused(personas, model, {5: "x"})

    assert message.startswith("5: Use 1-250 letters")


def test_value_of_5000_characters_is_accepted_and_5001_refused(personas, model):
    _set(personas, model, {"long": "v" * 5000})
    assert _tags(model) == {"long": "v" * 5000}

    [message] = _refused(personas, model, {"long": "w" * 5001})

    assert "at most 5000 characters (it has 5001)" in message
    assert _tags(model) == {"long": "v" * 5000}


def test_empty_value_and_line_breaks_and_tabs_are_kept(personas, model):
    tags = {"empty": "", "note": "two\nlines\tand a tab", "unicode": "Grüße ✓"}

    _set(personas, model, tags)

    assert _tags(model) == tags


@pytest.mark.parametrize("value", [5, 1.5, True, ["a"], {"a": "b"}])
def test_non_text_value_is_refused(personas, model, value):
    assert _refused(personas, model, {"k": value}) == ["k: the value must be text"]


@pytest.mark.parametrize("value", ["nul\x00", "bell\x07", "esc\x1b[0m", "del\x7f", "\x0c"])
def test_value_with_a_control_character_is_refused(personas, model, value):
    assert _refused(personas, model, {"k": value}) == ["k: Control characters are not allowed."]


def test_value_with_a_lone_surrogate_is_refused(personas, model):
    # JSON may carry "\ud800"; no database can store it, so it is bad input, not a crash.
    assert _refused(personas, model, {"k": "bad\ud800"}) == [
        "k: the value must be valid Unicode text"
    ]


def test_every_bad_tag_is_reported_at_once(personas, model):
    messages = _refused(personas, model, {"bad key": "x", "ok": 5, "fine": "y"})

    assert messages == [
        "bad key: Use 1-250 letters, digits, '.', '_', '-' or '/' for a tag key.",
        "ok: the value must be text",
    ]


@pytest.mark.parametrize("tags", [["a=b"], "a=b", None, 5])
def test_tags_that_are_not_an_object_are_refused(personas, model, tags):
    assert _refused(personas, model, tags) == ["Expected an object of key: value tags."]


def test_100_tags_are_accepted_and_101_refused(personas, model):
    hundred = {f"k{i}": "v" for i in range(100)}
    _set(personas, model, hundred)

    assert _refused(personas, model, {**hundred, "k100": "v"}) == ["At most 100 tags per model."]
    assert _refused(personas, model, {"k100": "v"}, merge=True) == ["At most 100 tags per model."]
    assert len(_tags(model)) == 100


def test_merge_may_remove_and_add_at_the_limit(personas, model):
    _set(personas, model, {f"k{i}": "v" for i in range(100)})

    _set(personas, model, {"k0": None, "new": "v"}, merge=True)

    assert len(_tags(model)) == 100 and "new" in _tags(model) and "k0" not in _tags(model)


# --- replace against merge -----------------------------------------------------------


def test_replace_sets_exactly_the_given_tags(personas, model):
    _set(personas, model, {"a": "1", "b": "2"})

    result = _set(personas, model, {"b": "3", "c": "4"})

    assert result == _tags(model) == {"b": "3", "c": "4"}


def test_replace_with_an_empty_object_removes_every_tag(personas, model):
    _set(personas, model, {"a": "1", "b": "2"})

    assert _set(personas, model, {}) == {}
    assert _tags(model) == {}


def test_merge_adds_changes_and_keeps_the_rest(personas, model):
    _set(personas, model, {"a": "1", "b": "2"})

    result = _set(personas, model, {"b": "3", "c": "4"}, merge=True)

    assert result == _tags(model) == {"a": "1", "b": "3", "c": "4"}


def test_merge_with_none_removes_a_key_and_ignores_an_absent_one(personas, model):
    _set(personas, model, {"a": "1", "b": "2"})

    _set(personas, model, {"a": None, "never-set": None}, merge=True)

    assert _tags(model) == {"b": "2"}


def test_none_is_refused_when_replacing(personas, model):
    _set(personas, model, {"a": "1"})

    assert _refused(personas, model, {"a": None}) == ["a: the value must be text"]
    assert _tags(model) == {"a": "1"}


def test_the_value_digest_follows_the_value(personas, model):
    _set(personas, model, {"a": "1"})
    _set(personas, model, {"a": "2"}, merge=True)

    tag = ModelTag.objects.get(model=model, key="a")
    assert (tag.value, tag.value_sha256) == (
        "2",
        "d4735e3a265e16eee03f59718b9b5d03019c07d8b6c51f90da3a666eec13ab35",
    )


# --- the audit event -----------------------------------------------------------------


def test_model_tag_change_is_one_audit_event_with_only_the_changed_keys(personas, model):
    _set(personas, model, {"keep": "same", "change": "old", "drop": "x"})
    mark = audit_mark()

    _set(personas, model, {"keep": "same", "change": "new", "add": "y"})

    assert new_events(mark) == [
        (
            "model.tags_changed",
            "lead",
            model.pk,
            None,
            None,
            {
                "version": None,
                "before": {"add": None, "change": "old", "drop": "x"},
                "after": {"add": "y", "change": "new", "drop": None},
            },
        )
    ]


def test_version_tag_change_names_the_version(personas, version):
    mark = audit_mark()

    version_tags_set(actor=personas["engineer"], version_id=version.pk, tags={"run": "42"})

    assert new_events(mark) == [
        (
            "model.tags_changed",
            "engineer",
            version.model_id,
            version.pk,
            None,
            {"version": "2.4.1", "before": {"run": None}, "after": {"run": "42"}},
        )
    ]
    assert _tags(version) == {"run": "42"}


@pytest.mark.parametrize(
    ("tags", "merge"),
    [
        ({"a": "1", "b": "2"}, False),
        ({"b": "2", "a": "1"}, False),
        ({"a": "1"}, True),
        ({"gone": None}, True),
        ({}, True),
    ],
)
def test_a_write_that_changes_nothing_writes_nothing(personas, model, tags, merge):
    _set(personas, model, {"a": "1", "b": "2"})

    with nothing_written():
        result = _set(personas, model, tags, merge=merge)

    assert result == {"a": "1", "b": "2"}


# --- who may -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("engineer", True),
        ("lead", True),
        ("admin", True),
        ("risk_officer", False),
        ("legal", False),
        ("global_risk", False),
        ("auditor", False),
        ("other_team_lead", False),
        ("no_role", False),
        ("superuser", False),
    ],
)
def test_who_may_tag_a_model_and_a_version(personas, version, persona, allowed):
    actor = personas[persona]
    calls = [
        lambda: model_tags_set(actor=actor, model_id=version.model_id, tags={"a": "1"}),
        lambda: version_tags_set(actor=actor, version_id=version.pk, tags={"a": "1"}),
    ]
    for call in calls:
        if allowed:
            assert call() == {"a": "1"}
            continue
        with nothing_written(), pytest.raises(PermissionDenied, match="change tags"):
            call()
    assert (_tags(version.model), _tags(version)) == (({"a": "1"},) * 2 if allowed else ({}, {}))


def test_a_refused_persona_cannot_even_repeat_the_current_tags(personas, model):
    _set(personas, model, {"a": "1"})

    with nothing_written(), pytest.raises(PermissionDenied):
        model_tags_set(actor=personas["risk_officer"], model_id=model.pk, tags={"a": "1"})


# --- tags given with a registration or an update --------------------------------------


def _register_model(personas: dict, team: Team, tags: object) -> RegisteredModel:
    return model_register(
        actor=personas["engineer"],
        name="fraud-detector",
        team_id=team.pk,
        owner_id=personas["lead"].pk,
        risk_level="high",
        tags=tags,
    )


def test_model_registered_with_its_tags(personas, team):
    mark = audit_mark()

    model = _register_model(personas, team, {"domain": "payments"})

    assert _tags(model) == {"domain": "payments"}
    [(event_type, *_, details)] = new_events(mark)  # the registration records its tags
    assert (event_type, details["tags"]) == ("model.registered", {"domain": "payments"})


def test_a_bad_tag_registers_no_model(personas, team):
    with nothing_written(), pytest.raises(ValidationError):
        _register_model(personas, team, {"bad key": "x"})

    assert not RegisteredModel.objects.filter(name="fraud-detector").exists()


def test_version_registered_with_its_tags(personas, model):
    mark = audit_mark()

    new = version_register(
        actor=personas["engineer"], model_id=model.pk, version="3.0.0", tags={"run": "7"}
    )

    assert _tags(new) == {"run": "7"}
    [(event_type, *_, details)] = new_events(mark)
    assert (event_type, details["tags"]) == ("model.version_registered", {"run": "7"})


def test_registration_with_101_tags_is_refused(personas, team):
    with nothing_written(), pytest.raises(ValidationError):
        _register_model(personas, team, {f"k{i}": "v" for i in range(101)})


@pytest.mark.parametrize(
    "register",
    [
        lambda actor, model, tags: version_register(
            actor=actor, model_id=model.pk, version="3.0.0", tags=tags
        ),
        lambda actor, model, tags: version_register_once(
            actor=actor,
            model_id=model.pk,
            version="3.0.0",
            card={"artifact_sha256": SHA},
            tags=tags,
        ),
    ],
    ids=["version_register", "version_register_once"],
)
def test_a_bad_tag_registers_no_version(personas, model, register):
    with nothing_written(), pytest.raises(ValidationError):
        register(personas["engineer"], model, {"run": "\x00"})

    assert not ModelVersion.objects.filter(model=model, version="3.0.0").exists()


def test_retried_registration_keeps_the_first_tags(personas, model):
    card = {"artifact_sha256": SHA}
    first, created = version_register_once(
        actor=personas["engineer"], model_id=model.pk, version="3.0.0", card=card, tags={"a": "1"}
    )

    again, created_again = version_register_once(
        actor=personas["engineer"], model_id=model.pk, version="3.0.0", card=card, tags={"b": "2"}
    )

    assert (created, created_again, again.pk) == (True, False, first.pk)
    assert _tags(first) == {"a": "1"}


def test_model_update_merges_tags_with_the_settings_change(personas, model):
    _set(personas, model, {"a": "1", "b": "2"})

    model_update(
        actor=personas["lead"],
        model_id=model.pk,
        changes={"description": "New words."},
        tags={"a": None, "c": "3"},
    )

    model.refresh_from_db()
    assert (model.description, _tags(model)) == ("New words.", {"b": "2", "c": "3"})


def test_model_update_with_a_bad_tag_changes_no_setting(personas, model):
    with nothing_written(), pytest.raises(ValidationError):
        model_update(
            actor=personas["lead"],
            model_id=model.pk,
            changes={"description": "New words."},
            tags={"bad key": "x"},
        )


def test_version_update_changes_card_and_tags_together(personas, version):
    version_tags_set(actor=personas["lead"], version_id=version.pk, tags={"a": "1"})

    version_update(
        actor=personas["lead"],
        version_id=version.pk,
        changes={"intended_use": "Rank accounts."},
        tags={"a": None, "b": "2"},
        expected_revision=version.card_revision,
    )

    version.refresh_from_db()
    assert (version.intended_use, version.card_revision, _tags(version)) == (
        "Rank accounts.",
        2,
        {"b": "2"},
    )


def test_version_update_with_a_bad_tag_saves_no_card_change(personas, version):
    with nothing_written(), pytest.raises(ValidationError):
        version_update(
            actor=personas["lead"],
            version_id=version.pk,
            changes={"intended_use": "Rank accounts."},
            tags={"k": "x" * 5001},
        )


def test_version_tags_change_leaves_the_card_revision(personas, version):
    version_update(actor=personas["lead"], version_id=version.pk, changes={}, tags={"a": "1"})

    version.refresh_from_db()
    assert (version.card_revision, _tags(version)) == (1, {"a": "1"})


# --- the ?tag filters -----------------------------------------------------------------


def test_filters_parse_key_value_and_key_alone(db):
    assert parse_tag_filters(["domain:fraud", "owner", "url:https://x:8080/a", "empty:"]) == [
        ("domain", "fraud"),
        ("owner", None),
        ("url", "https://x:8080/a"),
        ("empty", ""),
    ]


@pytest.mark.parametrize("raw", ["", ":value", "bad key:x", "a=b", "café"])
def test_a_filter_without_a_valid_key_is_refused(db, raw):
    with pytest.raises(ValidationError) as refused:
        parse_tag_filters(["domain:x", raw])

    assert refused.value.message_dict == {"tag": [f"'{raw}' is not key or key:value."]}


@pytest.fixture
def tagged_models(personas, team) -> dict[str, RegisteredModel]:
    tags = {
        "alpha": {"domain": "fraud", "tier": "1", "url": "https://x:8080/a"},
        "beta": {"domain": "fraud", "tier": "2"},
        "gamma": {"domain": "marketing", "empty": ""},
        "delta": {},
    }
    found = {}
    for name, model_tags in tags.items():
        found[name] = RegisteredModelFactory(name=name, team=team)
        _set(personas, found[name], model_tags)
    return found


@pytest.mark.parametrize(
    ("filters", "names"),
    [
        (["domain:fraud"], ["alpha", "beta"]),
        (["domain"], ["alpha", "beta", "gamma"]),
        (["domain:fraud", "tier:2"], ["beta"]),
        (["domain:fraud", "tier"], ["alpha", "beta"]),
        (["domain:marketing", "tier"], []),
        (["url:https://x:8080/a"], ["alpha"]),
        (["url:https"], []),
        (["empty:"], ["gamma"]),
        (["domain:FRAUD"], []),
        (["nobody"], []),
    ],
)
def test_model_list_filtered_by_tags(personas, tagged_models, filters, names):
    found = models_tagged(models_visible_to(personas["engineer"]), parse_tag_filters(filters))

    assert sorted(model.name for model in found) == sorted(names)


def test_tag_filter_keeps_to_the_visible_models(personas, tagged_models, other_team):
    hidden = RegisteredModelFactory(name="hidden", team=other_team)
    model_tags_set(actor=personas["other_team_lead"], model_id=hidden.pk, tags={"domain": "fraud"})

    found = models_tagged(models_visible_to(personas["engineer"]), [("domain", "fraud")])

    assert sorted(model.name for model in found) == ["alpha", "beta"]


def test_version_list_filtered_by_tags(personas, model):
    versions = {v: ModelVersionFactory(model=model, version=v) for v in ("1.0.0", "1.1.0", "2.0.0")}
    for name, tags in {"1.0.0": {"run": "7"}, "1.1.0": {"run": "8", "gpu": "a100"}}.items():
        version_tags_set(actor=personas["engineer"], version_id=versions[name].pk, tags=tags)

    def found(filters: list[str]) -> list[str]:
        queryset = versions_visible_to(personas["engineer"]).filter(model=model)
        return sorted(v.version for v in versions_tagged(queryset, parse_tag_filters(filters)))

    assert found(["run"]) == ["1.0.0", "1.1.0"]
    assert found(["run:8"]) == ["1.1.0"]
    assert found(["run", "gpu:a100"]) == ["1.1.0"]
    assert found(["run:7", "gpu"]) == []


def _query_plan(queryset: QuerySet) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="PostgreSQL's plan depends on table statistics"
)
@pytest.mark.parametrize("persona", ["engineer", "global_risk"])
@pytest.mark.parametrize("spec", [("domain", "fraud"), ("domain", None)])
def test_tag_filter_reads_the_tag_index(personas, tagged_models, persona, spec):
    """The filter starts from the (key, value digest, model) index rather than probing the
    tags of every visible model: a global role sees every model of the registry."""
    queryset = models_tagged(models_visible_to(personas[persona]), [spec])

    plan = _query_plan(queryset)

    assert "model_tag_idx" in plan, plan


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="PostgreSQL's plan depends on table statistics"
)
def test_version_tag_filter_reads_the_tag_index(personas, version):
    queryset = versions_tagged(versions_visible_to(personas["global_risk"]), [("run", "7")])

    plan = _query_plan(queryset)

    assert "version_tag_idx" in plan, plan
