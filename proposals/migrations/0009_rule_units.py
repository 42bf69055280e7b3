from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("proposals", "0008_reminders")]

    operations = []
