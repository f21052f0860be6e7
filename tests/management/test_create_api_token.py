"""create_api_token: prints a working token (and only the token) on stdout, records who issued
it in the audit trail, and refuses unknown or inactive people with a clear message."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from governance.models import ApiToken, AuditEventType
from governance.models.api_tokens import token_digest
from tests.db_state import audit_mark, new_events, nothing_written
from tests.factories import UserFactory


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("create_api_token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_prints_only_a_token_that_works_against_the_api(personas, model):
    out, err = run("engineer", "--name", "nightly training")

    secret = out.strip()
    assert out == f"{secret}\n" and secret.startswith("tut_")
    token = ApiToken.objects.get(digest=token_digest(secret))
    assert (token.user, token.name, token.expires_at) == (
        personas["engineer"],
        "nightly training",
        None,
    )
    assert secret not in err and token.hint in err and "engineer" in err
    answer = Client().get("/api/v1/models/", headers={"Authorization": f"Bearer {secret}"})
    assert [row["name"] for row in answer.json()["results"]] == [model.name]


@pytest.mark.django_db
def test_the_audit_trail_records_the_command_as_the_issuer(personas):
    mark = audit_mark()

    run("lead")

    [(event_type, actor, *_, details)] = new_events(mark)
    assert (event_type, actor) == (AuditEventType.API_TOKEN_CREATED, "system:cli")
    assert (details["user"], details["name"]) == ("lead", "command line")


@pytest.mark.django_db
def test_expires_days_sets_the_expiry(personas):
    out, _ = run("lead", "--expires-days", "30")

    token = ApiToken.objects.get(digest=token_digest(out.strip()))
    assert abs(token.expires_at - (timezone.now() + timedelta(days=30))) < timedelta(minutes=1)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("nobody",), "No user named 'nobody'."),
        (("leaver",), "No token created for 'leaver': user: Choose an active user."),
        (("lead", "--expires-days", "0"), "--expires-days must be at least 1."),
        (("lead", "--name", ""), "No token created for 'lead': name: This field cannot be blank."),
        (("lead", "--name", "x" * 101), "No token created for 'lead': name: Ensure this value"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(personas, args, message):
    UserFactory(username="leaver", is_active=False)

    with nothing_written(), pytest.raises(CommandError) as refused:
        run(*args)

    assert str(refused.value).startswith(message)
