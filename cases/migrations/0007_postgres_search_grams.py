"""PostgreSQL only: the indexes behind the queue's search anywhere (cases/search.py explains the query).

Three characters or more are served by pg_trgm: the name and summary indexes of 0003, and here one on
the phone number (a phone's last digits). Two characters — most Chinese words and given names — give
pg_trgm nothing to look up, so `case_search_bigrams(text)` (every distinct 2-character piece of a
text) is indexed with GIN over the upper-cased name and summary, as Django's `icontains` compares.
SQLite skips all of it."""

from django.db import migrations

FORWARD = [
    """
    CREATE OR REPLACE FUNCTION case_search_bigrams(doc text) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        SELECT coalesce(array_agg(DISTINCT substr(doc, i, 2)), '{}')
        FROM generate_series(1, char_length(doc) - 1) AS i
    $$;
    """,
    """
    CREATE INDEX IF NOT EXISTS case_search_bigrams ON cases_case
    USING gin (case_search_bigrams(upper(customer_name::text || ' ' || summary::text)));
    """,
    "CREATE INDEX IF NOT EXISTS case_phone_trgm ON cases_case USING gin ((customer_phone::text) gin_trgm_ops);",
]
BACKWARD = [
    "DROP INDEX IF EXISTS case_phone_trgm;",
    "DROP INDEX IF EXISTS case_search_bigrams;",
    "DROP FUNCTION IF EXISTS case_search_bigrams(text);",
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
    dependencies = [("cases", "0006_sqlite_append_only_events")]
    operations = [migrations.RunPython(forward, backward)]
