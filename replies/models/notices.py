"""Batch assignments (批量交办) and the assignment notice (交办通知) each bureau in one receives."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization
from accounts.roles import roles_of
from proposals.models import Assignment


class AssignmentBatch(models.Model):
    """Proposals assigned together by the congress office, at one moment, to the same bureaus."""

    assigned_at = models.DateTimeField(_("交办时间"))
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("交办人")
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("批量交办")
        verbose_name_plural = _("批量交办")
        ordering = ["-assigned_at", "-id"]

    def __str__(self):
        return f"{timezone.localtime(self.assigned_at):%Y-%m-%d %H:%M}"


class AssignmentNoticeQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The access rule for notices, used by every page and download: a bureau reads the
        notices addressed to it, the two offices (and admins) read all; nobody else any."""
        roles = roles_of(user)
        if roles.sees_everything:
            return self
        return self.filter(bureau_id__in=roles.bureau_ids)


class AssignmentNotice(models.Model):
    """One bureau's 交办通知 of a batch: a letter from the congress office listing the bureau's
    proposals of the batch with their due dates. ``letter`` holds what it prints, fixed when it
    is issued, so a reprint is the same letter whatever happens to the assignments later."""

    batch = models.ForeignKey(AssignmentBatch, on_delete=models.CASCADE, related_name="notices")
    bureau = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("承办单位")
    )
    issuer = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("发文单位")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    seq = models.PositiveIntegerField(_("序号"))
    document_number = models.CharField(_("发文字号"), max_length=50)
    issued_on = models.DateField(_("成文日期"))
    assignments = models.ManyToManyField(Assignment, related_name="notices", verbose_name=_("交办"))
    letter = models.JSONField(_("通知内容"))

    objects = AssignmentNoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("交办通知")
        verbose_name_plural = _("交办通知")
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "year", "seq"], name="unique_notice_number"),
            models.UniqueConstraint(fields=["batch", "bureau"], name="one_notice_per_bureau_and_batch"),
        ]

    def __str__(self):
        return f"{self.document_number} {self.bureau}"

    @property
    def title(self) -> str:
        return self.letter["letter"]["title"]
