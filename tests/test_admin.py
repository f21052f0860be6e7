"""The admin portal: every page renders for governance admins, list pages keep a fixed
number of queries, nothing governed is deleted, and read-only records stay read-only."""

import pytest
from django.contrib.admin import helpers
from django.urls import reverse

from governance.models import (
    ApprovalDecision,
    AuditEvent,
    MetricObservation,
    ModelVersion,
    Role,
    Stage,
)
from tests.admin_support import (
    GOVERNED,
    HISTORY_TRACKED,
    build,
    governance_admin,
    login,
    messages_of,
    staff,
    superuser,
    url,
)

PERSONAS = {"superuser": superuser, "governance_admin": governance_admin}
VIEW_ONLY = (
    "approvalrequest",
    "approvaldecision",
    "deployment",
    "metricobservation",
    "retirementalert",
    "auditevent",
)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", GOVERNED)
def test_changelist_and_change_page_render(client, persona, name):
    obj = build(name)
    login(client, PERSONAS[persona]())

    assert client.get(url(name, "changelist")).status_code == 200
    assert client.get(url(name, "change", obj.pk)).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_admin_index_lists_every_governance_model(client, persona):
    login(client, PERSONAS[persona]())

    response = client.get(reverse("admin:index"))

    [governance] = [app for app in response.context["app_list"] if app["app_label"] == "governance"]
    # API tokens are listed too (their admin opens for superusers and global governance admins).
    listed = {entry["object_name"].lower() for entry in governance["models"]}
    assert listed == {
        *GOVERNED,
        "apitoken",
        "riskclassification",
        "regulatorydate",
        "seriousincident",
    }


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", HISTORY_TRACKED)
def test_history_page_renders(client, persona, name):
    obj = build(name)
    login(client, PERSONAS[persona]())

    response = client.get(url(name, "history", obj.pk))

    assert response.status_code == 200
    entry = obj.history.latest("history_date")
    assert client.get(url(name, "simple_history", obj.pk, entry.pk)).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "name", "status"),
    [
        # Admins shape teams; engineers and leads register models and versions.
        (Role.GOVERNANCE_ADMIN, "team", 200),
        (Role.GOVERNANCE_ADMIN, "registeredmodel", 403),
        (Role.GOVERNANCE_ADMIN, "modelversion", 403),
        (Role.ML_LEAD, "team", 403),
        (Role.ML_LEAD, "registeredmodel", 200),
        (Role.ML_LEAD, "modelversion", 200),
        (Role.ML_ENGINEER, "registeredmodel", 200),
        (Role.ML_ENGINEER, "modelversion", 200),
        (Role.RISK_OFFICER, "registeredmodel", 403),
        (Role.LEGAL, "modelversion", 403),
    ],
)
def test_add_pages_open_for_the_roles_that_may_add(client, role, name, status):
    login(client, staff(f"staff-{role}", role))

    assert client.get(url(name, "add")).status_code == status


@pytest.mark.django_db
@pytest.mark.parametrize("name", ("team", "registeredmodel", "modelversion"))
def test_add_pages_render_for_a_superuser(client, name):
    login(client, superuser())

    assert client.get(url(name, "add")).status_code == 200


@pytest.mark.django_db
def test_governance_admin_edits_the_beat_schedule(client):
    login(client, governance_admin())

    assert (
        client.get(reverse("admin:django_celery_beat_periodictask_changelist")).status_code == 200
    )
    assert client.get(reverse("admin:django_celery_beat_periodictask_add")).status_code == 200


@pytest.mark.django_db
def test_people_cannot_be_deleted_in_the_admin(client):
    person = staff("leaver", Role.ML_LEAD)
    login(client, superuser())

    response = client.get(reverse("admin:auth_user_delete", args=[person.pk]))

    assert response.status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", ("team", "registeredmodel"))
def test_object_permissions_page_renders(client, persona, name):
    obj = build(name)
    login(client, PERSONAS[persona]())

    assert client.get(url(name, "permissions", obj.pk)).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("name", VIEW_ONLY)
def test_view_only_records_cannot_be_added_or_changed_by_a_superuser(client, name):
    obj = build(name)
    login(client, superuser())

    assert client.get(url(name, "add")).status_code == 403
    assert client.post(url(name, "add"), {}).status_code == 403
    assert client.post(url(name, "change", obj.pk), {}).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "max_queries"),
    [
        # One query of each is the sidebar asking the token policy whether to list API
        # tokens (the person's global roles).
        ("team", 10),
        ("registeredmodel", 11),
        ("modelversion", 11),
        ("approvalrequest", 11),
        ("approvaldecision", 10),
        ("deployment", 11),
        ("metricobservation", 12),
        ("retirementalert", 11),
        ("auditevent", 11),
    ],
)
def test_list_page_queries_do_not_grow_with_rows(
    client, django_assert_max_num_queries, name, max_queries
):
    login(client, governance_admin())
    for _ in range(2):
        build(name)
    with django_assert_max_num_queries(max_queries) as two_rows:
        assert client.get(url(name, "changelist")).status_code == 200
    for _ in range(18):
        build(name)
    with django_assert_max_num_queries(max_queries) as twenty_rows:
        response = client.get(url(name, "changelist"))

    assert response.context["cl"].result_count == 20
    assert len(twenty_rows) == len(two_rows)


@pytest.mark.django_db
@pytest.mark.parametrize("name", GOVERNED)
def test_nothing_governed_can_be_deleted_even_by_a_superuser(client, name):
    obj = build(name)
    login(client, superuser())
    model = type(obj)

    response = client.post(url(name, "delete", obj.pk), {"post": "yes"})
    listed = client.get(url(name, "changelist"))

    assert response.status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()
    assert "delete_selected" not in listed.context["cl"].model_admin.get_actions(
        listed.wsgi_request
    )


@pytest.mark.django_db
def test_delete_selected_action_is_refused(client):
    version = build("modelversion")
    login(client, superuser())

    response = client.post(
        url("modelversion", "changelist"),
        {
            "action": "delete_selected",
            "index": 0,
            helpers.ACTION_CHECKBOX_NAME: [version.pk],
            "post": "yes",
        },
        follow=True,
    )

    assert response.status_code == 200
    assert ModelVersion.objects.filter(pk=version.pk).exists()


@pytest.mark.django_db
def test_audit_event_cannot_be_added_changed_or_deleted_by_a_superuser(client):
    event = build("auditevent")
    login(client, superuser())
    before = list(AuditEvent.objects.values_list("sequence", "hash", "details"))

    add = client.post(url("auditevent", "add"), {"event_type": "role.granted", "actor": "x"})
    change = client.post(url("auditevent", "change", event.pk), {"actor": "someone else"})
    delete = client.post(url("auditevent", "delete", event.pk), {"post": "yes"})
    page = client.get(url("auditevent", "change", event.pk))

    assert (add.status_code, change.status_code, delete.status_code) == (403, 403, 403)
    assert list(AuditEvent.objects.values_list("sequence", "hash", "details")) == before
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert page.context["has_delete_permission"] is False


@pytest.mark.django_db
@pytest.mark.parametrize("name", ("metricobservation", "approvaldecision"))
def test_metrics_and_decisions_are_read_only(client, name):
    obj = build(name)
    login(client, superuser())
    model = {"metricobservation": MetricObservation, "approvaldecision": ApprovalDecision}[name]
    before = model.objects.filter(pk=obj.pk).values().get()

    response = client.post(url(name, "change", obj.pk), {"value": "0.1", "notes": "edited"})

    assert response.status_code == 403
    assert model.objects.filter(pk=obj.pk).values().get() == before


@pytest.mark.django_db
def test_history_cannot_be_reverted(client):
    version = build("modelversion")
    entry = version.history.latest("history_date")
    login(client, superuser())

    response = client.post(url("modelversion", "simple_history", version.pk, entry.pk), {})

    assert response.status_code == 403


@pytest.mark.django_db
def test_stage_is_not_editable_on_the_version_page(client):
    version = build("modelversion")
    login(client, superuser())

    page = client.get(url("modelversion", "change", version.pk))

    assert "stage" not in page.context["adminform"].form.fields
    assert "card_hash" in page.context["adminform"].readonly_fields
    version.refresh_from_db()
    assert version.stage == Stage.DEVELOPMENT


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/admin/governance/modelversion/abc/history/",
        "/admin/governance/modelversion/1/history/abc/",
        "/admin/governance/modelversion/99999999999999999999/history/",
        "/admin/governance/team/abc/permissions/",
        "/admin/governance/team/1/permissions/user-manage/abc/",
        "/admin/governance/registeredmodel/abc/permissions/user-manage/1/",
    ],
)
def test_malformed_ids_in_urls_are_not_found(client, path):
    login(client, superuser())

    assert client.get(path).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("selected", ["abc", "1.5", "99999999999999999999"])
def test_malformed_selection_is_refused_with_a_message(client, selected):
    build("retirementalert")
    login(client, superuser())

    response = client.post(
        url("retirementalert", "changelist"),
        {"action": "acknowledge", "index": 0, helpers.ACTION_CHECKBOX_NAME: [selected]},
        follow=True,
    )

    assert response.status_code == 200
    assert "The selection sent is not valid; select rows in the list." in messages_of(response)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        {"stage": "bogus"},
        {"stage": "a\x00"},
        {"q": "a\x00b"},
        {"model__team__id__exact": "x"},
        {"created_at__year": "\x00"},
    ],
)
def test_bad_list_filter_or_search_does_not_fail(client, query):
    build("modelversion")
    login(client, superuser())

    response = client.get(url("modelversion", "changelist"), query)

    assert response.status_code in (200, 302)  # Django redirects to ?e=1 on a bad lookup


@pytest.mark.django_db
def test_autocomplete_ignores_nul_bytes(client):
    build("registeredmodel")
    login(client, superuser())
    query = {
        "term": "a\x00",
        "app_label": "governance",
        "model_name": "registeredmodel",
        "field_name": "owner",
    }

    assert client.get(reverse("admin:autocomplete"), query).status_code == 200
