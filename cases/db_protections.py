"""The append-only case timeline in SQLite (PostgreSQL's trigger is in migration 0003).

UPDATE is always refused. DELETE is refused while the event's case exists: in normal operation a case
is never deleted (its events PROTECT it), so no event can be. Wiping the whole database (`manage.py
flush`, and the test runner after a transactional test) suspends these triggers for the wipe
(cases/management/commands/flush.py), as TRUNCATE passes PostgreSQL's row trigger by.
"""

from contextlib import contextmanager

from django.db import migrations

SQLITE_TRIGGERS = {
    "cases_caseevent_no_update": """
        CREATE TRIGGER cases_caseevent_no_update BEFORE UPDATE ON cases_caseevent
        BEGIN
            SELECT RAISE(ABORT, 'case events are append-only (UPDATE refused)');
        END;
    """,
    "cases_caseevent_no_delete": """
        CREATE TRIGGER cases_caseevent_no_delete BEFORE DELETE ON cases_caseevent
        WHEN EXISTS (SELECT 1 FROM cases_case WHERE id = OLD.case_id)
        BEGIN
            SELECT RAISE(ABORT, 'case events are append-only (DELETE refused)');
        END;
    """,
}


def sqlite_triggers_install(cursor) -> None:
    for sql in SQLITE_TRIGGERS.values():
        cursor.execute(sql)


def sqlite_triggers_remove(cursor) -> None:
    for name in SQLITE_TRIGGERS:
        cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


@contextmanager
def event_rewrite_allowed(connection):
    """Within it (a migration's transaction), UPDATE of case events passes the triggers that refuse it
    on both databases: for a migration that fills a derived column of existing events once."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE cases_caseevent DISABLE TRIGGER cases_caseevent_no_rewrite")
        elif connection.vendor == "sqlite":
            sqlite_triggers_remove(cursor)
        yield cursor
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE cases_caseevent ENABLE TRIGGER cases_caseevent_no_rewrite")
        elif connection.vendor == "sqlite":
            sqlite_triggers_install(cursor)


def _install(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        with schema_editor.connection.cursor() as cursor:
            sqlite_triggers_install(cursor)


def _remove(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        with schema_editor.connection.cursor() as cursor:
            sqlite_triggers_remove(cursor)


def with_sqlite_triggers_suspended(*operations) -> list:
    """Migration operations that rebuild `cases_case` on SQLite (adding a NOT NULL column copies the
    table into a new one and renames it), run with the triggers dropped and re-created around them:
    SQLite re-checks every trigger on the rename, and the DELETE trigger names `cases_case`, which
    does not exist at that moment. PostgreSQL alters in place; there this adds nothing."""
    return [migrations.RunPython(_remove, _install), *operations, migrations.RunPython(_install, _remove)]
