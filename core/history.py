"""django-simple-history, as every tracked model here uses it: plain ORM saves, the library's own
signals, on every database.

Every write of a tracked row goes through `Model.save()`, so Django's `pre_save`/`post_save` and
simple-history's `pre_/post_create_historical_record` fire on SQLite and PostgreSQL alike, a field
with `db_default` or a generated field needs nothing here, and a model gains a field without a
hand-written statement. `save_tracked` only says, through the attributes simple-history reads, who
made the change, when (the business step's own time, so the history row and the case event agree)
and why.
"""

import functools

from django.db import models
from simple_history.manager import HistoryManager
from simple_history.models import HistoricalRecords

HISTORY_ONLY_FIELDS = {"history_id", "history_date", "history_change_reason", "history_type", "history_user"}
# What simple-history reads from the instance while it writes the history row (HistoricalRecords.
# create_historical_record and utils.get_change_reason_from_object).
_HISTORY_ATTRIBUTES = ("_history_user", "_history_date", "_change_reason")


class ReusedClassHistoryManager(HistoryManager):
    """simple-history's `HistoryDescriptor` builds a new manager class (`Manager.from_queryset`,
    which walks the queryset with `inspect.getmembers`) on every `instance.history` access; the class
    depends only on its arguments, so it is built once. Behaviour is the library's own."""

    @classmethod
    @functools.cache
    def from_queryset(cls, queryset_class, class_name=None):
        return super().from_queryset(queryset_class, class_name)


def tracked_history(**kwargs) -> HistoricalRecords:
    # The change reason is the step's reason as the user wrote it (up to a page of text), not
    # simple-history's default of 100 characters, which PostgreSQL refused with a 500 for any
    # longer withdrawal, rejection or escalation reason (SQLite ignores the length).
    kwargs.setdefault("history_change_reason_field", models.TextField(null=True))
    return HistoricalRecords(history_manager=ReusedClassHistoryManager, **kwargs)


def save_tracked(*instances, user, at=None, reason: str | None = None) -> None:
    """Save `instances` in order with `Model.save()` (each may refer to the ones before); each
    history row names `user`, is dated `at` (else now) and carries `reason` as its change reason.

    The attributes are removed again after the save, so a later save of the same instance never
    inherits this step's user, time or reason."""
    for instance in instances:
        instance._history_user = user
        if at is not None:
            instance._history_date = at
        if reason:
            instance._change_reason = reason
        try:
            instance.save()
        finally:
            for name in _HISTORY_ATTRIBUTES:
                instance.__dict__.pop(name, None)
