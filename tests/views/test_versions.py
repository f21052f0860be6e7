"""The version page (/models/<name>/versions/<version>/): who sees it, which actions it offers
to whom (edit/ and request/, as the policies say), what it shows (the card with its text
escaped, stage, reviews, deployments, monitoring, card history with field diffs), and a fixed
number of queries."""

import datetime

import pytest
from django.utils import timezone

from governance.models import ApprovalStatus, ModelVersion, Stage
from governance.services.deployments import deployment_record
from governance.services.metrics import metrics_record
from governance.services.versions import version_update_card
from tests.factories import ModelVersionFactory, RegisteredModelFactory
from tests.web import sign_in, text
from tests.workflows import promote, request_promotion

MODEL = "/models/customer-churn-predictor/"
VERSION = MODEL + "versions/2.4.1/"


# --- who may see it, and what they may do ------------------------------------------------


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
def test_version_page_permissions(client, personas, version, persona, status):
    response = sign_in(client, personas, persona).get(VERSION)

    assert response.status_code == status
    if status == 302:
        assert response["Location"] == f"/accounts/login/?next={VERSION}"


def test_unknown_version_is_not_found(client, personas, version):
    sign_in(client, personas, "lead")

    assert client.get(MODEL + "versions/9.9.9/").status_code == 404
    assert client.get("/models/no-such-model/versions/2.4.1/").status_code == 404


def test_version_page_refuses_post(client, personas, version):
    assert sign_in(client, personas, "lead").post(VERSION).status_code == 405


@pytest.mark.parametrize(
    ("persona", "stage", "edit", "ask"),
    [
        # Development: engineers and leads edit the card and ask for staging.
        ("engineer", Stage.DEVELOPMENT, True, True),
        ("lead", Stage.DEVELOPMENT, True, True),
        ("risk_officer", Stage.DEVELOPMENT, False, False),
        ("legal", Stage.DEVELOPMENT, False, False),
        ("auditor", Stage.DEVELOPMENT, False, False),
        ("admin", Stage.DEVELOPMENT, False, False),
        # Staging: only leads ask for production.
        ("engineer", Stage.STAGING, True, False),
        ("lead", Stage.STAGING, True, True),
        ("risk_officer", Stage.STAGING, False, False),
        # Production: nothing to request; deprecated: leads ask for a rollback.
        ("lead", Stage.PRODUCTION, True, False),
        ("engineer", Stage.DEPRECATED, True, False),
        ("lead", Stage.DEPRECATED, True, True),
        # Retired: the card is kept as it was.
        ("lead", Stage.RETIRED, False, False),
    ],
)
def test_actions_are_offered_as_the_policy_allows(
    client, personas, model, persona, stage, edit, ask
):
    ModelVersionFactory(
        model=model,
        version="2.4.1",
        stage=stage,
        stage_changed_at=timezone.now(),
        complete=True,
    )

    html = text(sign_in(client, personas, persona).get(VERSION))

    assert ('<a class="button primary" href="edit/">Edit card</a>' in html) is edit
    assert ('href="request/">Request ' in html) is ask


def test_a_deprecated_version_offers_a_rollback_request(client, personas, model):
    ModelVersionFactory(
        model=model,
        version="2.4.1",
        stage=Stage.DEPRECATED,
        stage_changed_at=timezone.now(),
        complete=True,
    )

    html = text(sign_in(client, personas, "lead").get(VERSION))

    assert '<a class="button" href="request/">Request rollback to production</a>' in html


def test_request_link_names_the_target_even_with_an_incomplete_card(client, personas, model):
    ModelVersionFactory(model=model, version="2.4.1", stage=Stage.STAGING, intended_use="Some.")

    html = text(sign_in(client, personas, "lead").get(VERSION))

    # The request page lists what is missing; the version page warns and marks the fields.
    assert '<a class="button" href="request/">Request promotion to production</a>' in html
    assert "A request to production needs these card fields: out_of_scope_uses," in html
    assert 'id="card-primary_users">primary_users <span class="missing">missing</span>' in html


# --- what it shows ----------------------------------------------------------------------------


def test_version_page_shows_card_stage_reviews_deployments_and_monitoring(
    client, personas, version
):
    approved = promote(version, personas, Stage.STAGING)
    pending = request_promotion(version, personas, Stage.PRODUCTION)
    deployment_record(
        actor=personas["engineer"],
        version_id=version.pk,
        endpoint="churn-staging",
        environment="staging",
    )
    metrics_record(
        actor=personas["engineer"],
        version_id=version.pk,
        points=[
            {"name": "accuracy", "value": 0.9, "observed_at": "2026-11-01T10:00:00Z"},
            {"name": "accuracy", "value": 0.92, "observed_at": "2026-11-02T10:00:00Z"},
            {"name": "drift_score", "value": 0.12, "observed_at": "2026-11-02T10:00:00Z"},
        ],
    )

    response = sign_in(client, personas, "risk_officer").get(VERSION)

    html = text(response)
    assert "<h1>customer-churn-predictor 2.4.1</h1>" in html
    assert 'aria-label="Model card customer-churn-predictor 2.4.1"' in html
    assert "by lead</dd>" in html  # created by the model owner (factory)
    page = response.context["page"]
    assert [(r.pk, r.status) for r in page.requests] == [
        (pending.pk, ApprovalStatus.PENDING),
        (approved.pk, ApprovalStatus.APPROVED),
    ]
    assert f'<a href="/reviews/{pending.pk}/">#{pending.pk}</a> to production' in html
    assert 'class="badge badge-status badge-approved">approved</span>' in html
    assert "<code>churn-staging</code>" in html
    assert [(m.name, m.latest, m.count) for m in page.metrics] == [
        ("accuracy", 0.92, 2),
        ("drift_score", 0.12, 1),
    ]
    assert "<td>0.9 – 0.92<br>" in html
    assert 'href="/models/customer-churn-predictor/versions/2.4.1/card.md" download>' in html
    assert 'href="/models/customer-churn-predictor/versions/2.4.1/card.json" download>' in html
    assert 'href="/models/customer-churn-predictor/versions/2.4.1/print/">Print view</a>' in html


def test_card_text_is_rendered_inert(client, personas, model):
    ModelVersionFactory(
        model=model,
        version="2.4.1",
        complete=True,
        intended_use="<script>alert(1)</script> [x](javascript:alert(1)) **bold**",
        known_limitations=["<img src=x onerror=alert(1)>"],
        hyperparameters={"<b>depth</b>": "<i>6</i>"},
    )

    html = text(sign_in(client, personas, "engineer").get(VERSION))

    assert "<script>alert(1)" not in html
    assert 'href="javascript' not in html
    assert "<strong>bold</strong>" in html  # Markdown, through the sanitizer
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<img" not in html
    assert "&lt;b&gt;depth&lt;/b&gt;" in html and "&lt;i&gt;6&lt;/i&gt;" in html


def test_card_history_lists_the_versions_changes_with_diffs(client, personas, version):
    version_update_card(
        actor=personas["lead"],
        version_id=version.pk,
        changes={"intended_use": "Churn <b>risk</b>.", "primary_users": ["Retention", "CRM"]},
    )
    promote(version, personas, Stage.STAGING)
    other = ModelVersionFactory(model=version.model, version="2.5.0")
    version_update_card(
        actor=personas["lead"], version_id=other.pk, changes={"intended_use": "Other."}
    )

    response = sign_in(client, personas, "auditor").get(VERSION)

    entries = response.context["page"].history.items
    assert [(e.who, e.reason, [c.field for c in e.changes]) for e in entries] == [
        ("engineer2", "development -> staging", ["stage"]),
        ("lead", "card updated", ["intended_use", "primary_users"]),
        ("system", "", []),
    ]
    html = text(response)
    history = html[html.index('<section class="panel" id="history"') :]
    assert '<h2 id="history-heading">Card history</h2>' in history
    assert '<td class="diff-old">development</td>' in history
    assert '<td class="diff-new">staging</td>' in history
    assert "Churn &lt;b&gt;risk&lt;/b&gt;." in history
    assert '<span class="diff-new">CRM</span>' in history  # the item added
    assert "Other." not in history


def test_card_history_has_25_entries_a_page(client, personas, version):
    for number in range(30):
        version_update_card(
            actor=personas["lead"],
            version_id=version.pk,
            changes={"intended_use": f"Revision {number}."},
        )
    sign_in(client, personas, "auditor")

    first = client.get(VERSION)
    second = client.get(VERSION, {"history": 2})

    assert first.context["page"].history.items[0].changes[0].new == "Revision 29."
    assert '<a href="?history=2#history" rel="next">Older</a>' in text(first)
    items = second.context["page"].history.items
    assert [e.changes[0].new if e.changes else None for e in items] == [
        "Revision 4.",
        "Revision 3.",
        "Revision 2.",
        "Revision 1.",
        "Revision 0.",
        None,  # created
    ]
    assert '<a href="?history=1#history" rel="prev">Newer</a>' in text(second)


def test_versions_of_another_teams_model_stay_hidden(client, personas, other_team):
    hidden = RegisteredModelFactory(name="campaign-uplift", team=other_team)
    ModelVersionFactory(model=hidden, version="1.0.0")

    response = sign_in(client, personas, "engineer").get("/models/campaign-uplift/versions/1.0.0/")

    assert response.status_code == 404


# --- queries ------------------------------------------------------------------------------------


def _deprecated_with_history(model, personas: dict, count: int) -> ModelVersion:  # noqa: ANN001
    """2.4.1 went to production (its card names the approvers) and was replaced by 2.5.0, so
    the page also asks whether a rollback may be requested; count card edits, deployments
    and observations."""
    old = ModelVersionFactory(model=model, version="2.4.1", complete=True)
    for number in range(count):
        version_update_card(
            actor=personas["lead"],
            version_id=old.pk,
            changes={"intended_use": f"Revision {number}."},
        )
        deployment_record(
            actor=personas["engineer"],
            version_id=old.pk,
            endpoint=f"churn-{number}",
            environment="development",
        )
    metrics_record(
        actor=personas["engineer"],
        version_id=old.pk,
        points=[
            {
                "name": f"metric_{number % 5}",
                "value": number / 1000,
                "observed_at": (timezone.now() - datetime.timedelta(hours=number)).isoformat(),
            }
            for number in range(count)
        ],
    )
    promote(old, personas, Stage.STAGING)
    promote(old, personas, Stage.PRODUCTION)
    new = ModelVersionFactory(model=model, version="2.5.0", complete=True)
    promote(new, personas, Stage.STAGING)
    promote(new, personas, Stage.PRODUCTION)
    old.refresh_from_db()
    assert old.stage == Stage.DEPRECATED
    return old


@pytest.mark.parametrize("count", [2, 200])
@pytest.mark.parametrize("persona", ["engineer", "lead", "auditor"])
def test_version_page_queries_stay_fixed(
    client, personas, model, count, persona, django_assert_max_num_queries
):
    _deprecated_with_history(model, personas, count)
    sign_in(client, personas, persona)

    with django_assert_max_num_queries(15):
        response = client.get(VERSION, {"history": 2})

    assert response.status_code == 200
