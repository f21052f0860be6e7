"""The model page (/models/<name>/) and its history sections: who sees them, what they show
(header, versions with their stage timeline, the current card, deployments, metric charts with
the retirement threshold, open alerts, "what was in production on date X", audit events and
field changes), bad input that never fails, and a fixed number of queries."""

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone

from governance import audit
from governance.actors import SEED
from governance.models import AuditEventType, ModelVersion, RegisteredModel, Stage
from governance.services.deployments import deployment_record
from governance.services.metrics import metrics_record
from governance.services.registered_models import model_update
from governance.services.versions import version_update_card
from tests.factories import (
    DeploymentFactory,
    MetricObservationFactory,
    ModelVersionFactory,
    RegisteredModelFactory,
    RetirementAlertFactory,
)
from tests.web import sign_in, text
from tests.workflows import promote, request_promotion

MODEL = "/models/customer-churn-predictor/"
HISTORY = MODEL + "history/"
CHANGES = MODEL + "changes/"


def days_ago(days: int) -> datetime.datetime:
    """Noon, some days ago: far from midnight, so the day's end is unambiguous."""
    noon = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)
    return noon - datetime.timedelta(days=days)


@contextmanager
def at(moment: datetime.datetime) -> Iterator[None]:
    """Run services as if it were `moment` (history rows, audit events, reports)."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


# --- who may see it -------------------------------------------------------------------


@pytest.mark.parametrize("path", ["", "history/", "changes/"])
@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 302),  # to the login page
        ("no_role", 404),
        ("other_team_lead", 404),
        ("engineer", 200),
        ("lead", 200),
        ("risk_officer", 200),
        ("legal", 200),
        ("auditor", 200),
        ("admin", 200),
    ],
)
def test_model_pages_permissions(client, personas, version, path, persona, status):
    response = sign_in(client, personas, persona).get(MODEL + path)

    assert response.status_code == status
    if status == 302:
        assert response["Location"] == f"/accounts/login/?next={MODEL}{path}"


def test_unknown_model_is_not_found(client, personas, model):
    response = sign_in(client, personas, "lead").get("/models/no-such-model/")

    assert response.status_code == 404


@pytest.mark.parametrize("path", ["", "history/", "changes/"])
def test_model_pages_change_nothing_and_refuse_post(client, personas, version, path):
    response = sign_in(client, personas, "lead").post(MODEL + path)

    assert response.status_code == 405


# --- header, versions and card -----------------------------------------------------------


def test_header_shows_name_team_owner_risk_and_description(client, personas, model):
    model.description = (
        "Predicts **churn**.\n\n<script>alert(1)</script> [x](javascript:alert(1)) "
        "<img src=x onerror=alert(1)>"
    )
    model.risk_level = "high"
    model.save()

    page = text(sign_in(client, personas, "engineer").get(MODEL))

    assert "<h1>customer-churn-predictor</h1>" in page
    assert "Team <strong>Fraud</strong>" in page
    assert "owner <strong>lead</strong>" in page
    assert 'class="badge badge-risk badge-high">high</span>' in page
    assert "Predicts <strong>churn</strong>." in page
    assert "<script>alert(1)" not in page
    assert "[x](javascript:alert(1))" in page  # inert text, never a link
    assert 'href="javascript' not in page
    assert "<img" not in page


def test_versions_show_their_stage_timeline(client, personas, model):
    with at(days_ago(30)):
        old = ModelVersionFactory(model=model, version="2.4.1", complete=True)
    with at(days_ago(20)):
        promote(old, personas, Stage.STAGING)
    with at(days_ago(15)):
        promote(old, personas, Stage.PRODUCTION)
    with at(days_ago(5)):
        new = ModelVersionFactory(model=model, version="2.5.0", complete=True)

    response = sign_in(client, personas, "engineer").get(MODEL)

    page = response.context["page"]
    assert [version.version for version in page.versions] == ["2.5.0", "2.4.1"]
    assert [(step.stage, step.at) for step in page.versions[1].steps] == [
        ("development", days_ago(30)),
        ("staging", days_ago(20)),
        ("production", days_ago(15)),
    ]
    assert [(step.stage, step.at) for step in page.versions[0].steps] == [
        ("development", days_ago(5))
    ]
    assert [(step.version, step.stage) for step in page.timeline] == [
        (new, "development"),
        (old, "production"),
        (old, "staging"),
        (old, "development"),
    ]
    html = text(response)
    steps = html[html.index('<ol class="stage-steps">', html.index(">2.4.1</a></th>")) :]
    steps = steps[: steps.index("</ol>")]
    assert steps.index("badge-development") < steps.index("badge-staging")
    assert steps.index("badge-staging") < steps.index("badge-production")
    assert f"{days_ago(15):%Y-%m-%d %H:%M}" in steps


def test_card_shown_is_the_production_versions(client, personas, model):
    production = ModelVersionFactory(model=model, version="2.4.1", complete=True)
    promote(production, personas, Stage.STAGING)
    promote(production, personas, Stage.PRODUCTION)
    ModelVersionFactory(model=model, version="2.5.0", intended_use="The newer card.")

    response = sign_in(client, personas, "engineer").get(MODEL)

    assert response.context["page"].current == production
    page = text(response)
    assert "Model card of 2.4.1</h2>" in page
    assert "The version in production." in page
    assert 'aria-label="Model card customer-churn-predictor 2.4.1"' in page
    assert "lead2 (ml_lead)" in page  # approved_by, from the production approval
    assert "The newer card." not in page


def test_card_shown_without_production_is_the_newest_versions(client, personas, model):
    with at(days_ago(3)):
        ModelVersionFactory(model=model, version="2.4.1", intended_use="The older card.")
    ModelVersionFactory(model=model, version="2.5.0", intended_use="The newest card.")

    page = text(sign_in(client, personas, "engineer").get(MODEL))

    assert "Model card of 2.5.0</h2>" in page
    assert "No version is in production: this is the newest version." in page
    assert "The newest card." in page
    assert "The older card." not in page


def test_model_without_versions_has_a_page(client, personas, model):
    response = sign_in(client, personas, "engineer").get(MODEL)

    assert response.status_code == 200
    assert response.context["page"].current is None
    assert "No version registered yet." in text(response)


# --- deployments, charts and alerts -------------------------------------------------------


def test_deployments_show_which_version_serves_which_endpoint(client, personas, model):
    old = ModelVersionFactory(model=model, version="2.4.1", complete=True)
    promote(old, personas, Stage.STAGING)
    promote(old, personas, Stage.PRODUCTION)
    new = ModelVersionFactory(model=model, version="2.5.0", complete=True)
    engineer = personas["engineer"]
    deployment_record(
        actor=engineer,
        version_id=old.pk,
        endpoint="churn-api",
        environment="production",
        reported_at=days_ago(3),
    )
    deployment_record(
        actor=engineer,
        version_id=old.pk,
        endpoint="churn-batch",
        environment="production",
        reported_at=days_ago(20),
    )
    deployment_record(  # replaces 2.4.1 on churn-batch: a shadow model
        actor=engineer,
        version_id=new.pk,
        endpoint="churn-batch",
        environment="production",
        reported_at=days_ago(2),
    )

    response = sign_in(client, personas, "risk_officer").get(MODEL)

    page = response.context["page"]
    assert [(d.endpoint, d.version.version, d.shadow) for d in page.deployments] == [
        ("churn-batch", "2.5.0", True),
        ("churn-api", "2.4.1", False),
    ]
    assert [(d.endpoint, d.version.version) for d in page.ended_deployments] == [
        ("churn-batch", "2.4.1")
    ]
    html = text(response)
    assert "<code>churn-api</code>" in html
    assert 'badge-shadow" title="Not approved for this environment">shadow</span>' in html
    assert "by engineer" in html


def test_a_chart_per_metric_with_its_retirement_threshold(client, personas, model):
    production = ModelVersionFactory(
        model=model, version="2.4.1", stage=Stage.PRODUCTION, complete=True
    )
    other = ModelVersionFactory(model=model, version="2.3.0")
    for day, accuracy in ((3, 0.91), (2, 0.9), (1, 0.86)):
        MetricObservationFactory(version=production, value=accuracy, observed_at=days_ago(day))
    MetricObservationFactory(version=production, value=0.9, observed_at=days_ago(1))  # mean .88
    for day, drift in ((2, 0.1), (1, 0.2)):
        MetricObservationFactory(
            version=production, name="drift_score", value=drift, observed_at=days_ago(day)
        )
    MetricObservationFactory(version=other, name="latency_ms", observed_at=days_ago(1))

    response = sign_in(client, personas, "legal").get(MODEL)

    charts = response.context["page"].charts
    assert [chart.name for chart in charts] == ["accuracy", "drift_score"]
    accuracy, drift = charts
    assert [t.value for t in accuracy.thresholds] == [0.88]  # the default metric floor
    assert [t.value for t in drift.thresholds] == [0.3]  # the default drift ceiling
    assert accuracy.latest_value == pytest.approx(0.88)
    assert accuracy.latest_day == days_ago(1).date()
    assert 'data-value="0.88"' in accuracy.svg
    assert 'data-value="0.3"' in drift.svg
    html = text(response)
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == 2
    assert "<caption>Latest daily values</caption>" in html
    assert "retirement floor (7 days) 0.88" in html
    assert "latency_ms" not in html


def test_open_and_acknowledged_alerts_are_shown_with_their_reasons(client, personas, version):
    RetirementAlertFactory(
        version=version,
        rule="metric_floor",
        reasons=[{"message": "accuracy <b>below</b> 0.88 for 7 days", "observed": 0.85}],
    )
    RetirementAlertFactory(
        version=version,
        rule="drift_ceiling",
        status="acknowledged",
        acknowledged_by=personas["lead"],
        acknowledged_at=days_ago(1),
    )
    RetirementAlertFactory(
        version=version,
        rule="max_age",
        status="resolved",
        reasons=[{"message": "A resolved reason."}],
    )

    response = sign_in(client, personas, "auditor").get(MODEL)

    alerts = response.context["page"].alerts
    assert sorted(alert.rule for alert in alerts) == ["drift_ceiling", "metric_floor"]
    html = text(response)
    assert "Metric below floor" in html
    assert "accuracy &lt;b&gt;below&lt;/b&gt; 0.88 for 7 days" in html
    assert "observed: 0.85" in html
    assert "acknowledged by lead" in html
    assert "A resolved reason." not in html


# --- what was in production on a date --------------------------------------------------------


@pytest.fixture
def replaced(model, personas) -> tuple[ModelVersion, ModelVersion]:
    """2.4.1 in production from 20 days ago, replaced by 2.5.0 10 days ago; churn-api served
    2.4.1 from 19 days ago, and 2.5.0 from 9 days ago."""
    engineer = personas["engineer"]
    with at(days_ago(30)):
        old = ModelVersionFactory(model=model, version="2.4.1", complete=True)
        new = ModelVersionFactory(model=model, version="2.5.0", complete=True)
    with at(days_ago(25)):
        promote(old, personas, Stage.STAGING)
    with at(days_ago(20)):
        promote(old, personas, Stage.PRODUCTION)
    with at(days_ago(19)):
        deployment_record(
            actor=engineer, version_id=old.pk, endpoint="churn-api", environment="production"
        )
    with at(days_ago(15)):
        promote(new, personas, Stage.STAGING)
    with at(days_ago(10)):
        promote(new, personas, Stage.PRODUCTION)
    with at(days_ago(9)):
        deployment_record(
            actor=engineer, version_id=new.pk, endpoint="churn-api", environment="production"
        )
    return old, new


@pytest.mark.parametrize(
    ("days", "version", "endpoints"),
    [
        (35, None, []),  # before the model had versions
        (22, None, []),  # 2.4.1 only in staging
        (20, "2.4.1", []),  # promoted at noon, deployed the next day
        (15, "2.4.1", ["churn-api"]),  # between the promotion and the replacement
        (10, "2.5.0", []),  # replaced at noon; churn-api still served 2.4.1 that day
        (5, "2.5.0", ["churn-api"]),
        (0, "2.5.0", ["churn-api"]),
    ],
)
def test_what_was_in_production_on_a_date(client, personas, replaced, days, version, endpoints):
    day = days_ago(days).date()

    response = sign_in(client, personas, "auditor").get(MODEL, {"date": day.isoformat()})

    answer = response.context["page"].as_of
    assert answer.day == day
    assert (answer.version.version if answer.version else None) == version
    assert [d.endpoint for d in answer.deployments] == endpoints
    html = text(response)
    if version:
        assert f"At the end of {day:%Y-%m-%d}, version" in html
        assert f">{version}</a> was in production." in html
    else:
        expected = f"No version of customer-churn-predictor was in production at the end of {day}."
        assert expected in html


def test_the_date_form_is_labelled(client, personas, version):
    html = text(sign_in(client, personas, "engineer").get(MODEL))

    assert '<label for="as-of-date">Date</label>' in html
    assert '<input type="date" id="as-of-date" name="date"' in html
    assert '<form method="get" action="#as-of"' in html


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-13-45", "Enter a date as YYYY-MM-DD."),
        ("yesterday", "Enter a date as YYYY-MM-DD."),
        ("99999-01-01", "Enter a date as YYYY-MM-DD."),
        ("<script>x</script>", "Enter a date as YYYY-MM-DD."),
        ("", "Pick a date."),
        ("9999-12-31", "Pick a date up to today."),
    ],
)
def test_bad_dates_give_a_message(client, personas, version, value, message):
    response = sign_in(client, personas, "engineer").get(MODEL, {"date": value})

    assert response.status_code == 200
    assert response.context["page"].as_of is None
    html = text(response)
    assert f'<p class="field-error" id="as-of-error" role="alert">{message}</p>' in html
    assert "<script>x</script>" not in html


def test_a_date_long_ago_has_an_answer(client, personas, version):
    response = sign_in(client, personas, "engineer").get(MODEL, {"date": "0001-01-01"})

    assert response.status_code == 200
    assert response.context["page"].as_of.version is None


# --- audit history --------------------------------------------------------------------------


def test_audit_history_shows_type_actor_time_and_readable_details(client, personas, version):
    version_update_card(
        actor=personas["lead"],
        version_id=version.pk,
        changes={"intended_use": "Churn <em>risk</em> for offers.", "primary_users": ["CRM"]},
    )
    model_update(
        actor=personas["risk_officer"], model_id=version.model_id, changes={"risk_level": "high"}
    )

    response = sign_in(client, personas, "auditor").get(HISTORY)

    html = text(response)
    assert "<h1>Audit history of customer-churn-predictor</h1>" in html
    events = response.context["events"].items
    assert [(e.event_type, e.actor) for e in events] == [
        (AuditEventType.MODEL_RISK_CHANGED, "risk_officer"),
        (AuditEventType.CARD_UPDATED, "lead"),
    ]
    assert "<code>model.card_updated</code>" in html
    assert f"{events[1].created_at:%Y-%m-%d %H:%M:%S}" in html
    # A card update's changes and a model update's before/after read as old -> new.
    assert '<dt>intended_use</dt>\n  <dd><span class="diff-old">Score monthly churn' in html
    assert '<span class="diff-new">Churn &lt;em&gt;risk&lt;/em&gt; for offers.</span>' in html
    assert '<dt>risk_level</dt>\n  <dd><span class="diff-old">medium</span>' in html
    assert '<span class="diff-new">high</span>' in html
    assert ">2.4.1</a>" in html  # the event's version links to its page


def test_audit_history_only_shows_this_models_events(client, personas, version, team):
    other = ModelVersionFactory(model=RegisteredModelFactory(name="fraud-scorer", team=team))
    version_update_card(
        actor=personas["lead"], version_id=other.pk, changes={"intended_use": "Other model."}
    )

    response = sign_in(client, personas, "auditor").get(HISTORY)

    assert response.context["events"].items == []
    assert "No audit events yet." in text(response)


def _events(model: RegisteredModel, count: int) -> None:
    """count audit events on the model (test set-up: appended directly)."""
    with transaction.atomic():
        for number in range(count):
            audit.record(
                event_type=AuditEventType.MODEL_UPDATED,
                actor=SEED,
                model=model,
                details={"number": number},
            )


def test_audit_history_has_25_events_a_page(client, personas, model):
    _events(model, 30)
    sign_in(client, personas, "auditor")

    first = client.get(HISTORY)
    second = client.get(HISTORY, {"page": 2})

    numbers = [e.details_data["number"] for e in first.context["events"].items]
    assert numbers == list(range(29, 4, -1))
    assert [e.details_data["number"] for e in second.context["events"].items] == [4, 3, 2, 1, 0]
    assert '<a href="?page=2#audit" rel="next">Older</a>' in text(first)
    assert '<a href="?page=1#audit" rel="prev">Newer</a>' in text(second)
    assert "Older" not in text(second)


@pytest.mark.parametrize("page_param", ["0", "-1", "abc", "99999999999999999999", "1.5"])
def test_bad_page_numbers_show_the_first_page(client, personas, model, page_param):
    _events(model, 2)

    response = sign_in(client, personas, "auditor").get(HISTORY, {"page": page_param})

    assert response.status_code == 200
    assert response.context["events"].number == 1


def test_model_page_shows_the_audit_page_asked_for(client, personas, model):
    _events(model, 30)

    response = sign_in(client, personas, "auditor").get(MODEL, {"page": 2})

    numbers = [e.details_data["number"] for e in response.context["page"].audit.items]
    assert numbers == [4, 3, 2, 1, 0]
    html = text(response)
    # Without JavaScript the link reloads the model page; with htmx it swaps the section.
    assert (
        f'<a href="?page=1#audit" rel="prev" hx-get="{HISTORY}?page=1" hx-target="#audit-body"'
        in html
    )


def test_history_sections_load_into_the_model_page_with_htmx(client, personas, model):
    _events(model, 30)
    sign_in(client, personas, "auditor")

    page = text(client.get(MODEL, {"changes": 3}))
    audit = client.get(HISTORY, {"page": 2}, HTTP_HX_REQUEST="true")
    changes = client.get(CHANGES, HTTP_HX_REQUEST="true")

    assert f'hx-get="{CHANGES}?page=3" hx-trigger="load"' in page
    assert f'<a href="{CHANGES}?page=3">Read the field changes' in page  # without JavaScript
    for fragment in (audit, changes):
        assert "<html" not in text(fragment)
        assert "HX-Request" in fragment["Vary"]
    assert '<table class="audit-table">' in text(audit)
    assert '<ol class="change-list">' in text(changes)


# --- field changes (simple-history) ------------------------------------------------------------


def test_field_changes_show_old_and_new_values(client, personas, version):
    version_update_card(
        actor=personas["lead"],
        version_id=version.pk,
        changes={
            "intended_use": "Churn <script>alert(1)</script> risk.",
            "out_of_scope_uses": ["Credit decisions", "Fraud scoring"],
            "training_date": datetime.date(2026, 10, 2),
        },
    )
    model_update(
        actor=personas["admin"], model_id=version.model_id, changes={"owner": personas["lead2"]}
    )
    request_promotion(version, personas, Stage.STAGING)

    response = sign_in(client, personas, "auditor").get(CHANGES)

    entries = response.context["changes"].items
    assert [(e.subject, e.kind, e.who, e.reason) for e in entries] == [
        ("request", "created", "engineer", "requested"),
        ("model", "changed", "admin", "updated"),
        ("version", "changed", "lead", "card updated"),
        ("version", "created", "system", ""),  # the factory's row: no acting user
        ("model", "created", "system", ""),
    ]
    assert [(c.field, c.old, c.new) for c in entries[1].changes] == [("owner", "lead", "lead2")]
    changes = {c.field: c for c in entries[2].changes}
    assert sorted(changes) == ["intended_use", "out_of_scope_uses", "training_date"]
    assert changes["training_date"].old_text == "2026-10-01"
    assert changes["training_date"].new_text == "2026-10-02"
    html = text(response)
    assert "<code>owner</code>" in html
    assert '<td class="diff-old">lead</td>\n            <td class="diff-new">lead2</td>' in html
    assert '<span class="diff-new">Fraud scoring</span>' in html  # the item added to the list
    assert "Churn &lt;script&gt;alert(1)&lt;/script&gt; risk." in html
    assert "<script>alert(1)" not in html


def test_field_changes_have_25_entries_a_page(client, personas, version):
    for number in range(30):
        version_update_card(
            actor=personas["lead"],
            version_id=version.pk,
            changes={"intended_use": f"Revision {number}."},
        )
    sign_in(client, personas, "auditor")

    first = client.get(CHANGES).context["changes"]
    second = client.get(CHANGES, {"page": 2}).context["changes"]

    assert len(first.items) == 25 and first.has_next
    assert first.items[0].changes[0].new == "Revision 29."
    # 32 rows: 30 edits, the version's and the model's creation.
    assert len(second.items) == 7 and not second.has_next
    assert second.items[0].changes[0].new == "Revision 4."


# --- queries ------------------------------------------------------------------------------------


def _build(model: RegisteredModel, personas: dict, count: int) -> ModelVersion:
    """count versions, each with a deployment, metrics and an alert, one of them in
    production through the services (so its card names its approvers), and count events."""
    production = ModelVersionFactory(model=model, version="2.4.1", complete=True)
    promote(production, personas, Stage.STAGING)
    promote(production, personas, Stage.PRODUCTION)
    for number in range(count - 1):
        version = ModelVersionFactory(model=model, version=f"1.0.{number}")
        DeploymentFactory(version=version, environment="development")
        RetirementAlertFactory(version=version)
    for day in range(count):
        MetricObservationFactory(version=production, observed_at=days_ago(day % 90))
    metrics_record(
        actor=personas["engineer"],
        version_id=production.pk,
        points=[{"name": "drift_score", "value": 0.1, "observed_at": days_ago(1).isoformat()}],
    )
    _events(model, count)
    return production


@pytest.mark.parametrize("count", [2, 200])
def test_model_page_queries_stay_fixed(
    client, personas, model, count, django_assert_max_num_queries
):
    _build(model, personas, count)
    sign_in(client, personas, "engineer")

    with django_assert_max_num_queries(15):
        response = client.get(MODEL, {"date": days_ago(1).date().isoformat()})

    assert response.status_code == 200
    assert len(response.context["page"].versions) == count


@pytest.mark.parametrize("count", [2, 200])
@pytest.mark.parametrize("path", ["history/", "changes/"])
def test_history_sections_queries_stay_fixed(
    client, personas, model, count, path, django_assert_max_num_queries
):
    _build(model, personas, count)
    sign_in(client, personas, "engineer")

    with django_assert_max_num_queries(15):
        response = client.get(MODEL + path, {"page": 2})

    assert response.status_code == 200
