from django.db import migrations

PRODUCTS = [
    ("mobile_plan", "手机套餐", "Mobile plan"),
    ("broadband", "家庭宽带", "Home broadband"),
    ("iptv", "IPTV 电视", "IPTV"),
    ("roaming", "国际漫游", "International roaming"),
    ("value_added", "增值业务", "Value-added service"),
    ("handset", "手机终端", "Handset"),
]


def load(apps, schema_editor):
    Product = apps.get_model("complaints", "Product")
    for code, zh, en in PRODUCTS:
        Product.objects.get_or_create(code=code, defaults={"name_zh": zh, "name_en": en})


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
