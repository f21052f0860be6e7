"""Cursor pagination: stable pages while rows are added (pipelines write as people read)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.views import APIView


class CheckedCursorPagination(CursorPagination):
    """A cursor whose position does not fit the ordering field (a hand-made one) is an
    invalid cursor (404, as DRF answers for one it cannot decode), not a server error."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def paginate_queryset(
        self, queryset: QuerySet, request: Request, view: APIView | None = None
    ) -> list | None:
        try:
            return super().paginate_queryset(queryset, request, view)
        except (ValueError, TypeError, OverflowError, DjangoValidationError):
            if request.query_params.get(self.cursor_query_param) is None:
                raise
            raise NotFound(self.invalid_cursor_message) from None


class NameCursorPagination(CheckedCursorPagination):
    ordering = "name"


class NewestFirstPagination(CheckedCursorPagination):
    ordering = "-pk"


class SequencePagination(CheckedCursorPagination):
    """Audit events in chain order."""

    ordering = "sequence"
    page_size = 100
    max_page_size = 1000


class ObservedAtPagination(CheckedCursorPagination):
    """Metric observations oldest first; pk breaks ties between equal moments."""

    ordering = ("observed_at", "pk")
    page_size = 500
    max_page_size = 10_000


class ReportedAtPagination(CheckedCursorPagination):
    """Deployments, the latest report first."""

    ordering = ("-reported_at", "-pk")
