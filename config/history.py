"""django-simple-history, as every tracked model here uses it.

simple-history's `HistoryDescriptor` builds a new manager class (`Manager.from_queryset`, which walks
the queryset with `inspect.getmembers`) on every `instance.history` access — once per saved row,
about a quarter of a millisecond each. The generated class depends only on its arguments, so it is
built once and reused.
"""

import functools

from simple_history.manager import HistoryManager
from simple_history.models import HistoricalRecords


class ReusedClassHistoryManager(HistoryManager):
    @classmethod
    @functools.cache
    def from_queryset(cls, queryset_class, class_name=None):
        return super().from_queryset(queryset_class, class_name)


def tracked_history(**kwargs) -> HistoricalRecords:
    return HistoricalRecords(history_manager=ReusedClassHistoryManager, **kwargs)
