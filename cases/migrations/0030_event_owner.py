"""Each case event names whose case it was once it was written (CaseEvent.owner), so the dashboard filters
a team's steps, closings and reopenings by an index instead of joining the cases (audit/kpis.py).
Existing events take the owner their case has now: the owner at the time was not recorded."""

from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery

from cases.db_protections import event_rewrite_allowed


def fill(apps, schema_editor):
    case_model, event_model = apps.get_model("cases", "Case"), apps.get_model("cases", "CaseEvent")
    owner = Subquery(case_model.objects.filter(pk=OuterRef("case_id")).values("owner_id")[:1])
    # The timeline refuses UPDATE; this fills a derived column once, in this migration's transaction.
    with event_rewrite_allowed(schema_editor.connection):
        event_model.objects.update(owner=owner)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0029_step_waited_seconds"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="caseevent",
            name="owner",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="case owner then",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="caseevent",
            index=models.Index(
                fields=["kind", "owner", "created_at"], include=["waited_seconds"], name="event_kind_owner_time"
            ),
        ),
    ]
