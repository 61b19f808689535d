"""PostgreSQL only (SQLite, the embedded default, skips these):

- case events are append-only at the database too: a trigger refuses UPDATE and DELETE, so not even
  a raw SQL session of the application's user can rewrite the timeline;
- trigram indexes make the queue's name/summary search (ILIKE '%…%') an index scan at 1M cases.
"""

from django.db import migrations

FORWARD = [
    """
    CREATE OR REPLACE FUNCTION cases_caseevent_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'case events are append-only (% refused)', TG_OP;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER cases_caseevent_no_rewrite BEFORE UPDATE OR DELETE ON cases_caseevent
    FOR EACH ROW EXECUTE FUNCTION cases_caseevent_append_only();
    """,
    "CREATE EXTENSION IF NOT EXISTS pg_trgm;",
    "CREATE INDEX IF NOT EXISTS case_name_trgm ON cases_case USING gin (UPPER(customer_name) gin_trgm_ops);",
    "CREATE INDEX IF NOT EXISTS case_summary_trgm ON cases_case USING gin (UPPER(summary) gin_trgm_ops);",
    "CREATE INDEX IF NOT EXISTS case_phone_prefix ON cases_case (customer_phone varchar_pattern_ops);",
]
BACKWARD = [
    "DROP INDEX IF EXISTS case_phone_prefix;",
    "DROP INDEX IF EXISTS case_summary_trgm;",
    "DROP INDEX IF EXISTS case_name_trgm;",
    "DROP TRIGGER IF EXISTS cases_caseevent_no_rewrite ON cases_caseevent;",
    "DROP FUNCTION IF EXISTS cases_caseevent_append_only();",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in FORWARD:
            schema_editor.execute(sql, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in BACKWARD:
            schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_reference_data")]
    operations = [migrations.RunPython(forward, backward)]
