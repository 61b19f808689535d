"""One customer per (normalised) phone number, enforced by the database.

Before the constraint, concurrent intakes for one new number could each create a customer. Those
duplicates are merged first: the oldest customer of a number keeps it, the others' complaints move to
it, and the others are deleted. Each moved complaint and each deleted customer gets its history row
(this runs outside the services, so it writes them itself), with the reason, so an auditor can see
what happened and when.
"""

from django.db import migrations, models
from django.db.models import Count
from django.utils import timezone

REASON = "merged: one customer per phone number (migration complaints 0004)"


def _history_row(history_model, instance, history_type, at):
    values = {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}
    return history_model(
        **values, history_date=at, history_type=history_type, history_change_reason=REASON, history_user_id=None
    )


def merge_duplicate_customers(apps, schema_editor):
    Customer = apps.get_model("complaints", "Customer")
    Complaint = apps.get_model("complaints", "Complaint")
    HistoricalCustomer = apps.get_model("complaints", "HistoricalCustomer")
    HistoricalComplaint = apps.get_model("complaints", "HistoricalComplaint")
    now = timezone.now()
    phones = Customer.objects.values("phone").annotate(n=Count("id")).filter(n__gt=1).values_list("phone", flat=True)
    for phone in phones:
        keep, *others = Customer.objects.filter(phone=phone).order_by("id")
        for other in others:
            for complaint in Complaint.objects.filter(customer=other):
                complaint.customer_id = keep.pk
                complaint.save()
                _history_row(HistoricalComplaint, complaint, "~", now).save()
            _history_row(HistoricalCustomer, other, "-", now).save()
            other.delete()


class Migration(migrations.Migration):
    dependencies = [("complaints", "0003_intake_idempotency_key")]

    operations = [
        migrations.RunPython(merge_duplicate_customers, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="customer",
            name="phone",
            field=models.CharField(max_length=32, verbose_name="phone"),
        ),
        migrations.AlterField(
            model_name="historicalcustomer",
            name="phone",
            field=models.CharField(max_length=32, verbose_name="phone"),
        ),
        migrations.AddConstraint(
            model_name="customer",
            constraint=models.UniqueConstraint(fields=("phone",), name="customer_phone_unique"),
        ),
    ]
