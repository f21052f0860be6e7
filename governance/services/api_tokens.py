"""Personal API tokens: created and revoked by their user (or an admin), audited."""

import secrets
from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from governance import audit, policies
from governance.actors import Actor
from governance.exceptions import DomainError
from governance.models import ApiToken, AuditEventType
from governance.models.api_tokens import TOKEN_PREFIX, token_digest


def _details(token: ApiToken) -> dict:
    return {
        "token": token.pk,
        "user": token.user.get_username(),
        "name": token.name,
        "hint": token.hint,
        "expires_at": token.expires_at.isoformat() if token.expires_at else None,
    }


@transaction.atomic
def api_token_create(
    *, actor: Actor, user_id: int, name: str, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Issue a token for a person; the secret is returned once and only its digest kept."""
    user = get_user_model().objects.select_for_update().filter(pk=user_id).first()
    if user is None or not user.is_active:
        raise ValidationError({"user": "Choose an active user."})
    policies.require_can_manage_token(actor, user)
    if expires_at is not None and (
        not isinstance(expires_at, datetime) or expires_at <= timezone.now()
    ):
        raise ValidationError({"expires_at": "Choose a moment in the future."})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name.strip() if isinstance(name, str) else name,
        digest=token_digest(secret),
        hint=secret[: len(TOKEN_PREFIX) + 6],
        expires_at=expires_at,
    )
    token.full_clean(exclude=["user"], validate_unique=False, validate_constraints=False)
    token.save()
    audit.record(event_type=AuditEventType.API_TOKEN_CREATED, actor=actor, details=_details(token))
    return token, secret


@transaction.atomic
def api_token_revoke(*, actor: Actor, token_id: int) -> ApiToken:
    """Revoke a token now; requests with it fail from the next one on."""
    token = ApiToken.objects.select_for_update().select_related("user").get(pk=token_id)
    policies.require_can_manage_token(actor, token.user)
    if token.revoked_at is not None:
        raise DomainError(f"The token {token} was already revoked.")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(event_type=AuditEventType.API_TOKEN_REVOKED, actor=actor, details=_details(token))
    return token
