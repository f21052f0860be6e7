"""simple-history, with the history manager class built once per model.

simple-history's descriptor builds `HistoryManager.from_queryset(...)` (a new class, via
inspect.getmembers) on every access of `instance.history`, and its post_save handler reads
that attribute on every save of a governed row: a millisecond per save on this machine.
The class depends only on the two classes passed in, so it is made once and reused."""

from functools import cache

from simple_history.manager import HistoricalQuerySet, HistoryManager
from simple_history.models import HistoricalRecords


@cache
def _manager_class(manager: type, queryset: type, class_name: str | None) -> type:
    return super(GovernedHistoryManager, manager).from_queryset(queryset, class_name)


class GovernedHistoryManager(HistoryManager):
    @classmethod
    def from_queryset(cls, queryset_class: type, class_name: str | None = None) -> type:
        return _manager_class(cls, queryset_class, class_name)


def governed_history() -> HistoricalRecords:
    """HistoricalRecords for a governed model (field-level change history)."""
    return HistoricalRecords(
        history_manager=GovernedHistoryManager, historical_queryset=HistoricalQuerySet
    )
