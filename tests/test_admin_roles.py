"""Roles change only through role_grant / role_revoke: the User admin's actions and guardian's
object-permission pages call them (audited); groups and permissions are never edited directly."""

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.db.models import Model
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from guardian.models import GroupObjectPermission, UserObjectPermission

from governance.admin.object_roles import GROUPS_REFUSED
from governance.models import AuditEvent, AuditEventType, Role
from governance.roles import forget_cached_roles, roles_on_model, roles_on_team
from tests.admin_support import (
    events,
    governance_admin,
    login,
    messages_of,
    superuser,
)
from tests.factories import UserFactory, grant

USERS = "admin:auth_user_changelist"


def _user_action(client: Client, action: str, users: list[User], **data: object) -> HttpResponse:
    """Submit the confirmation page of a User admin action."""
    payload = {"action": action, "_selected_action": [user.pk for user in users], **data}
    return client.post(reverse(USERS), {**payload, "_confirm": "yes"}, follow=True)


def _user_form(user: User, **overrides: object) -> dict:
    return {
        "username": user.username,
        "email": user.email,
        "is_active": "on",
        "is_staff": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "10:00:00",
        **overrides,
    }


def _manage_user_url(name: str, obj: Model, user: User) -> str:
    return reverse(f"admin:governance_{name}_permissions_manage_user", args=[obj.pk, user.pk])


@pytest.fixture
def alice(db):
    return UserFactory(username="alice")


@pytest.mark.django_db
def test_governance_admin_grants_a_team_role_from_the_user_list(client, alice, team):
    admin_user = governance_admin()
    login(client, admin_user)

    response = _user_action(
        client, "grant_role", [alice], role=Role.ML_LEAD, team=team.pk, model=""
    )

    assert "Role granted (1)." in messages_of(response)
    assert Role.ML_LEAD in roles_on_team(alice, team)
    [event] = events(AuditEventType.ROLE_GRANTED)
    assert (event.actor_user, event.details_data) == (
        admin_user,
        {"user": "alice", "role": "ml_lead", "scope": "team:fraud"},
    )


@pytest.mark.django_db
def test_global_role_grant_adds_the_group_and_is_audited(client, alice):
    login(client, governance_admin())

    _user_action(client, "grant_role", [alice], role=Role.RISK_OFFICER, team="", model="")

    assert alice.groups.filter(name=Role.RISK_OFFICER).exists()
    [event] = events(AuditEventType.ROLE_GRANTED)
    assert event.details_data["scope"] == "global"


@pytest.mark.django_db
def test_revoke_role_action_is_audited(client, alice, model):
    grant(alice, Role.ML_ENGINEER, model)
    login(client, governance_admin())

    response = _user_action(
        client, "revoke_role", [alice], role=Role.ML_ENGINEER, team="", model=model.pk
    )

    assert "Role revoked (1)." in messages_of(response)
    forget_cached_roles(alice)
    assert Role.ML_ENGINEER not in roles_on_model(alice, model)
    [event] = events(AuditEventType.ROLE_REVOKED)
    assert (event.model, event.details_data["scope"]) == (model, "model:customer-churn-predictor")


@pytest.mark.django_db
def test_staff_without_the_role_cannot_grant_roles(client, alice, team):
    clerk = UserFactory(username="clerk", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_user"))
    login(client, clerk)

    response = _user_action(
        client, "grant_role", [alice], role=Role.ML_LEAD, team=team.pk, model=""
    )

    assert any("To grant or revoke roles you need" in m for m in messages_of(response))
    assert not UserObjectPermission.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_grant_for_a_team_and_a_model_at_once_is_refused(client, alice, team, model):
    login(client, governance_admin())

    response = _user_action(
        client, "grant_role", [alice], role=Role.ML_LEAD, team=team.pk, model=model.pk
    )

    assert any(
        "Grant a role for one team or one model, not both." in m for m in messages_of(response)
    )
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["superuser", "governance_admin"])
def test_groups_cannot_be_edited_on_the_user_page(client, alice, persona):
    login(client, superuser() if persona == "superuser" else governance_admin())
    risk_group = Group.objects.get(name=Role.RISK_OFFICER)
    change_url = reverse("admin:auth_user_change", args=[alice.pk])

    page = client.get(change_url)
    response = client.post(change_url, _user_form(alice, groups=[risk_group.pk]))

    assert response.status_code == 302
    assert "groups" not in page.context["adminform"].form.fields
    assert "user_permissions" not in page.context["adminform"].form.fields
    assert not alice.groups.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_governance_admin_cannot_make_anyone_superuser(client, alice):
    login(client, governance_admin())

    client.post(
        reverse("admin:auth_user_change", args=[alice.pk]), _user_form(alice, is_superuser="on")
    )

    alice.refresh_from_db()
    assert not alice.is_superuser


@pytest.mark.django_db
def test_user_page_lists_the_roles_held(client, alice, team):
    grant(alice, Role.LEGAL)
    grant(alice, Role.ML_LEAD, team)
    login(client, governance_admin())

    page = client.get(reverse("admin:auth_user_change", args=[alice.pk]))

    assert "legal (everything); ml_lead on team Fraud" in page.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("scope", ["team", "model"])
def test_object_permissions_page_grants_and_revokes_through_the_services(
    client, alice, request, scope
):
    obj = request.getfixturevalue(scope)
    name = {"team": "team", "model": "registeredmodel"}[scope]
    login(client, governance_admin())

    granted = client.post(
        _manage_user_url(name, obj, alice), {"permissions": ["act_as_ml_lead"]}, follow=True
    )
    # A browser sends only the CSRF token when no role is selected any more.
    emptied = {"csrfmiddlewaretoken": "token"}
    revoked = client.post(_manage_user_url(name, obj, alice), emptied, follow=True)

    assert granted.status_code == revoked.status_code == 200
    expected_scope = "team:fraud" if scope == "team" else "model:customer-churn-predictor"
    [grant_event] = events(AuditEventType.ROLE_GRANTED)
    [revoke_event] = events(AuditEventType.ROLE_REVOKED)
    assert grant_event.details_data == {"user": "alice", "role": "ml_lead", "scope": expected_scope}
    assert revoke_event.details_data["scope"] == expected_scope
    assert not UserObjectPermission.objects.filter(user=alice).exists()


@pytest.mark.django_db
def test_object_permissions_page_refuses_without_the_role_manager_role(client, alice, team):
    clerk = UserFactory(username="clerk", is_staff=True)
    clerk.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_team", "change_team"])
    )
    login(client, clerk)

    response = client.post(
        _manage_user_url("team", team, alice), {"permissions": ["act_as_legal"]}, follow=True
    )

    assert response.status_code == 200
    assert any("To grant or revoke roles you need" in m for m in messages_of(response))
    assert not UserObjectPermission.objects.filter(user=alice).exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_object_permissions_page_offers_only_roles(client, alice, team):
    login(client, governance_admin())

    response = client.post(_manage_user_url("team", team, alice), {"permissions": ["change_team"]})

    assert response.status_code == 200
    assert "permissions" in response.context["form"].errors
    assert not UserObjectPermission.objects.filter(user=alice).exists()


@pytest.mark.django_db
def test_group_object_permissions_are_refused(client, team):
    group = Group.objects.get(name=Role.ML_LEAD)
    login(client, superuser())
    manage = reverse("admin:governance_team_permissions_manage_group", args=[team.pk, group.pk])

    response = client.post(manage, {"permissions": ["act_as_ml_lead"]}, follow=True)

    assert response.redirect_chain[-1][0] == reverse(
        "admin:governance_team_permissions", args=[team.pk]
    )
    assert GROUPS_REFUSED in messages_of(response)
    assert not GroupObjectPermission.objects.exists()


@pytest.mark.django_db
def test_role_groups_keep_their_names_and_cannot_be_deleted(client):
    group = Group.objects.get(name=Role.ML_LEAD)
    login(client, superuser())

    client.post(reverse("admin:auth_group_change", args=[group.pk]), {"name": "renamed"})
    deleted = client.post(reverse("admin:auth_group_delete", args=[group.pk]), {"post": "yes"})

    group.refresh_from_db()
    assert group.name == "ml_lead"
    assert deleted.status_code == 403


@pytest.mark.django_db
def test_other_groups_can_still_be_deleted(client):
    group = Group.objects.create(name="newsletter")
    login(client, superuser())

    response = client.post(reverse("admin:auth_group_delete", args=[group.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert not Group.objects.filter(name="newsletter").exists()


@pytest.mark.django_db
def test_a_governance_admin_cannot_set_other_peoples_passwords(client, alice):
    login(client, governance_admin())
    url = reverse("admin:auth_user_password_change", args=[alice.pk])

    refused = client.post(url, {"password1": "N3w-secret-pass", "password2": "N3w-secret-pass"})

    alice.refresh_from_db()
    assert refused.status_code == 403
    assert alice.check_password("tutela-test")


@pytest.mark.django_db
def test_a_governance_admin_cannot_deactivate_people(client, alice):
    login(client, governance_admin())

    client.post(reverse("admin:auth_user_change", args=[alice.pk]), _user_form(alice, is_active=""))

    alice.refresh_from_db()
    assert alice.is_active
