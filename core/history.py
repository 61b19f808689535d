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

from django.db import IntegrityError, models, transaction
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


SYSTEM_USERNAME = "system"


def system_user():
    """The account that history names when no person made the change: a scheduled sweep, an
    escalation rule, a management command. It cannot log in (inactive, no usable password) and holds
    no role. Looked up, and made on first use, by name: a test database wiped between tests, or a
    new installation, has it again as soon as something needs it."""
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    user = user_model.objects.filter(username=SYSTEM_USERNAME).first()
    if user is None:
        user = user_model(username=SYSTEM_USERNAME, is_active=False)
        user.set_unusable_password()
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:  # made at the same moment by another process
            user = user_model.objects.get(username=SYSTEM_USERNAME)
    return user


def history_user_of(instance=None, request=None, **kwargs):
    """simple-history's `get_user`: the person of the request, else the system account — a history
    row always names who made the change (the database refuses one that does not, core/append_only.py)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    return system_user()


def tracked_history(**kwargs) -> HistoricalRecords:
    # The change reason is the step's reason as the user wrote it (up to a page of text), not
    # simple-history's default of 100 characters, which PostgreSQL refused with a 500 for any
    # longer withdrawal, rejection or escalation reason (SQLite ignores the length).
    kwargs.setdefault("history_change_reason_field", models.TextField(null=True))
    kwargs.setdefault("get_user", history_user_of)
    return HistoricalRecords(history_manager=ReusedClassHistoryManager, **kwargs)


def save_tracked(*instances, user, at=None, reason: str | None = None) -> None:
    """Save `instances` in order with `Model.save()` (each may refer to the ones before); each
    history row names `user`, is dated `at` (else now) and carries `reason` as its change reason.

    The attributes are removed again after the save, so a later save of the same instance never
    inherits this step's user, time or reason."""
    user = user if user is not None else system_user()
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
