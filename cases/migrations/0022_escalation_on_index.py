"""Case.escalation_status, the case's copy of its open escalation's state (escalation/ fills it in its
0009), and the desk's index of escalated cases by deadline. Adding the column rebuilds `cases_case`
on SQLite, so the append-only triggers are suspended around it, as in 0020."""

import datetime

import django.db.models.functions.comparison
from django.conf import settings
from django.db import migrations, models

from cases.db_protections import with_sqlite_triggers_suspended


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0021_history_reasons_in_full"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        *with_sqlite_triggers_suspended(
            migrations.AddField(
                model_name="case",
                name="escalation_status",
                field=models.CharField(
                    blank=True, default="", editable=False, max_length=12, verbose_name="escalation"
                ),
            ),
            migrations.AddField(
                model_name="historicalcase",
                name="escalation_status",
                field=models.CharField(
                    blank=True, default="", editable=False, max_length=12, verbose_name="escalation"
                ),
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                django.db.models.functions.comparison.Coalesce(
                    "deadline_at",
                    models.Value(
                        datetime.datetime(2099, 12, 31, 23, 59, 59, 999999, tzinfo=datetime.UTC),
                        output_field=models.DateTimeField(),
                    ),
                    output_field=models.DateTimeField(),
                ),
                models.F("id"),
                condition=models.Q(("escalation_status", ""), _negated=True),
                name="case_escalated_deadline",
            ),
        ),
    ]
