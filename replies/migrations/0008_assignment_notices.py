import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("replies", "0007_performance_indexes")]

    operations = [
        migrations.CreateModel(
            name="AssignmentBatch",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("assigned_at", models.DateTimeField(verbose_name="交办时间")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                (
                    "assigned_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+",
                        to=settings.AUTH_USER_MODEL, verbose_name="交办人",
                    ),
                ),
            ],
            options={
                "verbose_name": "批量交办",
                "verbose_name_plural": "批量交办",
                "ordering": ["-assigned_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="AssignmentNotice",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("year", models.PositiveSmallIntegerField(verbose_name="年度")),
                ("seq", models.PositiveIntegerField(verbose_name="序号")),
                ("document_number", models.CharField(max_length=50, verbose_name="发文字号")),
                ("issued_on", models.DateField(verbose_name="成文日期")),
                ("letter", models.JSONField(verbose_name="通知内容")),
                (
                    "assignments",
                    models.ManyToManyField(related_name="notices", to="proposals.assignment", verbose_name="交办"),
                ),
                (
                    "batch",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="notices",
                        to="replies.assignmentbatch",
                    ),
                ),
                (
                    "bureau",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+",
                        to="accounts.organization", verbose_name="承办单位",
                    ),
                ),
                (
                    "issuer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+",
                        to="accounts.organization", verbose_name="发文单位",
                    ),
                ),
            ],
            options={
                "verbose_name": "交办通知",
                "verbose_name_plural": "交办通知",
                "ordering": ["-issued_on", "-id"],
                "constraints": [
                    models.UniqueConstraint(fields=("issuer", "year", "seq"), name="unique_notice_number"),
                    models.UniqueConstraint(fields=("batch", "bureau"), name="one_notice_per_bureau_and_batch"),
                ],
            },
        ),
    ]
