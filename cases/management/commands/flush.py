"""Django's `flush`, able to wipe the append-only tables (the case timeline, every history table).

Their triggers refuse UPDATE, DELETE and TRUNCATE (cases/db_protections.py, migration 0003 and 0027,
core/append_only.py). Wiping the whole database is the one legitimate exception — the test runner
does it between transactional tests — so the triggers are suspended for the wipe and put back in the
same transaction: on SQLite dropped and re-created (flush DELETEs table by table in no fixed order),
on PostgreSQL disabled on the tables that refuse a TRUNCATE (the same privilege as dropping them: the
tables' owner)."""

from django.core.management.commands.flush import Command as DjangoFlush
from django.db import connections, transaction

from cases.db_protections import sqlite_triggers_install, sqlite_triggers_remove
from core.append_only import history_triggers_install, sqlite_history_triggers_remove

# Tables with a user trigger that fires on TRUNCATE (pg_trigger.tgtype bit 5).
_PG_TRUNCATE_GUARDED = """
    SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE NOT t.tgisinternal AND (t.tgtype & 32) <> 0 AND n.nspname = current_schema()
"""


class Command(DjangoFlush):
    def handle(self, **options):
        connection = connections[options["database"]]
        if connection.vendor == "postgresql":
            return self._flush_postgresql(connection, options)
        if connection.vendor == "sqlite":
            return self._flush_sqlite(connection, options)
        return super().handle(**options)

    def _flush_postgresql(self, connection, options):
        with transaction.atomic(using=connection.alias):
            with connection.cursor() as cursor:
                cursor.execute(_PG_TRUNCATE_GUARDED)
                guarded = [row[0] for row in cursor.fetchall()]
                for table in guarded:
                    cursor.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER USER')
            result = super().handle(**options)
            with connection.cursor() as cursor:
                for table in guarded:
                    cursor.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER USER')
            return result

    def _flush_sqlite(self, connection, options):
        with transaction.atomic(using=connection.alias):
            with connection.cursor() as cursor:
                sqlite_triggers_remove(cursor)
                sqlite_history_triggers_remove(cursor)
            try:
                return super().handle(**options)
            finally:
                with connection.cursor() as cursor:
                    sqlite_triggers_install(cursor)
                history_triggers_install(connection)
