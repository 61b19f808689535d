"""SQLite (the embedded default) gets the append-only protection PostgreSQL has since 0003: the
database itself refuses to rewrite or delete the case timeline, not only the model
(cases/db_protections.py says how)."""

from django.db import migrations

from cases.db_protections import sqlite_triggers_install, sqlite_triggers_remove


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        with schema_editor.connection.cursor() as cursor:
            sqlite_triggers_install(cursor)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        with schema_editor.connection.cursor() as cursor:
            sqlite_triggers_remove(cursor)


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_postgres_name_prefix_index")]
    operations = [migrations.RunPython(forward, backward)]
