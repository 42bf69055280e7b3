from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("proposals", "0009_rule_units")]

    operations = []
