"""Domain errors: an action refused by a governance rule, with a message for people.

Forbidden actors raise django.core.exceptions.PermissionDenied; bad input raises
django.core.exceptions.ValidationError (message per field). Views and the API map
all three to responses in one place.
"""

from django.core.exceptions import PermissionDenied


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
