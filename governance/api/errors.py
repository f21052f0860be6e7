"""Every refusal as RFC 9457 problem details (application/problem+json), in one place.

Services raise PermissionDenied (403), ObjectDoesNotExist/Http404 (404), a DomainError
(409: the state forbids it) or a ValidationError (400, with a message per field); DRF
raises its own exceptions for authentication, parsing, media types and throttling.
"""

from typing import Any

from django.core.exceptions import (
    NON_FIELD_ERRORS,
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response

from governance.exceptions import CardIncomplete, DomainError, PdfUnavailable, refusal_message

PROBLEM_CONTENT_TYPE = "application/problem+json"

TITLES = {
    400: "Bad input",
    401: "Not authenticated",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    413: "Payload too large",
    415: "Unsupported media type",
    429: "Too many requests",
}


def problem(status_code: int, detail: str, **extra: Any) -> Response:
    body = {
        "type": "about:blank",
        "title": TITLES.get(status_code, "Error"),
        "status": status_code,
        "detail": detail,
        **extra,
    }
    return Response(body, status=status_code, content_type=PROBLEM_CONTENT_TYPE)


def _flatten(detail: Any) -> list[str]:
    if isinstance(detail, dict):
        return [message for value in detail.values() for message in _flatten(value)]
    if isinstance(detail, list):
        return [message for value in detail for message in _flatten(value)]
    return [str(detail)]


def _field_errors(detail: Any) -> dict[str, list[str]]:
    """DRF's nested error detail as {"field": [messages]} ("field.sub" for nesting)."""
    if not isinstance(detail, dict):
        return {"non_field_errors": _flatten(detail)}
    errors: dict[str, list[str]] = {}
    for field, value in detail.items():
        if isinstance(value, dict):
            for sub, messages in _field_errors(value).items():
                errors[f"{field}.{sub}"] = messages
        else:
            errors[str(field)] = _flatten(value)
    return errors


def _from_django_validation(error: DjangoValidationError) -> Response:
    if hasattr(error, "error_dict"):
        errors = {
            ("non_field_errors" if field == NON_FIELD_ERRORS else field): messages
            for field, messages in error.message_dict.items()
        }
    else:
        errors = {"non_field_errors": error.messages}
    return problem(400, refusal_message(error), errors=errors)


def problem_details_handler(exc: Exception, context: dict) -> Response | None:
    # DRF reads JSON bodies through request.body, where Django refuses one over
    # DATA_UPLOAD_MAX_MEMORY_SIZE before the API's parser can answer 413 itself.
    if isinstance(exc, RequestDataTooBig):
        return problem(413, "The body is over the limit for this call.")
    if isinstance(exc, DjangoValidationError):
        return _from_django_validation(exc)
    if isinstance(exc, PdfUnavailable):
        return problem(503, exc.message)
    if isinstance(exc, CardIncomplete):
        return problem(409, exc.message, missing=exc.missing)
    if isinstance(exc, DomainError):
        return problem(409, exc.message)
    if isinstance(exc, (Http404, ObjectDoesNotExist)):
        return problem(404, str(exc) or "Not found, or you may not see it.")
    if isinstance(exc, PermissionDenied):
        return problem(403, str(exc) or "You may not do this.")
    if isinstance(exc, exceptions.ValidationError):
        errors = _field_errors(exc.detail)
        return problem(400, "The input is not valid; see errors.", errors=errors)
    if isinstance(exc, exceptions.APIException):
        response = problem(exc.status_code, " ".join(_flatten(exc.detail)))
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            response["Retry-After"] = str(int(exc.wait) + 1)
        if exc.status_code == status.HTTP_401_UNAUTHORIZED:
            response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response
    return None
