"""The issue's default authority limits (yuan): an agent 50, a supervisor 500, the escalation desk
5,000; auditors and administrators decide no cases, so 0. Admins edit them afterwards; a row already
there is left as it is."""

from decimal import Decimal

from django.db import migrations

LIMITS = {
    "agent": Decimal("50"),
    "supervisor": Decimal("500"),
    "escalation_desk": Decimal("5000"),
    "auditor": Decimal("0"),
    "admin": Decimal("0"),
}


def seed(apps, schema_editor):
    AuthorityLimit = apps.get_model("escalation", "AuthorityLimit")
    for role, limit in LIMITS.items():
        AuthorityLimit.objects.get_or_create(role=role, defaults={"limit": limit})


class Migration(migrations.Migration):
    dependencies = [("escalation", "0004_compensation_approvals")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
