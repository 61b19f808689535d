"""The Agreement step's commitments grow into promises (issue 8): same rows, renamed; the new fields
and the data follow in 0011 and 0012."""

from django.conf import settings
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0009_verbose_names_for_the_admin"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]
    operations = [
        migrations.RemoveIndex(model_name="commitment", name="commitment_due"),
        migrations.RenameModel(old_name="Commitment", new_name="Promise"),
        migrations.RenameModel(old_name="HistoricalCommitment", new_name="HistoricalPromise"),
    ]
