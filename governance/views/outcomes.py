"""The one place where refusals become messages and status codes for the review UI.

Services raise PermissionDenied (403), a DomainError (409: the state forbids it) or a
ValidationError (400: bad input). Views call ``attempt`` and show ``outcome.message``.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied

from governance.exceptions import REFUSALS, DomainError, refusal_message


@dataclass(frozen=True)
class Outcome:
    ok: bool
    value: Any = None
    message: str = ""
    status: int = 200
    errors: dict[str, list[str]] | None = None  # per-field messages of a ValidationError
    error: Exception | None = None  # the refusal itself, for views that tell kinds apart


def status_for(error: Exception) -> int:
    if isinstance(error, PermissionDenied):
        return 403
    if isinstance(error, ObjectDoesNotExist):
        return 404
    if isinstance(error, DomainError):
        return 409
    return 400


def attempt(call: Callable[[], Any]) -> Outcome:
    """Run a service call; a refusal becomes an Outcome instead of an exception."""
    try:
        value = call()
    except REFUSALS as error:
        errors = error.message_dict if hasattr(error, "error_dict") else None
        return Outcome(False, None, refusal_message(error), status_for(error), errors, error)
    return Outcome(True, value)


def require_allowed(check: Callable[..., object], *args: object) -> None:
    """Page access by a policy check: any refusal (a missing role, or a state such as a
    retired version) is a 403 with the policy's message; the page itself was visible."""
    outcome = attempt(lambda: check(*args))
    if not outcome.ok:
        raise PermissionDenied(outcome.message)
