"""Pages run under the strict CSP in a real browser: signing in, and the Django admin (index,
change pages with their widgets) report no CSP violation."""

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from governance.models import Role
from tests.browser.support import sign_in
from tests.factories import ModelVersionFactory, TeamFactory, UserFactory, grant

pytestmark = pytest.mark.browser


def test_sign_in_lands_on_the_dashboard_url(page: Page, live_server: LiveServer, csp_violations):
    UserFactory(username="lead")

    sign_in(page, "lead")

    assert page.url == f"{live_server.url}/"
    assert csp_violations == []


def test_wrong_password_shows_the_message(page: Page, live_server: LiveServer, csp_violations):
    UserFactory(username="lead")
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("lead")
    page.get_by_label("Password").fill("not-it")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("alert")).to_contain_text("Please enter a correct username")
    assert csp_violations == []


def test_admin_pages_work_under_the_csp(page: Page, live_server: LiveServer, csp_violations):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    team = TeamFactory(slug="fraud")
    member = UserFactory(username="member")
    grant(member, Role.ML_LEAD, team)
    version = ModelVersionFactory(model__team=team, complete=True)

    sign_in(page, "root", "/admin/login/?next=/admin/", button="Log in")
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    # Change pages with date, select-filter and related-object widgets, lists with filters,
    # and the object-roles page (guardian's, with Tutela's template).
    for path in (
        "/admin/auth/user/",
        f"/admin/auth/user/{member.pk}/change/",
        f"/admin/auth/user/{admin.pk}/change/",
        f"/admin/governance/team/{team.pk}/change/",
        f"/admin/governance/team/{team.pk}/permissions/",
        "/admin/governance/registeredmodel/",
        f"/admin/governance/registeredmodel/{version.model.pk}/change/",
        f"/admin/governance/modelversion/{version.pk}/change/",
    ):
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        page.wait_for_load_state("networkidle")
        expect(page.locator("#content")).to_be_visible()

    assert csp_violations == []
