"""Where a batch's rows go: fresh ids, case numbers, and the writes themselves — PostgreSQL's COPY
(psycopg 3), or `bulk_create` on other databases (SQLite in the tests).

Case numbers are "C-YYYY-NNNNNN", continuing the per-year CaseNumberCounter: each batch bumps the
counters of the years it uses by its number of cases (INSERT … ON CONFLICT … RETURNING), so the
numbers are unique and a later intake continues after them — even one running during the load.
With one writer (SQLite, or --workers 1) the bump is in the batch's transaction, so numbers stay
gapless; with parallel writers it is committed before the batch is written, so a batch that fails
leaves its numbers unused (a gap, never a duplicate).

About a third of the server's work is the deferred foreign-key checks run at each commit.
"""

import json

from django.core.management.base import CommandError
from django.db import connection, models

from cases.models import Case, CaseEvent, CaseNumberCounter, Deadline, Promise
from cases.services.creation import CASE_NUMBER_FORMAT
from complaints.models import Complaint, Customer
from core.history import HISTORY_ONLY_FIELDS

HISTORY_COLUMNS = ("history_date", "history_change_reason", "history_type", "history_user_id")


def _tracked_columns(model):
    """The columns of `model`'s history table that copy the row (its history may exclude some)."""
    fields = model.history.model._meta.concrete_fields
    return tuple(f.column for f in fields if f.name not in HISTORY_ONLY_FIELDS)


# A case row is read off the Case that case_build gives, field by field, so its columns are the model's.
CASE_FIELDS = tuple(Case._meta.concrete_fields)
CASE_COLUMNS = tuple(f.column for f in CASE_FIELDS)
HCASE_COLUMNS = _tracked_columns(Case) + HISTORY_COLUMNS
CUSTOMER_COLUMNS = ("id", "name", "phone", "account_number", "tier", "preferred_language", "customer_since",
                    "created_at")  # fmt: skip
HCUSTOMER_COLUMNS = CUSTOMER_COLUMNS + HISTORY_COLUMNS
COMPLAINT_COLUMNS = (
    "id", "case_id", "customer_id", "logged_by_id", "logged_at", "channel", "summary", "what_happened",
    "occurred_at", "disputed_item", "disputed_amount", "staff_involved", "real_dissatisfaction",
    "desired_resolution", "demand_reasonable", "category_id", "product_id",
)  # fmt: skip
HCOMPLAINT_COLUMNS = COMPLAINT_COLUMNS + HISTORY_COLUMNS
EVENT_COLUMNS = (
    "case_id", "kind", "actor_id", "created_at", "from_state", "to_state", "reason", "payload", "seq", "prev_hash",
    "hash", "waited_seconds", "owner_id",
)  # fmt: skip
PROMISE_COLUMNS = (
    "id", "case_id", "kind", "state", "due_at", "description", "phone", "customer_chose_time", "promised_by_id",
    "keeper_id", "created_at", "attempts", "first_attempt_at", "last_attempt_at", "done_at", "reached", "outcome",
    "missed_at", "closed_reason", "rescheduled_by_customer", "rescheduled_from_id", "reminded_at",
)  # fmt: skip
HPROMISE_COLUMNS = _tracked_columns(Promise) + HISTORY_COLUMNS
DEADLINE_COLUMNS = (
    "id", "case_id", "kind", "started_at", "allowed_hours", "due_at", "warn_at", "warned_at", "breached_at",
    "met_at", "ended_at", "paused_at", "owner_id",
)  # fmt: skip
HDEADLINE_COLUMNS = _tracked_columns(Deadline) + HISTORY_COLUMNS

# The batch's row lists by name, in the order they are written: customers and cases before what
# points at them (the foreign keys are deferred anyway).
TABLES = (
    ("customer", Customer, CUSTOMER_COLUMNS),
    ("hcustomer", Customer.history.model, HCUSTOMER_COLUMNS),
    ("case", Case, CASE_COLUMNS),
    ("hcase", Case.history.model, HCASE_COLUMNS),
    ("complaint", Complaint, COMPLAINT_COLUMNS),
    ("hcomplaint", Complaint.history.model, HCOMPLAINT_COLUMNS),
    ("event", CaseEvent, EVENT_COLUMNS),
    ("promise", Promise, PROMISE_COLUMNS),
    ("hpromise", Promise.history.model, HPROMISE_COLUMNS),
    ("deadline", Deadline, DEADLINE_COLUMNS),
    ("hdeadline", Deadline.history.model, HDEADLINE_COLUMNS),
)
TABLE_NAMES = tuple(name for name, _model, _columns in TABLES)


def schema_check():
    """Every column we write exists, and every NOT NULL column we leave out has a default."""
    problems = []
    with connection.cursor() as cursor:
        for _name, model, columns in TABLES:
            table = model._meta.db_table
            described = {c.name: c for c in connection.introspection.get_table_description(cursor, table)}
            unknown = [c for c in columns if c not in described]
            if unknown:
                problems.append(f"{table}: no column {', '.join(unknown)}")
            pk = model._meta.pk.column
            for name, info in described.items():
                if name in columns or name == pk or info.null_ok:
                    continue
                if getattr(info, "default", None) is None and not getattr(info, "is_autofield", False):
                    problems.append(f"{table}.{name} is NOT NULL and seed_cases does not fill it")
    if problems:
        raise CommandError("The schema changed; teach seed_cases the new columns:\n  " + "\n  ".join(problems))


def _field(model, column):
    for field in model._meta.concrete_fields:
        if field.column == column:
            return field
    return None


class Writer:
    """Ids, case numbers and the actual writes, per database vendor. Rows carry JSON columns as
    JSON text (what COPY takes); bulk_create gets them decoded."""

    def __init__(self):
        self.postgres = connection.vendor == "postgresql"
        self.json_columns = {
            model: [i for i, column in enumerate(columns) if isinstance(_field(model, column), models.JSONField)]
            for _name, model, columns in TABLES
        }

    def ids(self, model, n):
        """n fresh primary keys. PostgreSQL: from the table's own sequence (safe with concurrent inserts)."""
        table = model._meta.db_table
        with connection.cursor() as cursor:
            if self.postgres:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, n]
                )
                return [r[0] for r in cursor.fetchall()]
            # Not PostgreSQL: a single writer (SQLite), so the next ids are simply after the largest.
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            first = cursor.fetchone()[0] + 1
            return list(range(first, first + n))

    @staticmethod
    def numbers(years):
        """Reserve case numbers: {year: count} → {year: iterator of "C-YYYY-NNNNNN"}, counters bumped."""
        table = connection.ops.quote_name(CaseNumberCounter._meta.db_table)
        # The table name is the model's, quoted; the values are parameters.
        sql = (
            f"INSERT INTO {table} (year, last_value) VALUES (%s, %s) "  # noqa: S608
            f"ON CONFLICT (year) DO UPDATE SET last_value = {table}.last_value + EXCLUDED.last_value "
            "RETURNING last_value"
        )
        out = {}
        with connection.cursor() as cursor:
            for year, count in sorted(years.items()):
                cursor.execute(sql, [year, count])
                last = cursor.fetchone()[0]
                out[year] = iter(
                    [CASE_NUMBER_FORMAT.format(year=year, value=v) for v in range(last - count + 1, last + 1)]
                )
        return out

    def session(self):
        """Per transaction: a loader can lose its last batches on a crash, but need not wait for fsync."""
        if self.postgres:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO off")

    def write(self, rows):
        for name, model, columns in TABLES:
            if rows[name]:
                (self._copy if self.postgres else self._bulk)(model, columns, rows[name])

    def analyze(self):
        """So the planner knows the tables' new sizes."""
        if self.postgres:
            with connection.cursor() as cursor:
                for _name, model, _columns in TABLES:
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")

    @staticmethod
    def _copy(model, columns, data):
        qn = connection.ops.quote_name
        sql = f"COPY {qn(model._meta.db_table)} ({', '.join(qn(c) for c in columns)}) FROM STDIN"
        with connection.cursor() as cursor, cursor.copy(sql) as copy:
            write_row = copy.write_row
            for row in data:
                write_row(row)

    def _bulk(self, model, columns, data):
        json_at = self.json_columns[model]
        objs = []
        for row in data:
            values = dict(zip(columns, row, strict=True))
            for i in json_at:
                values[columns[i]] = json.loads(row[i])
            objs.append(model(**values))
        model.objects.bulk_create(objs, batch_size=500)
