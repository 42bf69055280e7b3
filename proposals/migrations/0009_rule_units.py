"""Each deadline rule of a session counts months, calendar days or working days (a setting per
session), and the reassignment window and the recess assignment period become session rules."""

import django.core.validators
from django.db import migrations, models

UNITS = [("months", "个月"), ("days", "日"), ("working_days", "个工作日")]


def amount(verbose_name, default, help_text=""):
    return models.PositiveSmallIntegerField(
        verbose_name,
        default=default,
        help_text=help_text,
        validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(366)],
    )


def unit(default):
    return models.CharField("计时单位", max_length=12, choices=UNITS, default=default)


class Migration(migrations.Migration):
    dependencies = [("proposals", "0008_reminders")]

    operations = [
        migrations.RenameField("session", "reply_due_months", "reply_due"),
        migrations.RenameField("session", "opinion_due_months", "opinion_due"),
        migrations.RenameField("session", "rehandling_due_months", "rehandling_due"),
        migrations.RenameField("session", "release_due_working_days", "release_due"),
        migrations.AlterField("session", "reply_due", amount("答复期限", 3)),
        migrations.AlterField("session", "opinion_due", amount("协办意见期限", 1)),
        migrations.AlterField("session", "rehandling_due", amount("重新办理期限", 1)),
        migrations.AlterField("session", "release_due", amount("公开期限", 20, "主动公开的答复在送达后多久公开。")),
        migrations.AddField("session", "reply_due_unit", unit("months")),
        migrations.AddField("session", "opinion_due_unit", unit("months")),
        migrations.AddField("session", "rehandling_due_unit", unit("months")),
        migrations.AddField("session", "release_due_unit", unit("working_days")),
        migrations.AddField(
            "session", "reassignment_window", amount("调整交办申请期限", 10, "承办单位在交办后多久内可申请调整。")
        ),
        migrations.AddField("session", "reassignment_window_unit", unit("days")),
        migrations.AddField(
            "session",
            "recess_assignment_due",
            amount("闭会期间建议交办期限", 5, "闭会期间收到的建议在收到后多久内交办。"),
        ),
        migrations.AddField("session", "recess_assignment_due_unit", unit("working_days")),
    ]
