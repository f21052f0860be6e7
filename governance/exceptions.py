"""Domain errors: an action refused by a governance rule, with a message for people.

Forbidden actors raise django.core.exceptions.PermissionDenied; bad input raises
django.core.exceptions.ValidationError (message per field). Views and the API map
all three to responses in one place.
"""

from django.core.exceptions import (
    NON_FIELD_ERRORS,
    ObjectDoesNotExist,
    PermissionDenied,
    ValidationError,
)


class DomainError(Exception):
    """The request is understood and allowed in principle, but the state forbids it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidTransition(DomainError):
    """The version's current stage does not allow the requested move."""


class CardIncomplete(DomainError):
    """A production request needs a complete model card."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__(f"Card incomplete: {', '.join(missing)}.")
        self.missing = missing


class Conflict(DomainError):
    """Something already exists or changed since it was read (open request, stale card)."""


class SegregationOfDuties(PermissionDenied):
    """Nobody decides on their own request; one person fills at most one role."""


# What a service raises when it refuses; every caller (views, admin) catches exactly these.
REFUSALS = (DomainError, PermissionDenied, ValidationError, ObjectDoesNotExist)


def refusal_message(error: Exception) -> str:
    """One readable sentence for a refused service call, shown by the UI and the admin."""
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            return " ".join(
                " ".join(msgs) if field == NON_FIELD_ERRORS else f"{field}: {' '.join(msgs)}"
                for field, msgs in error.message_dict.items()
            )
        return " ".join(error.messages)
    if isinstance(error, DomainError):
        return error.message
    if isinstance(error, ObjectDoesNotExist):
        return "It no longer exists; reload the page."
    return str(error) or "You may not do this."


class PdfUnavailable(Exception):
    """PDF documents need system libraries (Pango) this machine does not have; the other
    formats still work. Answered with 503 and the way to install them."""

    def __init__(self) -> None:
        super().__init__(
            "PDF export needs the Pango library on the server (Debian/Ubuntu: apt-get install "
            "libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core); Markdown and the print "
            "page work without it."
        )
        self.message = str(self)
