"""PostgreSQL only: short name searches (1–2 characters, e.g. a family name) match by prefix,
`UPPER(customer_name) LIKE 'X%'`, which this index serves. SQLite skips it."""

from django.db import migrations

FORWARD = "CREATE INDEX IF NOT EXISTS case_name_prefix ON cases_case (UPPER(customer_name::text) text_pattern_ops);"
BACKWARD = "DROP INDEX IF EXISTS case_name_prefix;"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_tier_queue_index")]
    operations = [migrations.RunPython(forward, backward)]
