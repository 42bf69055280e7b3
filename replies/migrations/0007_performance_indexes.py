from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("replies", "0006_export_leases")]

    operations = []
