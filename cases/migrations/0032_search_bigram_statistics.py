"""PostgreSQL only: finer statistics for the search's bigram index (0007), so the planner knows how
rare a given name is.

With the default statistics target ANALYZE keeps ~300 of the bigrams as "most common" (down to a
frequency of about 0.9%) and estimates every other bigram at thousands of rows at 1M cases: for
"小明" (237 rows) it guessed 4,281 and, on a deep page, ANDed the bigram bitmap with a 55k-entry
bitmap of the sort index from the cursor on — 7 ms of a 13 ms query. With 1,000 the list holds
~4,700 bigrams down to 0.01%, the estimate is the right size and the plan reads the 237 matches
alone (bench/queues.py, 小明 deep page at 1M: p50 23.6 → 13.4 ms). ANALYZE takes a little longer.
SQLite has no such index."""

from django.db import migrations

STATISTICS = 1000


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER INDEX case_search_bigrams ALTER COLUMN 1 SET STATISTICS {STATISTICS};")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER INDEX case_search_bigrams ALTER COLUMN 1 SET STATISTICS -1;")


class Migration(migrations.Migration):
    dependencies = [("cases", "0031_deadline_owner")]
    operations = [migrations.RunPython(forward, backward)]
