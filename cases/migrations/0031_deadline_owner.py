"""Each deadline names who answers for it (Deadline.owner): the case's owner while it runs, kept once it
is decided. Existing deadlines take the owner their case has now (who held it when one was decided was
not recorded); their history rows are left as written (the history tables refuse UPDATE)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    case_model, deadline_model = apps.get_model("cases", "Case"), apps.get_model("cases", "Deadline")
    deadline_model.objects.update(
        owner=Subquery(case_model.objects.filter(pk=OuterRef("case_id")).values("owner_id")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0030_event_owner"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="deadline",
            name="owner",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="answerable",
            ),
        ),
        migrations.AddField(
            model_name="historicaldeadline",
            name="owner",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="answerable",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
