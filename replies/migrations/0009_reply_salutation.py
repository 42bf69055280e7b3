"""Whom a reply's salutation names: the lead alone (as before), every author, or 「甲、乙等」."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("replies", "0008_assignment_notices")]

    operations = [
        migrations.AddField(
            model_name="reply",
            name="addressed_to",
            field=models.CharField(
                choices=[("lead", "领衔人"), ("all", "全部联名人"), ("group", "「甲、乙等」")],
                default="lead",
                max_length=10,
                verbose_name="称呼",
            ),
        ),
    ]
