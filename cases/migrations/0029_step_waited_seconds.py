"""A 7A step's event records how long the case waited for it (CaseEvent.waited_seconds, cases/events.py):
existing step events get it from the events before them in their chain, and the dashboard's index by
kind and time carries it (PostgreSQL answers the time per step from the index alone)."""

from django.db import migrations, models

from cases.db_protections import event_rewrite_allowed
from cases.events import STEP_ENTERING_KINDS, STEP_EVENT_KINDS

# One statement per database: the seconds between two times is the one thing the ORM cannot say on
# both. It runs once, here; new events get theirs from services/events.py.
_ENTERED = """
    (SELECT p.created_at FROM cases_caseevent p
     WHERE p.case_id = e.case_id AND p.seq < e.seq AND p.kind IN ({entering})
     ORDER BY p.seq DESC LIMIT 1)
"""
FILL = {
    "postgresql": "UPDATE cases_caseevent e SET waited_seconds = "
    "GREATEST(0, ROUND(EXTRACT(EPOCH FROM e.created_at - {entered})))::integer WHERE e.kind IN ({steps})",
    "sqlite": "UPDATE cases_caseevent AS e SET waited_seconds = "
    "MAX(0, CAST(ROUND((julianday(e.created_at) - julianday({entered})) * 86400) AS INTEGER)) "
    "WHERE e.kind IN ({steps})",
}


def _quoted(kinds) -> str:
    return ", ".join(f"'{kind}'" for kind in kinds)


def fill(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor not in FILL:
        return
    entered = _ENTERED.format(entering=_quoted(STEP_ENTERING_KINDS))
    sql = FILL[connection.vendor].format(entered=entered, steps=_quoted(STEP_EVENT_KINDS))
    # The timeline refuses UPDATE; this fills a derived column once, in this migration's transaction.
    with event_rewrite_allowed(connection) as cursor:
        cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("cases", "0028_dashboard_indexes")]

    operations = [
        migrations.AddField(
            model_name="caseevent",
            name="waited_seconds",
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name="seconds waited for this step"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RemoveIndex(model_name="caseevent", name="event_kind_time"),
        migrations.AddIndex(
            model_name="caseevent",
            index=models.Index(fields=["kind", "created_at"], include=["waited_seconds"], name="event_kind_time"),
        ),
    ]
