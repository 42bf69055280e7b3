"""The statistics page's numbers as last counted (统计快照), one per session and one for all."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StatsSnapshot(models.Model):
    """``replies.stats.stats_counts`` of one session (``key`` is its pk) or of all sessions
    (``key`` "all"), with the data's version they were counted at (``proposals.versions``: the
    newest timeline event and data-changing audit record, and the day). Written only by
    ``replies.stats_snapshots.refresh``."""

    ALL = "all"

    key = models.CharField(_("统计范围"), max_length=20, unique=True)
    counts = models.JSONField(_("统计数字"))
    as_of = models.CharField(_("统计时的数据版本"), max_length=80)
    computed_at = models.DateTimeField(_("统计完成时间"))
    seconds = models.FloatField(_("统计用时（秒）"), default=0)

    class Meta:
        verbose_name = _("统计快照")
        verbose_name_plural = _("统计快照")

    def __str__(self):
        return self.key
