"""Sign in, sign out, password change, and login throttling: 5 failures for a username or 20
from an address lock sign-in for 15 minutes, with the same answers for real and unknown
usernames (the admin portal's login included)."""

import datetime
import re
from unittest import mock

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.utils import timezone

from governance.login_throttle import client_ip
from tests.factories import UserFactory

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
PASSWORD = "tutela-test"  # UserFactory's
WRONG_MESSAGE = "Please enter a correct username and password"
LOCKED_HEADING = "Sign-in is locked for 15 minutes"
CSRF = re.compile(rb'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+')


def sign_in(
    client: Client, username: str, password: str, address: str = "127.0.0.1", url: str = LOGIN
) -> HttpResponse:
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address)


def fail(
    client: Client, username: str, times: int, address: str = "127.0.0.1", url: str = LOGIN
) -> list[HttpResponse]:
    return [sign_in(client, username, "wrong-password", address, url) for _ in range(times)]


def without_csrf(content: bytes) -> bytes:
    return CSRF.sub(rb"\1<token>", content)


def is_signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


# --- sign in ------------------------------------------------------------------------


@pytest.mark.django_db
def test_login_page_has_labelled_fields_and_csrf(client):
    response = client.get(LOGIN)

    assert response.status_code == 200
    page = response.content.decode()
    assert '<label for="id_username">Username</label>' in page
    assert '<label for="id_password">Password</label>' in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert "Sign out" not in page  # no header controls for anonymous visitors


@pytest.mark.django_db
def test_login_redirects_to_the_dashboard(client, personas):
    response = sign_in(client, "lead", PASSWORD)

    assert response.status_code == 302
    assert response.url == "/"
    assert is_signed_in(client)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("next_url", "target"),
    [
        ("/models/customer-churn-predictor/", "/models/customer-churn-predictor/"),
        ("https://evil.example/", "/"),  # never off-site
    ],
)
def test_login_follows_only_local_next(client, personas, next_url, target):
    response = client.post(
        f"{LOGIN}?next={next_url}", {"username": "lead", "password": PASSWORD, "next": next_url}
    )

    assert response.status_code == 302
    assert response.url == target


@pytest.mark.django_db
def test_login_page_carries_next_through_the_form(client):
    response = client.get(f"{LOGIN}?next=/reviews/")

    assert '<input type="hidden" name="next" value="/reviews/">' in response.content.decode()


@pytest.mark.django_db
def test_wrong_password_and_unknown_username_get_the_same_page(client, personas):
    real = sign_in(client, "lead", "wrong-password")
    unknown = sign_in(client, "nobody", "wrong-password")

    assert real.status_code == unknown.status_code == 200
    assert WRONG_MESSAGE in real.content.decode()
    # The form echoes the typed username; apart from it and the CSRF token, the pages agree.
    assert without_csrf(real.content).replace(b"lead", b"<name>") == without_csrf(
        unknown.content
    ).replace(b"nobody", b"<name>")
    assert not is_signed_in(client)


@pytest.mark.django_db
def test_inactive_account_gets_the_wrong_password_message(client):
    UserFactory(username="gone", is_active=False)

    response = sign_in(client, "gone", PASSWORD)

    assert response.status_code == 200
    assert WRONG_MESSAGE in response.content.decode()
    assert not is_signed_in(client)


# --- sign out -----------------------------------------------------------------------


@pytest.mark.django_db
def test_header_shows_the_user_their_roles_and_a_sign_out_form(client, personas):
    client.force_login(personas["lead"])

    page = client.get("/accounts/password_change/").content.decode()

    assert '<span class="who-name">lead</span>' in page
    assert "ml_lead" in page
    assert re.search(r'<form method="post" action="/accounts/logout/"[^>]*>\s*<input', page)
    assert ">Sign out</button>" in page


@pytest.mark.django_db
def test_logout_by_get_is_not_allowed(client, personas):
    client.force_login(personas["lead"])

    response = client.get("/accounts/logout/")

    assert response.status_code == 405
    assert is_signed_in(client)


@pytest.mark.django_db
def test_logout_by_post_signs_out_and_returns_to_login(client, personas):
    client.force_login(personas["lead"])

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert response.url == LOGIN
    assert not is_signed_in(client)


@pytest.mark.django_db
def test_logout_needs_the_csrf_token(personas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas["lead"])

    response = client.post("/accounts/logout/")

    assert response.status_code == 403
    assert is_signed_in(client)


# --- password change ----------------------------------------------------------------


@pytest.mark.django_db
def test_password_change_needs_sign_in(client):
    response = client.get("/accounts/password_change/")

    assert response.status_code == 302
    assert response.url == f"{LOGIN}?next=/accounts/password_change/"


@pytest.mark.django_db
def test_password_change_form_labels_every_field(client, personas):
    client.force_login(personas["lead"])

    page = client.get("/accounts/password_change/").content.decode()

    for field, label in [
        ("id_old_password", "Old password"),
        ("id_new_password1", "New password"),
        ("id_new_password2", "New password confirmation"),
    ]:
        assert f'<label for="{field}">{label}</label>' in page


@pytest.mark.django_db
def test_password_change_works_and_keeps_the_session(client, personas):
    client.force_login(personas["lead"])
    new = "quiet-harbour-lantern-42"

    response = client.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )

    assert response.status_code == 302
    assert response.url == "/accounts/password_change/done/"
    assert is_signed_in(client)  # the session survives its own password change
    assert "Your new password is in use" in client.get(response.url).content.decode()
    user = get_user_model().objects.get(username="lead")
    assert user.check_password(new)
    assert not user.check_password(PASSWORD)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("old", "new1", "new2", "error"),
    [
        ("not-my-password", "quiet-harbour-lantern-42", "quiet-harbour-lantern-42", "incorrectly"),
        (PASSWORD, "quiet-harbour-lantern-42", "another-harbour-lantern", "didn’t match"),
        (PASSWORD, "password", "password", "too common"),
    ],
)
def test_password_change_refusals_show_the_reason_and_change_nothing(
    client, personas, old, new1, new2, error
):
    client.force_login(personas["lead"])

    response = client.post(
        "/accounts/password_change/",
        {"old_password": old, "new_password1": new1, "new_password2": new2},
    )

    assert response.status_code == 200
    assert error in response.content.decode()
    assert get_user_model().objects.get(username="lead").check_password(PASSWORD)


# --- throttling: usernames ----------------------------------------------------------


@pytest.mark.django_db
def test_five_failures_lock_the_username_even_from_another_address(client, personas):
    first_four = fail(client, "lead", 4)
    fifth = sign_in(client, "lead", "wrong-password")

    assert [r.status_code for r in first_four] == [200, 200, 200, 200]
    assert fifth.status_code == 429
    assert LOCKED_HEADING in fifth.content.decode()
    assert fifth["Retry-After"] == "900"
    # The right password is refused now, from this address and from any other.
    for address in ("127.0.0.1", "198.51.100.9"):
        response = sign_in(client, "lead", PASSWORD, address)
        assert response.status_code == 429
        assert LOCKED_HEADING in response.content.decode()
    assert not is_signed_in(client)


@pytest.mark.django_db
def test_a_locked_username_does_not_lock_other_people_on_the_same_address(client, personas):
    fail(client, "lead", 5)

    assert sign_in(client, "engineer", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_a_success_resets_the_username_count(client, personas):
    fail(client, "lead", 4)
    assert sign_in(client, "lead", PASSWORD).status_code == 302
    client.logout()

    again = fail(client, "lead", 5)

    assert [r.status_code for r in again] == [200, 200, 200, 200, 429]


# --- throttling: addresses ----------------------------------------------------------


@pytest.mark.django_db
def test_twenty_failures_from_an_address_lock_that_address(client, personas):
    address = "203.0.113.7"
    # Ten usernames, two failures each: no username comes near its own limit.
    responses = [r for n in range(10) for r in fail(client, f"guess{n}", 2, address)]

    assert [r.status_code for r in responses] == [200] * 19 + [429]
    assert LOCKED_HEADING in responses[-1].content.decode()
    assert sign_in(client, "engineer", PASSWORD, address).status_code == 429
    assert sign_in(client, "engineer", PASSWORD, "203.0.113.8").status_code == 302


@pytest.mark.django_db
def test_nineteen_failures_from_an_address_do_not_lock_it(client, personas):
    address = "203.0.113.7"
    for n in range(19):
        fail(client, f"guess{n}", 1, address)

    assert sign_in(client, "engineer", PASSWORD, address).status_code == 302


@pytest.mark.django_db
def test_a_success_does_not_reset_the_address_count(client, personas):
    address = "203.0.113.7"
    for n in range(19):
        fail(client, f"guess{n}", 1, address)
    assert sign_in(client, "engineer", PASSWORD, address).status_code == 302
    client.logout()

    # Signing in to one valid account must not buy an address more guesses elsewhere.
    assert sign_in(client, "guess-again", "wrong-password", address).status_code == 429


def test_client_address_is_remote_addr_without_trusted_proxies():
    request = RequestFactory().post(
        LOGIN, REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="198.51.100.1"
    )

    assert client_ip(request) == "192.0.2.1"  # a client-sent header counts for nothing


@pytest.mark.parametrize(
    ("proxies", "forwarded", "address"),
    [
        (1, "198.51.100.1", "198.51.100.1"),
        (1, "203.0.113.66, 198.51.100.1", "198.51.100.1"),  # left entry forged by the client
        (2, "203.0.113.66, 198.51.100.1, 192.0.2.50", "198.51.100.1"),
        (2, "198.51.100.1", "192.0.2.1"),  # fewer hops than proxies: not via them
    ],
)
def test_client_address_behind_trusted_proxies(proxies, forwarded, address):
    request = RequestFactory().post(LOGIN, REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=forwarded)

    with override_settings(TUTELA_TRUSTED_PROXY_COUNT=proxies):
        assert client_ip(request) == address


@pytest.mark.django_db
@override_settings(TUTELA_TRUSTED_PROXY_COUNT=1)
def test_behind_a_proxy_each_client_address_has_its_own_count(client, personas):
    def via_proxy(username: str, password: str, forwarded: str) -> HttpResponse:
        return client.post(
            LOGIN,
            {"username": username, "password": password},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=forwarded,
        )

    for n in range(20):
        via_proxy(f"guess{n}", "wrong-password", "198.51.100.1")

    assert via_proxy("engineer", PASSWORD, "198.51.100.1").status_code == 429
    assert via_proxy("engineer", PASSWORD, "198.51.100.2").status_code == 302


# --- throttling: what people see ----------------------------------------------------


@pytest.mark.django_db
def test_real_and_unknown_usernames_get_byte_identical_answers(client):
    """The same username, before and after its account exists, gets the same bytes at every
    step up to and after the lockout (CSRF tokens aside)."""

    def attempts() -> list[bytes]:
        AccessAttempt.objects.all().delete()
        responses = [*fail(client, "casey", 5), sign_in(client, "casey", PASSWORD)]
        return [
            b"%d %s\n%s" % (r.status_code, r.get("Retry-After", "").encode(), r.content)
            for r in responses
        ]

    unknown = attempts()
    UserFactory(username="casey")
    real = attempts()

    assert [without_csrf(page) for page in real] == [without_csrf(page) for page in unknown]
    assert not is_signed_in(client)


@pytest.mark.django_db
def test_the_lockout_page_names_no_username(client, personas):
    fail(client, "lead", 5)
    fail(client, "nobody-here", 5, address="198.51.100.9")

    real = sign_in(client, "lead", PASSWORD)
    unknown = sign_in(client, "nobody-here", PASSWORD, "198.51.100.9")

    assert real.status_code == unknown.status_code == 429
    assert without_csrf(real.content) == without_csrf(unknown.content)
    assert b"lead" not in real.content


@pytest.mark.django_db
def test_the_lock_ends_fifteen_minutes_after_the_failure_that_set_it(client, personas):
    start = timezone.now()

    def at(minutes: float) -> mock._patch:
        return mock.patch(
            "axes.handlers.proxy.now", return_value=start + datetime.timedelta(minutes=minutes)
        )

    with at(0):
        fail(client, "lead", 5)
    # Attempts during the lock are refused and do not extend it.
    with at(14):
        assert sign_in(client, "lead", PASSWORD).status_code == 429
    with at(15):
        assert sign_in(client, "lead", PASSWORD).status_code == 429
    with at(15.1):
        assert sign_in(client, "lead", PASSWORD).status_code == 302


# --- the admin portal's login -------------------------------------------------------


@pytest.mark.django_db
def test_admin_login_is_throttled_the_same_way(client, personas):
    responses = fail(client, "superuser", 5, url=ADMIN_LOGIN)

    assert [r.status_code for r in responses] == [200, 200, 200, 200, 429]
    assert LOCKED_HEADING in responses[-1].content.decode()
    assert sign_in(client, "superuser", PASSWORD, url=ADMIN_LOGIN).status_code == 429
    assert sign_in(client, "superuser", PASSWORD).status_code == 429


@pytest.mark.django_db
def test_failures_on_both_login_pages_add_up(client, personas):
    fail(client, "superuser", 3)
    fail(client, "superuser", 1, url=ADMIN_LOGIN)

    assert sign_in(client, "superuser", "wrong-password", url=ADMIN_LOGIN).status_code == 429
