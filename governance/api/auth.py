"""Personal API tokens in the Authorization header: `Bearer <token>` or `Token <token>`."""

from datetime import UTC, datetime, timedelta
from functools import cache

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from governance.models import ApiToken
from governance.models.api_tokens import token_digest

# last_used_at is bookkeeping, not governance: written at most once a minute per token so
# a pipeline's burst of calls does not turn every read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keywords = ("bearer", "token")

    def authenticate(self, request: Request) -> tuple | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower().decode(errors="replace") not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "Send the token as 'Authorization: Bearer <token>'."
            )
        try:
            secret = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed("The token is not valid.") from None
        token = _live_token(token_digest(secret))
        now = timezone.now()
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed("The token is not valid or was revoked.")
        if token.expires_at is not None and token.expires_at <= now:
            raise exceptions.AuthenticationFailed("The token has expired.")
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        request.api_token = token
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


@cache
def _token_sql() -> str:
    user, token = get_user_model()._meta.db_table, ApiToken._meta.db_table
    quote = connection.ops.quote_name
    return (
        f"SELECT u.*, t.id AS token_id, t.expires_at AS token_expires_at, "
        f"t.last_used_at AS token_last_used_at FROM {quote(user)} u "
        f"JOIN {quote(token)} t ON t.user_id = u.id "
        "WHERE t.digest = %s AND t.revoked_at IS NULL"
    )


def _live_token(digest: str) -> ApiToken | None:
    """The unrevoked token with this digest and its user, in one plain query: every API call
    makes it, and compiling the equivalent queryset cost more than running it."""
    user = next(iter(get_user_model().objects.raw(_token_sql(), [digest])), None)
    if user is None:
        return None
    return ApiToken(
        pk=user.token_id,
        user=user,
        digest=digest,
        expires_at=_moment(user.token_expires_at),
        last_used_at=_moment(user.token_last_used_at),
    )


def _moment(value: datetime | str | None) -> datetime | None:
    """A token's moment as the ORM would give it: the raw query's extra columns skip the
    model fields' converters, and SQLite returns them as naive UTC text."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """Describes the token header in the OpenAPI schema."""

    target_class = BearerTokenAuthentication
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: object) -> dict:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token (create one under Your API tokens).",
        }
