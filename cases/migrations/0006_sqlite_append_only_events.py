"""SQLite (the embedded default) gets the append-only protection PostgreSQL has since 0003: the
database itself refuses to rewrite or delete the case timeline, not only the model.

UPDATE is always refused. DELETE is refused while the event's case exists: in normal operation a
case is never deleted (its events PROTECT it), so no event can be; what remains possible is wiping
the whole database in one transaction, cases first — which is what `manage.py flush` (and the test
runner after a transactional test) does on SQLite, as TRUNCATE does on PostgreSQL.
"""

from django.db import migrations

FORWARD = [
    """
    CREATE TRIGGER cases_caseevent_no_update BEFORE UPDATE ON cases_caseevent
    BEGIN
        SELECT RAISE(ABORT, 'case events are append-only (UPDATE refused)');
    END;
    """,
    """
    CREATE TRIGGER cases_caseevent_no_delete BEFORE DELETE ON cases_caseevent
    WHEN EXISTS (SELECT 1 FROM cases_case WHERE id = OLD.case_id)
    BEGIN
        SELECT RAISE(ABORT, 'case events are append-only (DELETE refused)');
    END;
    """,
]
BACKWARD = [
    "DROP TRIGGER IF EXISTS cases_caseevent_no_delete;",
    "DROP TRIGGER IF EXISTS cases_caseevent_no_update;",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in FORWARD:
            schema_editor.execute(sql, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in BACKWARD:
            schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_postgres_name_prefix_index")]
    operations = [migrations.RunPython(forward, backward)]
