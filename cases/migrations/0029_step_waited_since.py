"""A 7A step's event records since when the case waited for it (CaseEvent.waited_since,
cases/events.py): existing step events get it from the events before them in their chain."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery

from cases.db_protections import sqlite_triggers_install, sqlite_triggers_remove
from cases.events import STEP_ENTERING_KINDS, STEP_EVENT_KINDS


def fill(apps, schema_editor):
    connection = schema_editor.connection
    event_model = apps.get_model("cases", "CaseEvent")
    entered = (
        event_model.objects.filter(case=OuterRef("case"), seq__lt=OuterRef("seq"), kind__in=STEP_ENTERING_KINDS)
        .order_by("-seq")
        .values("created_at")[:1]
    )
    # The timeline refuses UPDATE; this one fills a derived column once, in this migration's transaction.
    if connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE cases_caseevent DISABLE TRIGGER cases_caseevent_no_rewrite")
    elif connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            sqlite_triggers_remove(cursor)
    event_model.objects.filter(kind__in=STEP_EVENT_KINDS).update(waited_since=Subquery(entered))
    if connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE cases_caseevent ENABLE TRIGGER cases_caseevent_no_rewrite")
    elif connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            sqlite_triggers_install(cursor)


class Migration(migrations.Migration):
    dependencies = [("cases", "0028_dashboard_indexes")]

    operations = [
        migrations.AddField(
            model_name="caseevent",
            name="waited_since",
            field=models.DateTimeField(blank=True, null=True, verbose_name="waiting since"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
