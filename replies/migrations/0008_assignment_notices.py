from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("replies", "0007_performance_indexes")]

    operations = []
