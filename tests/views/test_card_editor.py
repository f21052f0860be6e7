"""The card editor (/models/<name>/versions/<version>/edit/) and its Markdown preview: who may
open and save it, the round trip of every field type through the page, inline errors with
nothing written, the review-restart notice and the optimistic-concurrency conflict."""

import re
from datetime import date
from html.parser import HTMLParser

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from governance.models import (
    ApprovalRequest,
    ApprovalStatus,
    AuditEventType,
    ModelVersion,
    Stage,
)
from tests.db_state import audit_mark, new_events, nothing_written
from tests.factories import ModelVersionFactory
from tests.workflows import REVIEWER_FOR_ROLE, request_promotion

EDIT = "/models/customer-churn-predictor/versions/2.4.1/edit/"
PREVIEW = EDIT + "preview/"
VERSION_PAGE = "/models/customer-churn-predictor/versions/2.4.1/"
SHA = "a" * 64


class EditorForm(HTMLParser):
    """What a browser would post from the editor page: every named control's value."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._inside = False
        self._textarea: str | None = None
        self._select: str | None = None

    def _add(self, name: str, value: str) -> None:
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs = dict(attrs)
        if tag == "form" and "data-card-editor" in attrs:
            self._inside = True
        if not self._inside or not attrs.get("name") and tag != "option":
            return
        checkbox = attrs.get("type") == "checkbox"
        if tag == "input" and (not checkbox or "checked" in attrs):
            self._add(attrs["name"], attrs.get("value", "on" if checkbox else ""))
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self._add(self._textarea, "")
        elif tag == "select":
            self._select = attrs["name"]
        elif tag == "option" and self._select and "selected" in attrs:
            self._add(self._select, attrs["value"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._inside = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            # The HTML parser drops the newline that follows <textarea>, as a browser does.
            self.data[self._textarea][-1] += data.removeprefix("\n")


def form_data(client: Client, url: str = EDIT) -> dict[str, list[str]]:
    parser = EditorForm()
    parser.feed(client.get(url).content.decode())
    return {name: values for name, values in parser.data.items() if name != "csrfmiddlewaretoken"}


def client_for(user) -> Client:  # noqa: ANN001
    client = Client()
    client.force_login(user)
    return client


def field_html(response, field: str) -> str:  # noqa: ANN001
    """The part of the page from a field's container to the next field's."""
    page = response.content.decode()
    start = page.index(f'id="field-{field}"')
    end = page.find('id="field-', start + 1)
    return page[start : end if end > 0 else None]


def flashes(response) -> list[str]:  # noqa: ANN001
    return [str(message) for message in get_messages(response.wsgi_request)]


def set_stage(version: ModelVersion, stage: str) -> None:
    """Test set-up only: put a version in a stage without the lifecycle."""
    ModelVersion.objects.filter(pk=version.pk).update(stage=stage, stage_changed_at=timezone.now())
    version.refresh_from_db()


# --- who may open and save it ------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 302),
        ("no_role", 404),
        ("other_team_lead", 404),
        ("engineer", 200),
        ("lead", 200),
        ("risk_officer", 403),
        ("legal", 403),
        ("auditor", 403),
        ("admin", 403),
    ],
)
def test_open_editor_permissions(client, personas, version, persona, status):
    if persona != "anonymous":
        client.force_login(personas[persona])

    response = client.get(EDIT)

    assert response.status_code == status
    if status == 302:
        assert response["Location"] == f"/accounts/login/?next={EDIT}"
    if status == 403:
        assert "To edit a model card you need one of these roles" in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 302),
        ("no_role", 404),
        ("other_team_lead", 404),
        ("engineer", 302),
        ("lead", 302),
        ("risk_officer", 403),
        ("legal", 403),
        ("auditor", 403),
        ("admin", 403),
    ],
)
def test_save_card_permissions(client, personas, version, persona, status):
    data = form_data(client_for(personas["lead"])) | {"intended_use": ["Changed."]}
    if persona != "anonymous":
        client.force_login(personas[persona])

    if persona in ("engineer", "lead"):
        response = client.post(EDIT, data)
        version.refresh_from_db()
        assert (version.intended_use, version.card_revision) == ("Changed.", 2)
        assert response["Location"] == VERSION_PAGE
    else:
        with nothing_written():
            response = client.post(EDIT, data)
        if persona == "anonymous":
            assert response["Location"] == f"/accounts/login/?next={EDIT}"

    assert response.status_code == status


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 302),
        ("no_role", 404),
        ("other_team_lead", 404),
        ("engineer", 200),
        ("lead", 200),
        ("risk_officer", 403),
        ("legal", 403),
        ("auditor", 403),
        ("admin", 403),
    ],
)
def test_preview_permissions(client, personas, version, persona, status):
    if persona != "anonymous":
        client.force_login(personas[persona])

    with nothing_written():
        response = client.post(PREVIEW, {"field": "intended_use", "intended_use": "**Bold**"})

    assert response.status_code == status
    if status == 200:
        assert "<strong>Bold</strong>" in response.content.decode()


def test_preview_changes_nothing_and_is_post_only(client, personas, version):
    client.force_login(personas["lead"])

    assert client.get(PREVIEW).status_code == 405
    assert client.post(PREVIEW, {"field": "code_revision"}).status_code == 400


def test_retired_card_cannot_be_opened_or_saved(client, personas, version):
    data = form_data(client_for(personas["lead"]))
    set_stage(version, Stage.RETIRED)
    client.force_login(personas["lead"])

    page = client.get(EDIT)
    with nothing_written():
        saved = client.post(EDIT, data | {"intended_use": ["Later."]})

    assert (page.status_code, saved.status_code) == (403, 403)
    assert "retired; its card is kept as it was." in page.content.decode()


# --- the page and its round trip ---------------------------------------------------------


def test_page_shows_every_card_field(client, personas, version):
    client.force_login(personas["lead"])

    page = client.get(EDIT).content.decode()

    for field in (
        "intended_use", "out_of_scope_uses", "primary_users", "training_data_description",
        "training_data_version", "training_date", "training_pipeline", "hyperparameters",
        "code_revision", "artifact_uri", "artifact_sha256", "evaluation_metrics",
        "performance_by_group", "known_limitations", "ethical_considerations",
        "fairness_assessment", "review_schedule", "retirement_criteria",
    ):  # fmt: skip
        assert f'id="field-{field}"' in page
    assert '<input type="date" name="training_date" value="2026-10-01"' in page
    assert 'name="card_revision" value="1"' in page
    assert '<script src="/static/js/card-editor.js" defer></script>' in page
    assert "<script>" not in page and " style=" not in page


def test_artefact_identity_is_read_only_once_set(client, personas, version):
    client.force_login(personas["lead"])

    response = client.get(EDIT)

    assert 'name="code_revision"' not in response.content.decode()
    assert '<p class="editor-readonly mono">3f2c9a1</p>' in field_html(response, "code_revision")
    assert 'name="artifact_sha256"' in field_html(response, "artifact_sha256")  # still empty


def test_rows_fields_always_have_empty_rows_to_fill_without_javascript(client, personas, version):
    client.force_login(personas["lead"])

    data = form_data(client)

    def rows(field: str, *columns: str) -> list[tuple[str, ...]]:
        return list(zip(*(data[f"{field}-{column}"] for column in columns), strict=True))

    # Stored order (PostgreSQL's jsonb orders keys its own way), then two empty rows.
    metrics = rows("evaluation_metrics", "name", "value")
    assert sorted(metrics[:2]) == [("accuracy", "0.91"), ("auc", "0.94")]
    assert metrics[2:] == [("", ""), ("", "")]
    assert sorted(rows("hyperparameters", "name", "value")[:2]) == [
        ("learning_rate", "0.1"),
        ("max_depth", "6"),
    ]
    assert len(rows("performance_by_group", "group", "metric", "value")) == 4
    assert rows("retirement_metric_floors", "metric", "min", "days") == [
        ("accuracy", "0.88", "7"),
        ("", "", ""),
        ("", "", ""),
    ]


def test_saving_the_page_unchanged_writes_no_revision(client, personas, version):
    client.force_login(personas["lead"])
    data = form_data(client)

    with nothing_written():
        response = client.post(EDIT, data)

    assert response.status_code == 302
    assert flashes(response) == [
        "Nothing changed: the card of customer-churn-predictor 2.4.1 stays at revision 1."
    ]
    version.refresh_from_db()
    assert version.card_revision == 1


def test_save_writes_exactly_what_was_typed_in_every_field_type(client, personas, version):
    client.force_login(personas["lead"])
    data = form_data(client) | {
        "intended_use": ["Score churn.\r\nMonthly."],
        "out_of_scope_uses": ["Credit decisions\r\n\r\n  Pricing  \r\nHiring"],
        "training_date": ["2026-11-02"],
        "hyperparameters-name": ["max_depth", "learning_rate", "early_stop", "layers"],
        "hyperparameters-value": ["8", "0.1", "true", "[64, 32]"],
        "artifact_sha256": [SHA],
        "evaluation_metrics-name": ["accuracy", "auc", "f1", ""],
        "evaluation_metrics-value": ["0.93", "0.94", "0.8", ""],
        "performance_by_group-group": ["age<30", "age>=30", "", ""],
        "performance_by_group-metric": ["accuracy", "accuracy", "", ""],
        "performance_by_group-value": ["0.9", "0.95", "", ""],
        "fairness_method": ["Demographic parity"],
        "fairness_groups": ["age<30\r\nage>=30"],
        "fairness_results-name": ["parity_gap", ""],
        "fairness_results-value": ["0.02", ""],
        "review_schedule": ["monthly"],
        "retirement_max_age_days": ["120"],
        "retirement_metric_floors-metric": ["accuracy", "auc", ""],
        "retirement_metric_floors-min": ["0.88", "0.9", ""],
        "retirement_metric_floors-days": ["7", "3", ""],
        "retirement_drift_ceiling": [""],
    }
    data.pop("retirement_retire_on_replacement")  # unticked
    mark = audit_mark()

    response = client.post(EDIT, data)

    assert response.status_code == 302
    version.refresh_from_db()
    assert version.card_revision == 2
    assert version.intended_use == "Score churn.\nMonthly."
    assert version.out_of_scope_uses == ["Credit decisions", "Pricing", "Hiring"]
    assert version.training_date == date(2026, 11, 2)
    assert version.hyperparameters == {
        "max_depth": 8,
        "learning_rate": 0.1,
        "early_stop": True,
        "layers": [64, 32],
    }
    assert version.artifact_sha256 == SHA
    assert version.evaluation_metrics == {"accuracy": 0.93, "auc": 0.94, "f1": 0.8}
    assert version.performance_by_group == {
        "age<30": {"accuracy": 0.9},
        "age>=30": {"accuracy": 0.95},
    }
    assert version.fairness_assessment == {
        "method": "Demographic parity",
        "groups": ["age<30", "age>=30"],
        "results": {"parity_gap": 0.02},
    }
    assert version.review_schedule == "monthly"
    assert version.retirement_criteria == {
        "max_age_days": 120,
        "metric_floors": [
            {"metric": "accuracy", "min": 0.88, "days": 7},
            {"metric": "auc", "min": 0.9, "days": 3},
        ],
        "retire_on_replacement": False,
    }
    [(event_type, actor, *_, details)] = new_events(mark)
    assert (event_type, actor) == (AuditEventType.CARD_UPDATED, "lead")
    assert sorted(details["changes"]) == [
        "artifact_sha256", "evaluation_metrics", "fairness_assessment", "hyperparameters",
        "intended_use", "out_of_scope_uses", "performance_by_group", "retirement_criteria",
        "review_schedule", "training_date",
    ]  # fmt: skip
    assert flashes(response) == ["Saved the card of customer-churn-predictor 2.4.1 (revision 2)."]


def test_an_empty_card_saves_as_typed(client, personas, model):
    ModelVersionFactory(model=model, version="0.1.0")
    url = "/models/customer-churn-predictor/versions/0.1.0/edit/"
    client.force_login(personas["engineer"])
    data = form_data(client, url)

    with nothing_written():
        assert client.post(url, data).status_code == 302  # the defaults round-trip

    client.post(url, data | {"code_revision": ["abc123"], "primary_users": ["Analysts"]})

    saved = ModelVersion.objects.get(version="0.1.0")
    assert (saved.code_revision, saved.primary_users, saved.card_revision) == (
        "abc123",
        ["Analysts"],
        2,
    )


# --- inline errors, nothing written ------------------------------------------------------


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        (["accuracy", "abc"], "Row 1: &#x27;abc&#x27; is not a number (write e.g. 0.91)."),
        (["accuracy", "NaN"], "Row 1: &#x27;NaN&#x27; is not a number (write e.g. 0.91)."),
        (["accuracy", "inf"], "Row 1: &#x27;inf&#x27; is not a number (write e.g. 0.91)."),
        (["accuracy", ""], "Row 1: accuracy needs a number."),
        (["", "0.5"], "Row 1: give the metric a name."),
    ],
)
def test_bad_metric_is_an_error_next_to_the_field(client, personas, version, cells, message):
    client.force_login(personas["lead"])
    data = form_data(client) | {
        "evaluation_metrics-name": [cells[0]],
        "evaluation_metrics-value": [cells[1]],
        "intended_use": ["Also changed."],
    }

    with nothing_written():
        response = client.post(EDIT, data)

    assert response.status_code == 400
    assert message in field_html(response, "evaluation_metrics")
    assert "Also changed." in field_html(response, "intended_use")  # the input is kept
    assert flashes(response) == ["The card was not saved: correct the fields marked below."]


def test_duplicate_keys_are_errors_next_to_their_field(client, personas, version):
    client.force_login(personas["lead"])
    data = form_data(client) | {
        "hyperparameters-name": ["depth", "depth"],
        "hyperparameters-value": ["6", "7"],
        "performance_by_group-group": ["a", "a"],
        "performance_by_group-metric": ["auc", "auc"],
        "performance_by_group-value": ["0.9", "0.8"],
    }

    with nothing_written():
        response = client.post(EDIT, data)

    assert "Row 2: &#x27;depth&#x27; appears twice." in field_html(response, "hyperparameters")
    assert "Row 2: &#x27;a / auc&#x27; appears twice." in field_html(
        response, "performance_by_group"
    )


def test_service_validation_errors_show_next_to_their_field(client, personas, version):
    client.force_login(personas["lead"])
    data = form_data(client) | {
        "artifact_uri": ["javascript:alert(1)"],
        "evaluation_metrics-name": ["bad name!"],
        "evaluation_metrics-value": ["0.5"],
        "retirement_metric_floors-metric": ["accuracy"],
        "retirement_metric_floors-min": ["0.8"],
        "retirement_metric_floors-days": ["400"],
    }

    with nothing_written():
        response = client.post(EDIT, data)

    assert response.status_code == 400
    assert "This URI scheme is not allowed for artefacts." in field_html(response, "artifact_uri")
    assert "is not a metric name" in field_html(response, "evaluation_metrics")
    assert "metric_floors[0].days: expected a whole number from 1 to 365." in field_html(
        response, "retirement_criteria"
    )


def test_changing_the_checksum_once_set_is_refused_next_to_it(client, personas, version):
    ModelVersion.objects.filter(pk=version.pk).update(artifact_sha256=SHA)
    client.force_login(personas["lead"])
    data = form_data(client)
    assert "artifact_sha256" not in data  # shown read-only: a crafted post sends it

    with nothing_written():
        response = client.post(EDIT, data | {"artifact_sha256": ["b" * 64]})

    assert response.status_code == 400
    assert (
        "artifact_sha256 is fixed once set; register a new version for a different artefact."
        in field_html(response, "artifact_sha256")
    )


# --- Markdown preview ------------------------------------------------------------------


def test_preview_renders_sanitized_markdown(client, personas, version):
    client.force_login(personas["lead"])
    text = (
        "# Title\n\n**bold** <script>alert(1)</script> "
        "[click](javascript:alert(1)) [ok](https://example.com) <img src=x onerror=alert(1)>"
    )

    text += " [upper](JAVASCRIPT:alert(1)) <javascript:alert(1)> [data](data:text/html,x)"

    response = client.post(
        PREVIEW, {"field": "training_data_description", "training_data_description": text}
    )

    html = response.content.decode()
    assert "<h3>Title</h3>" in html and "<strong>bold</strong>" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown as text, never run
    assert "<script" not in html and "<img" not in html
    assert re.findall(r'href="([^"]*)"', html) == ["https://example.com"]
    assert '<a href="https://example.com" rel="noopener noreferrer nofollow">ok</a>' in html


def test_preview_warns_about_text_the_card_will_refuse(client, personas, version):
    client.force_login(personas["lead"])

    response = client.post(PREVIEW, {"field": "intended_use", "intended_use": "x" * 10_001})

    assert "longer than 10000 characters; the card will not accept it." in response.content.decode()


def test_preview_of_empty_text_says_so(client, personas, version):
    client.force_login(personas["lead"])

    response = client.post(PREVIEW, {"field": "intended_use", "intended_use": "  "})

    assert "Nothing to preview yet." in response.content.decode()


# --- reviews restart, concurrency --------------------------------------------------------


def _request_in_review(version: ModelVersion, personas: dict) -> ApprovalRequest:
    set_stage(version, Stage.STAGING)
    made = request_promotion(version, personas, Stage.PRODUCTION)
    from governance.services.approvals import approval_decide

    return approval_decide(
        actor=personas[REVIEWER_FOR_ROLE["ml_lead"]],
        request_id=made.pk,
        approve=True,
        note="Fine.",
        role="ml_lead",
    )


def test_open_review_shows_a_restart_notice_and_saving_restarts_it(client, personas, version):
    made = _request_in_review(version, personas)
    client.force_login(personas["engineer"])

    page = client.get(EDIT).content.decode()
    response = client.post(EDIT, form_data(client) | {"intended_use": ["New words."]})

    assert f'<a href="/reviews/{made.pk}/">request #{made.pk}</a> to production (in review)' in page
    assert "Saving a change restarts the review: the decisions given so far stop counting" in page
    made.refresh_from_db()
    assert made.status == ApprovalStatus.PENDING
    assert not made.decisions.filter(superseded_at__isnull=True).exists()
    assert flashes(response) == [
        "Saved the card of customer-churn-predictor 2.4.1 (revision 2). The open review "
        "restarted: its reviewers decide again on this card."
    ]


def test_no_notice_without_an_open_review(client, personas, version):
    client.force_login(personas["lead"])

    assert 'id="review-restart"' not in client.get(EDIT).content.decode()


def test_second_of_two_concurrent_saves_is_refused_with_a_link_to_the_change(personas, version):
    lead, engineer = client_for(personas["lead"]), client_for(personas["engineer"])
    lead_form, engineer_form = form_data(lead), form_data(engineer)
    lead.post(EDIT, lead_form | {"intended_use": ["Lead's words."]})
    version.refresh_from_db()

    with nothing_written():
        response = engineer.post(EDIT, engineer_form | {"intended_use": ["Engineer's words."]})

    assert response.status_code == 409
    assert flashes(response) == [
        f"The card of customer-churn-predictor 2.4.1 was changed by lead at "
        f"{version.card_updated_at:%Y-%m-%d %H:%M} UTC since you opened it (revision 1, now 2). "
        "Reload to see their change; nothing was saved."
    ]
    page = response.content.decode()
    assert f'<a href="{VERSION_PAGE}#history">See their change in the card history</a>' in page
    assert "Engineer&#x27;s words." in field_html(response, "intended_use")
    assert 'name="card_revision" value="1"' in page  # saving again is refused again
    version.refresh_from_db()
    assert (version.intended_use, version.card_revision) == ("Lead's words.", 2)


# --- queries -----------------------------------------------------------------------------


@pytest.mark.parametrize("other_models", [2, 30])
def test_editor_queries_are_bounded(
    client, personas, version, other_models, django_assert_max_num_queries
):
    for index in range(other_models):
        ModelVersionFactory(model__team=version.model.team, model__name=f"other-{index}")
    _request_in_review(version, personas)
    client.force_login(personas["engineer"])
    data = form_data(client)

    with django_assert_max_num_queries(15):
        assert client.get(EDIT).status_code == 200
    with django_assert_max_num_queries(15):
        assert (
            client.post(PREVIEW, {"field": "intended_use", "intended_use": "x"}).status_code == 200
        )
    with django_assert_max_num_queries(15):
        assert client.post(EDIT, data | {"evaluation_metrics-value": ["abc"]}).status_code == 400


def test_save_queries_do_not_grow_with_the_rows(client, personas, version):
    """A save is the service's locked writes (history, audit, review restart) plus the page's
    reads: a fixed number, whatever the number of rows typed."""
    client.force_login(personas["lead"])
    counts = []
    for rows in (2, 40):
        data = form_data(client) | {
            "evaluation_metrics-name": [f"m{i}" for i in range(rows)],
            "evaluation_metrics-value": [str(i / 100) for i in range(rows)],
        }
        with CaptureQueriesContext(connection) as queries:
            assert client.post(EDIT, data).status_code == 302
        counts.append(len(queries))

    assert counts[0] == counts[1] <= 25


def test_markup_in_card_text_is_escaped(client, personas, model):
    ModelVersionFactory(
        model=model,
        version="0.2.0",
        intended_use="<script>alert(1)</script>",
        primary_users=["<b>x</b>"],
    )
    client.force_login(personas["lead"])

    page = client.get("/models/customer-churn-predictor/versions/0.2.0/edit/").content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert re.search(r"&lt;b&gt;x&lt;/b&gt;", page)
