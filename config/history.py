"""django-simple-history, as every tracked model here uses it.

Two things on top of the library, both about speed on the hot paths (intake, transitions):

- simple-history's `HistoryDescriptor` builds a new manager class (`Manager.from_queryset`, which
  walks the queryset with `inspect.getmembers`) on every `instance.history` access; the class
  depends only on its arguments, so it is built once.
- `save_with_history` saves rows without simple-history's post_save handler and then writes their
  history rows with `INSERT INTO <historical> (…) SELECT … FROM <base> WHERE id = …` — the database
  copies the row it just stored, so the ORM does not compile a 50-column INSERT per history row, and
  on PostgreSQL all the rows' history goes in one round trip. The history rows are exactly what
  simple-history writes (same tables, columns, history_type "+"/"~", history_user, history_date),
  so its admin, `diff_against` and the history API read them as usual.
- `write_batch()` queues the history rows and deferred inserts (the case event) of one business
  step and writes them in a single round trip when the step ends.
"""

import contextlib
import contextvars
import functools

from django.db import connection
from django.utils import timezone
from simple_history.manager import HistoryManager
from simple_history.models import HistoricalRecords

HISTORY_ONLY_FIELDS = {"history_id", "history_date", "history_change_reason", "history_type", "history_user"}


class ReusedClassHistoryManager(HistoryManager):
    @classmethod
    @functools.cache
    def from_queryset(cls, queryset_class, class_name=None):
        return super().from_queryset(queryset_class, class_name)


def tracked_history(**kwargs) -> HistoricalRecords:
    return HistoricalRecords(history_manager=ReusedClassHistoryManager, **kwargs)


@functools.cache
def _copy_statement(model) -> str:
    """INSERT … SELECT copying one row of `model` into its history table; params: date, type, user, pk."""
    history_model = model.history.model
    qn = connection.ops.quote_name
    columns = [f.column for f in history_model._meta.concrete_fields if f.name not in HISTORY_ONLY_FIELDS]
    history_columns = ["history_date", "history_change_reason", "history_type", "history_user_id"]
    # Only table and column names from the models' own metadata, quoted; values are parameters.
    return (
        f"INSERT INTO {qn(history_model._meta.db_table)} ({', '.join(qn(c) for c in columns + history_columns)}) "  # noqa: S608
        f"SELECT {', '.join(qn(c) for c in columns)}, %s, NULL, %s, %s "
        f"FROM {qn(model._meta.db_table)} WHERE {qn(model._meta.pk.column)} = %s"
    )


@functools.cache
def _insert_statement(model) -> tuple[str, tuple]:
    """INSERT of one new row of `model` returning its primary key; and the fields, in order."""
    qn = connection.ops.quote_name
    fields = tuple(f for f in model._meta.concrete_fields if not f.primary_key)
    sql = (
        f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {qn(model._meta.pk.column)}"
    )
    return sql, fields


class WriteBatch:
    """History rows and new rows queued during one business step, written in one round trip."""

    def __init__(self):
        self.history = []  # (instance, history type, user id, date)
        self.inserts = []  # (instance, callback once it has its primary key)

    def flush(self) -> None:
        if connection.vendor != "postgresql":
            for instance, history_type, user_id, at in self.history:
                with connection.cursor() as cursor:
                    cursor.execute(_copy_statement(type(instance)), [at, history_type, user_id, instance.pk])
            for instance, on_saved in self.inserts:
                instance.save()
                on_saved(instance)
            return
        parts, params, returning = [], [], []
        for instance, history_type, user_id, at in self.history:
            parts.append(_copy_statement(type(instance)))
            params += [at, history_type, user_id, instance.pk]
        for instance, on_saved in self.inserts:
            sql, fields = _insert_statement(type(instance))
            parts.append(sql)
            params += [f.get_db_prep_save(f.pre_save(instance, True), connection) for f in fields]
            returning.append((len(parts) - 1, instance, on_saved))
        if not parts:
            return
        # Data-modifying CTEs: every statement runs exactly once, whether or not the SELECT reads it.
        ctes = ", ".join(f"w{i} AS ({sql})" for i, sql in enumerate(parts))
        qn = connection.ops.quote_name
        ids = " UNION ALL ".join(
            f"SELECT {n} AS n, {qn(instance._meta.pk.column)} AS id FROM w{i}"  # noqa: S608 - names from metadata
            for n, (i, instance, _cb) in enumerate(returning)
        )
        with connection.cursor() as cursor:
            cursor.execute(f"WITH {ctes} {ids or 'SELECT 0 AS n, 0 AS id'}", params)
            new_ids = dict(cursor.fetchall())
        for n, (_i, instance, on_saved) in enumerate(returning):
            instance.pk = new_ids[n]
            instance._state.adding = False
            instance._state.db = connection.alias
            on_saved(instance)


_batch: contextvars.ContextVar = contextvars.ContextVar("write_batch", default=None)


@contextlib.contextmanager
def write_batch():
    """Queue history rows and deferred inserts made inside; write them when the block ends without
    an error (an outer batch, if any, takes them instead). Use inside the step's transaction."""
    if _batch.get() is not None:
        yield
        return
    batch = WriteBatch()
    token = _batch.set(batch)
    try:
        yield
    finally:
        _batch.reset(token)
    batch.flush()


def write_history(rows, *, user, at) -> None:
    """History rows for already-saved `rows`: a list of (instance, "+" or "~")."""
    batch = WriteBatch()
    batch.history = [(instance, history_type, user.pk if user else None, at) for instance, history_type in rows]
    current = _batch.get()
    if current is not None:
        current.history += batch.history
    else:
        batch.flush()


def insert_deferred(instance, on_saved) -> None:
    """Insert `instance` with the current batch (or now); `on_saved(instance)` runs once it has its key."""
    current = _batch.get()
    if current is not None:
        current.inserts.append((instance, on_saved))
    else:
        instance.save()
        on_saved(instance)


def save_with_history(*instances, user, at=None) -> None:
    """Save `instances` in order (each may refer to the ones before), then write their history."""
    at = at or timezone.now()
    rows = []
    for instance in instances:
        history_type = "+" if instance._state.adding else "~"
        instance.save_without_historical_record()
        rows.append((instance, history_type))
    write_history(rows, user=user, at=at)
