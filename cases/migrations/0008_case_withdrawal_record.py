"""When and how a customer withdrew, in their words (issue 7, item 11)."""

from django.db import migrations, models

from cases.db_protections import with_sqlite_triggers_suspended


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_postgres_search_grams"),
    ]

    operations = with_sqlite_triggers_suspended(
        migrations.AddField(
            model_name="case",
            name="withdrawal_channel",
            field=models.CharField(
                blank=True,
                choices=[
                    ("informal", "Informal grumble"),
                    ("phone", "Phone hotline"),
                    ("retail_hall", "Retail hall"),
                    ("web", "E-mail / web"),
                    ("letter", "Letter"),
                    ("regulator", "Regulator / third-party body"),
                    ("legal", "Legal threat / court"),
                ],
                max_length=20,
                verbose_name="withdrawn through",
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="withdrawal_words",
            field=models.TextField(blank=True, verbose_name="the customer's words on withdrawing"),
        ),
        migrations.AddField(
            model_name="case",
            name="withdrawn_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="withdrawn by the customer at"),
        ),
        migrations.AddField(
            model_name="historicalcase",
            name="withdrawal_channel",
            field=models.CharField(
                blank=True,
                choices=[
                    ("informal", "Informal grumble"),
                    ("phone", "Phone hotline"),
                    ("retail_hall", "Retail hall"),
                    ("web", "E-mail / web"),
                    ("letter", "Letter"),
                    ("regulator", "Regulator / third-party body"),
                    ("legal", "Legal threat / court"),
                ],
                max_length=20,
                verbose_name="withdrawn through",
            ),
        ),
        migrations.AddField(
            model_name="historicalcase",
            name="withdrawal_words",
            field=models.TextField(blank=True, verbose_name="the customer's words on withdrawing"),
        ),
        migrations.AddField(
            model_name="historicalcase",
            name="withdrawn_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="withdrawn by the customer at"),
        ),
    )
