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
"""

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


def write_history(rows, *, user, at) -> None:
    """History rows for already-saved `rows`: a list of (instance, "+" or "~")."""
    statements, params = [], []
    for instance, history_type in rows:
        statements.append(_copy_statement(type(instance)))
        params.append([at, history_type, user.pk if user is not None else None, instance.pk])
    if not statements:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(statements) > 1:
            # Data-modifying CTEs: every INSERT runs, in one round trip.
            ctes = ", ".join(f"h{i} AS ({sql})" for i, sql in enumerate(statements[:-1]))
            cursor.execute(f"WITH {ctes} {statements[-1]}", [p for row in params for p in row])
        else:
            for sql, row_params in zip(statements, params, strict=True):
                cursor.execute(sql, row_params)


def save_with_history(*instances, user, at=None) -> None:
    """Save `instances` in order (each may refer to the ones before), then write their history."""
    at = at or timezone.now()
    rows = []
    for instance in instances:
        history_type = "+" if instance._state.adding else "~"
        instance.save_without_historical_record()
        rows.append((instance, history_type))
    write_history(rows, user=user, at=at)
