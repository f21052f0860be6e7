"""Tags in the card editor (one key=value a line, replacing the version's set in the same
service call as the card) and on the model and version pages."""

import pytest
from django.http import HttpResponse
from django.test import Client

from governance.models import ApprovalStatus, AuditEvent, AuditEventType, ModelVersion, Stage
from governance.services.approvals import approval_decide
from governance.services.tags import model_tags_set, version_tags_set
from tests.db_state import audit_mark, new_events, nothing_written
from tests.views.test_card_editor import (
    EDIT,
    VERSION_PAGE,
    field_html,
    flashes,
    form_data,
    set_stage,
)
from tests.web import sign_in, text
from tests.workflows import request_promotion

MODEL_PAGE = "/models/customer-churn-predictor/"


def _tags(version: ModelVersion) -> dict[str, str]:
    return dict(version.tags.values_list("key", "value"))


def _tag(personas: dict, version: ModelVersion, tags: dict) -> None:
    version_tags_set(actor=personas["lead"], version_id=version.pk, tags=tags)


def _save_tags(client: Client, lines: str, **fields: list[str]) -> HttpResponse:
    return client.post(EDIT, form_data(client) | {"tags": [lines], **fields})


# --- the field -----------------------------------------------------------------------


def test_editor_shows_the_tags_one_a_line_sorted_with_help(client, personas, version):
    _tag(personas, version, {"team": "churn", "jira": "ML-42", "empty": ""})
    client.force_login(personas["engineer"])

    response = client.get(EDIT)

    assert form_data(client)["tags"] == ["empty=\njira=ML-42\nteam=churn"]
    assert "One tag a line, as key=value" in field_html(response, "tags")


def test_values_a_line_cannot_hold_are_shown_quoted_and_survive_an_unchanged_save(
    client, personas, version
):
    stored = {"note": "two\nlines", "padded": "  x ", "quoted": '"q"', "url": "a=b:c"}
    _tag(personas, version, stored)
    client.force_login(personas["lead"])

    assert form_data(client)["tags"] == [
        'note="two\\nlines"\npadded="  x "\nquoted="\\"q\\""\nurl=a=b:c'
    ]
    with nothing_written():
        response = client.post(EDIT, form_data(client))

    assert response.status_code == 302
    assert _tags(version) == stored


# --- saving --------------------------------------------------------------------------


def test_saved_tags_replace_the_versions_tags(client, personas, version):
    _tag(personas, version, {"keep": "1", "change": "old", "drop": "x"})
    client.force_login(personas["engineer"])
    mark = audit_mark()

    response = _save_tags(client, "keep=1\r\nchange = new\r\n\r\nadd=https://x:8080/?a=b\r\n")

    assert response.status_code == 302
    assert flashes(response) == ["Saved the tags of customer-churn-predictor 2.4.1."]
    assert _tags(version) == {"keep": "1", "change": "new", "add": "https://x:8080/?a=b"}
    assert new_events(mark) == [
        (
            "model.tags_changed",
            "engineer",
            version.model_id,
            version.pk,
            None,
            {
                "version": "2.4.1",
                "before": {"add": None, "change": "old", "drop": "x"},
                "after": {"add": "https://x:8080/?a=b", "change": "new", "drop": None},
            },
        )
    ]
    version.refresh_from_db()
    assert version.card_revision == 1  # tags are not the card


def test_emptied_field_removes_every_tag(client, personas, version):
    _tag(personas, version, {"a": "1", "b": "2"})
    client.force_login(personas["lead"])

    response = _save_tags(client, "")

    assert response.status_code == 302
    assert _tags(version) == {}


def test_card_and_tags_are_saved_by_one_call(client, personas, version):
    client.force_login(personas["lead"])
    mark = audit_mark()

    response = _save_tags(client, "run=7", intended_use=["Rank accounts by churn risk."])

    assert flashes(response) == [
        "Saved the card of customer-churn-predictor 2.4.1 (revision 2) and its tags."
    ]
    assert [event[0] for event in new_events(mark)] == [
        AuditEventType.CARD_UPDATED,
        AuditEventType.TAGS_CHANGED,
    ]
    version.refresh_from_db()
    assert (version.intended_use, _tags(version)) == ("Rank accounts by churn risk.", {"run": "7"})


def test_tag_change_alone_keeps_the_open_review(client, personas, version):
    set_stage(version, Stage.STAGING)
    made = request_promotion(version, personas, Stage.PRODUCTION)
    approval_decide(
        actor=personas["lead2"], request_id=made.pk, approve=True, note="Fine.", role="ml_lead"
    )
    client.force_login(personas["engineer"])

    response = _save_tags(client, "run=7")

    assert response.status_code == 302
    made.refresh_from_db()
    assert made.status == ApprovalStatus.IN_REVIEW
    assert not AuditEvent.objects.filter(event_type=AuditEventType.APPROVAL_RESTARTED).exists()


def test_post_without_the_field_leaves_the_tags_alone(client, personas, version):
    _tag(personas, version, {"a": "1"})
    client.force_login(personas["lead"])
    data = form_data(client)
    del data["tags"]

    with nothing_written():
        response = client.post(EDIT, data)

    assert response.status_code == 302
    assert _tags(version) == {"a": "1"}


# --- refusals ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ("a=1\njust words\n=x", "Line 2: write the tag as key=value."),
        ("a=1\n=x", "Line 2: write the tag as key=value."),
        ("a=1\na=2", "Line 2: the key a is already set above."),
        ('a="unterminated', "Line 1: a value starting with &quot; must be one JSON string"),
    ],
)
def test_a_malformed_line_is_an_error_on_the_field_and_nothing_is_saved(
    client, personas, version, lines, message
):
    _tag(personas, version, {"keep": "1"})
    client.force_login(personas["lead"])

    with nothing_written():
        response = _save_tags(client, lines, intended_use=["Changed too."])

    assert response.status_code == 400
    assert message in field_html(response, "tags")
    assert form_data(client)["tags"] == ["keep=1"]  # a fresh page still shows the stored set


def test_only_a_leading_double_quote_makes_a_value_json(client, personas, version):
    client.force_login(personas["lead"])

    _save_tags(client, 'list=["x"]\nquoted="a\\tb"\nmid=say "hi"')

    assert _tags(version) == {"list": '["x"]', "quoted": "a\tb", "mid": 'say "hi"'}


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ("bad key=x", "bad key: Use 1-250 letters, digits"),
        ("k=" + "x" * 5001, "k: Ensure this value has at most 5000 characters"),
        ("k=bell\x07", "k: Control characters are not allowed."),
        ("\n".join(f"k{i}=v" for i in range(101)), "At most 100 tags per version."),
    ],
)
def test_a_tag_the_service_refuses_is_an_error_on_the_field_and_the_card_is_not_saved(
    client, personas, version, lines, message
):
    client.force_login(personas["lead"])

    with nothing_written():
        response = _save_tags(client, lines, intended_use=["Changed too."])

    assert response.status_code == 400
    assert message in field_html(response, "tags")
    assert "Changed too." in field_html(response, "intended_use")  # the input is kept


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("risk_officer", 403),
        ("legal", 403),
        ("auditor", 403),
        ("no_role", 404),
        ("other_team_lead", 404),
    ],
)
def test_persona_without_an_author_role_cannot_save_tags(
    client, personas, version, persona, status
):
    data = form_data(sign_in(Client(), personas, "lead"))
    sign_in(client, personas, persona)

    with nothing_written():
        response = client.post(EDIT, data | {"tags": ["a=1"]})

    assert response.status_code == status


def test_stale_card_saves_no_tags_either(client, personas, version):
    client.force_login(personas["engineer"])
    data = form_data(client)
    lead = sign_in(Client(), personas, "lead")
    lead.post(EDIT, form_data(lead) | {"intended_use": ["Lead's words."]})

    with nothing_written():
        response = client.post(EDIT, data | {"tags": ["a=1"]})

    assert response.status_code == 409
    assert _tags(version) == {}


# --- the pages show the tags ---------------------------------------------------------


def test_version_page_shows_the_versions_tags(client, personas, version):
    _tag(personas, version, {"run": "7", "xss": "<script>alert(1)</script>"})
    sign_in(client, personas, "auditor")

    page = text(client.get(VERSION_PAGE))

    assert '<span class="tag-key">run</span> = <span class="tag-value">7</span>' in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page


def test_model_page_shows_the_models_tags(client, personas, model):
    model_tags_set(actor=personas["lead"], model_id=model.pk, tags={"domain": "retention"})
    sign_in(client, personas, "risk_officer")

    page = text(client.get(MODEL_PAGE))

    assert '<span class="tag-key">domain</span> = <span class="tag-value">retention</span>' in page


def test_pages_without_tags_say_so(client, personas, version):
    sign_in(client, personas, "engineer")

    assert "No tags." in text(client.get(MODEL_PAGE))
    assert "No tags." in text(client.get(VERSION_PAGE))


def test_long_value_is_cut_short_with_the_whole_text_in_the_title(client, personas, version):
    _tag(personas, version, {"long": "x" * 200})
    sign_in(client, personas, "engineer")

    page = text(client.get(VERSION_PAGE))

    assert f'title="long = {"x" * 200}"' in page
    assert f'<span class="tag-value">{"x" * 79}…</span>' in page


@pytest.mark.parametrize("count", [2, 40])
def test_tags_add_one_query_whatever_their_number(
    client, personas, version, count, django_assert_max_num_queries
):
    _tag(personas, version, {f"k{i}": "v" for i in range(count)})
    model_tags_set(
        actor=personas["lead"],
        model_id=version.model_id,
        tags={f"m{i}": "v" for i in range(count)},
    )
    sign_in(client, personas, "engineer")

    with django_assert_max_num_queries(15):
        assert client.get(VERSION_PAGE).status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get(MODEL_PAGE).status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get(EDIT).status_code == 200
