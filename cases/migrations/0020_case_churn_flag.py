"""The retention flag (issue 9, item 7): when and by whom a case was flagged as a churn risk.

Unflagging on SQLite rebuilds `cases_case` (dropping a foreign key column), so the append-only
triggers are suspended around it, as in 0008."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from cases.db_protections import with_sqlite_triggers_suspended


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0019_owner_deadline_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = with_sqlite_triggers_suspended(
        migrations.AddField(
            model_name="case",
            name="churn_flagged_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="retention risk flagged"),
        ),
        migrations.AddField(
            model_name="case",
            name="churn_flagged_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="retention risk flagged by",
            ),
        ),
        migrations.AddField(
            model_name="historicalcase",
            name="churn_flagged_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="retention risk flagged"),
        ),
        migrations.AddField(
            model_name="historicalcase",
            name="churn_flagged_by",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="retention risk flagged by",
            ),
        ),
    )
