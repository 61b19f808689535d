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
def _insert_fields(model) -> tuple:
    return tuple(f for f in model._meta.concrete_fields if not f.primary_key)


@functools.cache
def _insert_template(model) -> tuple[str, str]:
    """("INSERT INTO t (cols) VALUES (", the primary key column), quoted once per model."""
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in _insert_fields(model))
    return f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES (", qn(model._meta.pk.column)  # noqa: S608


@functools.cache
def _history_from_cte_template(model) -> str:
    """Copy a row just inserted by CTE `{cte}` into its history table; params: date, user."""
    qn = connection.ops.quote_name
    history_model = model.history.model
    names = ", ".join(qn(f.column) for f in history_model._meta.concrete_fields if f.name not in HISTORY_ONLY_FIELDS)
    return (
        f"INSERT INTO {qn(history_model._meta.db_table)} ({names}, history_date, history_change_reason, "  # noqa: S608
        f"history_type, history_user_id) SELECT {names}, %s, NULL, '+', %s FROM {{cte}}"
    )


class _Insert:
    def __init__(self, instance, on_saved, history_user_id, at):
        self.instance, self.on_saved = instance, on_saved
        self.history_user_id, self.at = history_user_id, at


class WriteBatch:
    """History rows and new rows queued during one business step, written in one round trip."""

    def __init__(self):
        self.history = []  # (instance, history type, user id, date) — rows already in the table
        self.inserts = []  # _Insert — rows to insert, with their history if asked

    def flush(self) -> None:
        if connection.vendor == "postgresql":
            self._flush_in_one_statement()
        else:
            self._flush_one_by_one()

    def _flush_one_by_one(self):
        with connection.cursor() as cursor:
            for instance, history_type, user_id, at in self.history:
                cursor.execute(_copy_statement(type(instance)), [at, history_type, user_id, instance.pk])
        for item in self.inserts:  # in order, so a row's references were saved before it
            if item.at:
                item.instance.save_without_historical_record()
                with connection.cursor() as cursor:
                    params = [item.at, "+", item.history_user_id, item.instance.pk]
                    cursor.execute(_copy_statement(type(item.instance)), params)
            else:
                item.instance.save()
            if item.on_saved:
                item.on_saved(item.instance)

    def _flush_in_one_statement(self):
        """One statement of data-modifying CTEs: every part runs exactly once, whether or not the
        final SELECT reads it. A new row is not visible to its sibling CTEs, so a foreign key to a
        row inserted here reads that row's CTE, and its history is copied from `RETURNING *`."""
        parts, params = [], []
        for instance, history_type, user_id, at in self.history:
            parts.append(_copy_statement(type(instance)))
            params += [at, history_type, user_id, instance.pk]
        cte_of = {}  # id(instance) -> CTE name, for rows inserted in this statement
        for item in self.inserts:
            instance, model = item.instance, type(item.instance)
            prefix, pk_column = _insert_template(model)
            values = []
            for field in _insert_fields(model):
                related = getattr(instance, field.name) if field.is_relation and field.is_cached(instance) else None
                if related is not None and id(related) in cte_of:
                    related_pk = _insert_template(type(related))[1]
                    values.append(f"(SELECT {related_pk} FROM {cte_of[id(related)]})")  # noqa: S608 - names only
                else:
                    values.append("%s")
                    params.append(field.get_db_prep_save(field.pre_save(instance, True), connection))
            parts.append(f"{prefix}{', '.join(values)}) RETURNING {'*' if item.at else pk_column}")
            cte_of[id(instance)] = f"w{len(parts) - 1}"
            if item.at:
                parts.append(_history_from_cte_template(model).format(cte=cte_of[id(instance)]))
                params += [item.at, item.history_user_id]
        if not parts:
            return
        ctes = ", ".join(f"w{i} AS ({sql})" for i, sql in enumerate(parts))
        ids = " UNION ALL ".join(
            f"SELECT {n} AS n, {_insert_template(type(item.instance))[1]} AS id FROM {cte_of[id(item.instance)]}"  # noqa: S608
            for n, item in enumerate(self.inserts)
        )
        with connection.cursor() as cursor:
            cursor.execute(f"WITH {ctes} {ids or 'SELECT 0 AS n, 0 AS id'}", params)
            new_ids = dict(cursor.fetchall())
        for n, item in enumerate(self.inserts):
            instance = item.instance
            instance.pk = new_ids[n]
            instance._state.adding = False
            instance._state.db = connection.alias
        for item in self.inserts:
            for field in _insert_fields(type(item.instance)):  # fill foreign keys to rows made here
                if field.is_relation and field.is_cached(item.instance):
                    related = getattr(item.instance, field.name)
                    if related is not None and getattr(item.instance, field.attname) is None:
                        setattr(item.instance, field.attname, related.pk)
                        field.set_cached_value(item.instance, related)  # setting the id dropped it
            if item.on_saved:
                item.on_saved(item.instance)


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
    history = [(instance, history_type, user.pk if user else None, at) for instance, history_type in rows]
    current = _batch.get()
    if current is not None:
        current.history += history
    else:
        batch = WriteBatch()
        batch.history = history
        batch.flush()


def insert_later(instance, *, user=None, at=None, history=True, on_saved=None) -> None:
    """Insert `instance` (and, unless `history=False`, its history row by `user`) with the current
    batch, or now if there is none. Its primary key is set when the batch is written; foreign keys
    to other rows inserted in the same batch are resolved in the database. `on_saved(instance)`
    runs once it has its key."""
    item = _Insert(
        instance,
        on_saved,
        (user.pk if user else None) if history else None,
        (at or timezone.now()) if history else None,
    )
    current = _batch.get()
    if current is not None:
        current.inserts.append(item)
    else:
        batch = WriteBatch()
        batch.inserts = [item]
        batch.flush()


def save_with_history(*instances, user, at=None) -> None:
    """Save `instances` in order (each may refer to the ones before), then write their history."""
    at = at or timezone.now()
    rows = []
    for instance in instances:
        history_type = "+" if instance._state.adding else "~"
        instance.save_without_historical_record()
        rows.append((instance, history_type))
    write_history(rows, user=user, at=at)
