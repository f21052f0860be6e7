"""The API token admin: superusers and global governance admins list everybody's tokens,
issue one for someone (its secret shown once) and revoke selected ones through the token
services; nobody adds, edits or deletes rows, and other staff do not get in."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from governance.models import ApiToken, AuditEventType, Role
from governance.services.api_tokens import api_token_create, api_token_revoke
from tests.admin_support import (
    governance_admin,
    login,
    messages_of,
    post_action,
    staff,
    superuser,
    url,
)
from tests.db_state import audit_mark, new_events, nothing_written
from tests.factories import RegisteredModelFactory, TeamFactory, UserFactory, grant

ISSUE = "/admin/governance/apitoken/issue/"
SECRET = re.compile(r'id="token-secret" size="60" value="(tut_[^"]+)"')
PERSONAS = {
    "superuser": superuser,
    "governance_admin": governance_admin,
    "team_admin": lambda: _team_admin(),
    "staff_engineer": lambda: staff("eng", Role.ML_ENGINEER),
    "not_staff": lambda: UserFactory(username="plain"),
}


def _team_admin():  # noqa: ANN202
    person = staff("team-admin")
    grant(person, Role.GOVERNANCE_ADMIN, TeamFactory(slug="fraud"))
    return person


def make_token(username: str, name: str = "pipeline") -> tuple[ApiToken, str]:
    person = UserFactory(username=username)
    return api_token_create(actor=person, user_id=person.pk, name=name)


def api_status(secret: str) -> int:
    return (
        Client().get("/api/v1/models/", headers={"Authorization": f"Bearer {secret}"}).status_code
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("superuser", 200),
        ("governance_admin", 200),
        ("team_admin", 403),  # other people's tokens: global governance admins only
        ("staff_engineer", 403),
        ("not_staff", 302),  # to the admin's sign-in
    ],
)
@pytest.mark.parametrize("admin_page", ["changelist", "change", "issue"])
def test_token_admin_permissions(client, persona, status, admin_page):
    token, _ = make_token("owner")
    login(client, PERSONAS[persona]())
    path = {
        "changelist": url("apitoken", "changelist"),
        "change": url("apitoken", "change", token.pk),
    }

    assert client.get(path.get(admin_page, ISSUE)).status_code == status


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "listed"), [("governance_admin", True), ("staff_engineer", False)]
)
def test_admin_index_lists_tokens_only_for_token_managers(client, persona, listed):
    login(client, PERSONAS[persona]())

    page = client.get(reverse("admin:index")).content.decode()

    assert ("/admin/governance/apitoken/" in page) is listed


@pytest.mark.django_db
def test_list_shows_owner_name_hint_and_dates_but_never_the_digest(client):
    token, _ = make_token("owner", "nightly training")
    login(client, governance_admin())

    listed = client.get(url("apitoken", "changelist")).content.decode()
    detail = client.get(url("apitoken", "change", token.pk)).content.decode()

    for page in (listed, detail):
        assert "nightly training" in page and "owner" in page and f"{token.hint}…" in page
        assert token.digest not in page


@pytest.mark.django_db
def test_list_is_searchable_by_username_and_filterable_by_status(client):
    kept, _ = make_token("alice", "alice pipeline")
    revoked, _ = make_token("bob", "bob monitor")
    api_token_revoke(actor=revoked.user, token_id=revoked.pk)
    login(client, governance_admin())

    searched = client.get(url("apitoken", "changelist"), {"q": "alice"})
    revoked_only = client.get(url("apitoken", "changelist"), {"status": "revoked"})
    active_only = client.get(url("apitoken", "changelist"), {"status": "active"})

    assert list(searched.context["cl"].result_list) == [kept]
    assert list(revoked_only.context["cl"].result_list) == [revoked]
    assert list(active_only.context["cl"].result_list) == [kept]


@pytest.mark.django_db
def test_expired_filter_finds_tokens_past_their_expiry(client):
    token, _ = make_token("owner")
    now = timezone.now()
    ApiToken.objects.filter(pk=token.pk).update(
        created_at=now - timedelta(days=2), expires_at=now - timedelta(days=1)
    )
    make_token("other")
    login(client, governance_admin())

    response = client.get(url("apitoken", "changelist"), {"status": "expired"})

    assert list(response.context["cl"].result_list) == [token]


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [2, 20])
def test_token_list_keeps_a_fixed_number_of_queries(client, django_assert_max_num_queries, rows):
    for number in range(rows):
        make_token(f"person{number}")
    login(client, governance_admin())

    with django_assert_max_num_queries(10):
        response = client.get(url("apitoken", "changelist"))

    assert response.context["cl"].result_count == rows


@pytest.mark.django_db
def test_governance_admin_issues_a_token_for_someone_and_sees_it_once(client, personas):
    admin = governance_admin()
    login(client, admin)
    mark = audit_mark()

    response = client.post(ISSUE, {"user": "engineer", "name": "ci", "expires_in": "30"})

    assert response.status_code == 200
    page = response.content.decode()
    secret = SECRET.search(page)[1]
    assert "Copy it now: it will not be shown again." in page
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get()
    assert (token.user, token.name) == (personas["engineer"], "ci")
    assert secret not in client.get(url("apitoken", "change", token.pk)).content.decode()
    [(event_type, actor, *_, details)] = new_events(mark)
    assert (event_type, actor, details["user"]) == (
        AuditEventType.API_TOKEN_CREATED,
        "govadmin",
        "engineer",
    )
    assert api_status(secret) == 200


@pytest.mark.django_db
def test_issued_token_acts_as_its_user(client, personas, model, other_team):
    RegisteredModelFactory(name="campaign-uplift", team=other_team)
    login(client, superuser())
    response = client.post(ISSUE, {"user": "engineer", "name": "ci", "expires_in": "never"})
    secret = SECRET.search(response.content.decode())[1]

    answer = Client().get("/api/v1/models/", headers={"Authorization": f"Bearer {secret}"})

    assert [row["name"] for row in answer.json()["results"]] == [model.name]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"user": "nobody", "name": "ci", "expires_in": "90"}, "user", "No user has this"),
        ({"user": "leaver", "name": "ci", "expires_in": "90"}, "user", "Choose an active user"),
        ({"user": "leaver2", "name": "", "expires_in": "90"}, "name", "This field is required"),
        ({"user": "leaver2", "name": "ci", "expires_in": "1"}, "expires_in", "Select a valid"),
        ({"user": "nul\x00", "name": "ci", "expires_in": "90"}, "user", "Null characters"),
    ],
)
def test_issuing_with_bad_input_shows_the_error_and_writes_nothing(client, data, field, message):
    UserFactory(username="leaver", is_active=False)
    UserFactory(username="leaver2")
    login(client, governance_admin())

    with nothing_written():
        response = client.post(ISSUE, data)

    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert "tut_" not in response.content.decode()


@pytest.mark.django_db
def test_revoke_selected_tokens_revokes_each_with_an_audit_event(client):
    first, first_secret = make_token("alice")
    second, second_secret = make_token("bob")
    login(client, governance_admin())
    mark = audit_mark()

    response = post_action(client, "apitoken", "revoke_tokens", [first, second])

    assert messages_of(response) == ["Revoked (2)."]
    assert ApiToken.objects.filter(revoked_at__isnull=True).count() == 0
    assert [(event_type, actor) for event_type, actor, *_ in new_events(mark)] == [
        (AuditEventType.API_TOKEN_REVOKED, "govadmin"),
        (AuditEventType.API_TOKEN_REVOKED, "govadmin"),
    ]
    assert (api_status(first_secret), api_status(second_secret)) == (401, 401)


@pytest.mark.django_db
def test_revoking_an_already_revoked_token_revokes_none_of_the_selection(client):
    active, secret = make_token("alice")
    revoked, _ = make_token("bob")
    api_token_revoke(actor=revoked.user, token_id=revoked.pk)
    login(client, governance_admin())

    with nothing_written():
        response = post_action(client, "apitoken", "revoke_tokens", [active, revoked])

    [message] = messages_of(response)
    assert "was already revoked" in message and "Nothing was changed." in message
    assert api_status(secret) == 200


@pytest.mark.django_db
def test_staff_without_the_role_cannot_run_the_revoke_action(client):
    token, secret = make_token("alice")
    login(client, staff("eng", Role.ML_ENGINEER))

    with nothing_written():
        response = post_action(client, "apitoken", "revoke_tokens", [token])

    assert response.status_code == 403
    assert api_status(secret) == 200


@pytest.mark.django_db
def test_rows_cannot_be_added_changed_or_deleted_even_by_a_superuser(client):
    token, _ = make_token("alice", "original")
    login(client, superuser())

    with nothing_written():
        add = client.post(url("apitoken", "add"), {"user": token.user_id, "name": "x"})
        change = client.post(url("apitoken", "change", token.pk), {"name": "renamed"})
        delete = client.post(url("apitoken", "delete", token.pk), {"post": "yes"})
    listed = client.get(url("apitoken", "changelist"))

    assert (add.status_code, change.status_code, delete.status_code) == (403, 403, 403)
    actions = listed.context["cl"].model_admin.get_actions(listed.wsgi_request)
    assert set(actions) == {"revoke_tokens"}
