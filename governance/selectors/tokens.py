"""API tokens as their owner sees them on /tokens/."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Case, CharField, QuerySet, Value, When
from django.utils import timezone

from governance.models import ApiToken


def api_tokens_of(*, user: AbstractBaseUser) -> QuerySet[ApiToken]:
    """Tokens are personal: only ever the person's own, each with its status (active, expired,
    revoked)."""
    now = timezone.now()
    return ApiToken.objects.filter(user=user).annotate(
        status=Case(
            When(revoked_at__isnull=False, then=Value("revoked")),
            When(expires_at__lte=now, then=Value("expired")),
            default=Value("active"),
            output_field=CharField(),
        )
    )
