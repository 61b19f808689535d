"""History tables are append-only in the database too, on PostgreSQL and on SQLite.

Every django-simple-history table of every app gets triggers that refuse UPDATE, DELETE and (on
PostgreSQL) TRUNCATE, and an INSERT whose `history_user` is empty: not even a raw SQL session of the
application's own user can quietly rewrite who changed what. The triggers are (re)installed after every
`migrate` (a post_migrate receiver, core/apps.py), so a history table added by any app later is
covered without anyone remembering to, and a SQLite table rebuilt by a migration gets its triggers back.

Wiping a whole database (`manage.py flush`, and the test runner between transactional tests) suspends
them for the wipe, in the same transaction (cases/management/commands/flush.py).
"""

from django.apps import apps
from simple_history.models import HistoricalChanges

PG_FUNCTIONS = (
    """
    CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE OR REPLACE FUNCTION audit_history_user_required() RETURNS trigger AS $$
    BEGIN
        IF NEW.history_user_id IS NULL THEN
            RAISE EXCEPTION '% needs the user who made the change (history_user_id is empty)', TG_TABLE_NAME;
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;
    """,
)


def history_tables() -> list[str]:
    return sorted(
        model._meta.db_table
        for model in apps.get_models()
        if issubclass(model, HistoricalChanges) and model._meta.managed
    )


def _pg_statements(table: str) -> list[str]:
    return [
        f'CREATE OR REPLACE TRIGGER history_no_rewrite BEFORE UPDATE OR DELETE ON "{table}" '
        "FOR EACH ROW EXECUTE FUNCTION audit_append_only();",
        f'CREATE OR REPLACE TRIGGER history_no_truncate BEFORE TRUNCATE ON "{table}" '
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();",
        f'CREATE OR REPLACE TRIGGER history_user_required BEFORE INSERT ON "{table}" '
        "FOR EACH ROW EXECUTE FUNCTION audit_history_user_required();",
    ]


def _sqlite_triggers(table: str) -> dict[str, str]:
    return {
        f"{table}_no_update": f'CREATE TRIGGER IF NOT EXISTS "{table}_no_update" BEFORE UPDATE ON "{table}" '
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only (UPDATE refused)'); END;",
        f"{table}_no_delete": f'CREATE TRIGGER IF NOT EXISTS "{table}_no_delete" BEFORE DELETE ON "{table}" '
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only (DELETE refused)'); END;",
        f"{table}_user_required": f'CREATE TRIGGER IF NOT EXISTS "{table}_user_required" BEFORE INSERT ON "{table}" '
        f"WHEN NEW.history_user_id IS NULL "
        f"BEGIN SELECT RAISE(ABORT, '{table} needs the user who made the change'); END;",
    }


def _existing_tables(connection) -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


def history_triggers_install(connection) -> None:
    tables = [t for t in history_tables() if t in _existing_tables(connection)]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for sql in PG_FUNCTIONS:
                cursor.execute(sql)
            for table in tables:
                for sql in _pg_statements(table):
                    cursor.execute(sql)
        elif connection.vendor == "sqlite":
            for table in tables:
                for sql in _sqlite_triggers(table).values():
                    cursor.execute(sql)


def sqlite_history_triggers_remove(cursor) -> None:
    for table in history_tables():
        for name in _sqlite_triggers(table):
            cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')


def install_after_migrate(sender, using, **kwargs) -> None:
    """post_migrate is sent once per app with models, after the whole migration: act on the last."""
    from django.db import connections

    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if sender is with_models[-1]:
        history_triggers_install(connections[using])
