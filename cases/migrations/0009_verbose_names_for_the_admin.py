"""Admin labels only (verbose names); the database is unchanged."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0008_case_withdrawal_record"),
    ]

    operations = [
        migrations.AlterField(
            model_name="caseevent",
            name="case",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="events", to="cases.case", verbose_name="case"
            ),
        ),
    ]
