"""Default reference data: categories and responsible units a contact centre starts with.
Administrators edit them in the admin afterwards."""

from django.db import migrations

CATEGORIES = [
    ("billing", "话费争议", "Billing dispute"),
    ("network", "网络质量", "Network quality"),
    ("service_attitude", "服务态度", "Staff attitude"),
    ("product_fault", "产品故障", "Product fault"),
    ("contract", "合约与套餐", "Contract and plan"),
    ("installation", "装机与维修", "Installation and repair"),
    ("privacy", "隐私与安全", "Privacy and security"),
    ("other", "其他", "Other"),
]
UNITS = [
    ("billing_centre", "计费中心", "Billing centre"),
    ("network_ops", "网络运维部", "Network operations"),
    ("retail", "营业厅", "Retail hall"),
    ("contact_centre", "客服中心", "Contact centre"),
    ("field_service", "装维部", "Field service"),
    ("marketing", "市场部", "Marketing"),
    ("legal", "法务部", "Legal"),
]


def load(apps, schema_editor):
    for model_name, rows in (("Category", CATEGORIES), ("ResponsibleUnit", UNITS)):
        model = apps.get_model("cases", model_name)
        for code, zh, en in rows:
            model.objects.get_or_create(code=code, defaults={"name_zh": zh, "name_en": en})


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
