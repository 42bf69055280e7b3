"""Deputies' evaluations of sent replies (满意度测评).

A rating is never changed: a correction by the congress office is a new row that names the row
it corrects and why; the current rating of a deputy for a reply is the newest row.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import AppendOnlyModel, Deputy
from accounts.roles import roles_of
from proposals.models import Proposal, is_marked_for

from .documents import Reply


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY = "basically", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")


class EvaluationQuerySet(models.QuerySet):
    def visible_to(self, user, proposal=None, replies=None):
        """The offices read every rating; a bureau reads the ratings of replies it may read;
        a deputy reads their own. ``proposal``: the page's proposal
        (``proposals.models.on_visible_proposals``). ``replies``: the page's replies; when each
        was read through its rule for this user (``mark_visible``), the condition is their ids,
        not the replies' rule again as a subquery."""
        roles = roles_of(user)
        if roles.sees_everything:
            return self
        if replies is not None and all(is_marked_for(reply, user) for reply in replies):
            visible = self.filter(reply_id__in=[reply.pk for reply in replies])
        else:
            visible = self.filter(reply__in=Reply.objects.visible_to(user, proposal))
        if roles.is_bureau_member:
            return visible
        if roles.is_deputy:
            return visible.filter(deputy_id=roles.deputy_id)
        return visible.none()

    def current(self):
        """The newest rating of each deputy for each reply (corrections replace, never erase)."""
        return self.filter(superseded_by__isnull=True)


class Evaluation(AppendOnlyModel):
    class Source(models.TextChoices):
        ONLINE = "online", _("代表在线测评")
        PAPER = "paper", _("纸质测评表（代表工委录入）")

    reply = models.ForeignKey(Reply, on_delete=models.PROTECT, related_name="evaluations")
    deputy = models.ForeignKey(Deputy, on_delete=models.PROTECT, related_name="evaluations")
    work = models.CharField(_("办理工作"), max_length=12, choices=Satisfaction.choices)
    result = models.CharField(_("办理结果"), max_length=12, choices=Satisfaction.choices)
    comment = models.TextField(_("意见"), blank=True)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices, default=Source.ONLINE)
    scan = models.FileField(_("测评表扫描件"), upload_to="evaluations/%Y/", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    corrects = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    correction_reason = models.TextField(_("更正原因"), blank=True)

    objects = EvaluationQuerySet.as_manager()

    class Meta:
        verbose_name = _("测评")
        verbose_name_plural = _("测评")
        ordering = ["created_at", "id"]
        constraints = [
            # One first rating per deputy and reply; later rows are corrections.
            models.UniqueConstraint(
                fields=["reply", "deputy"],
                condition=models.Q(corrects__isnull=True),
                name="one_first_rating_per_deputy_and_reply",
            )
        ]

    def __str__(self):
        return f"{self.deputy} · {self.get_work_display()} / {self.get_result_display()}"

    @property
    def is_dissatisfied(self) -> bool:
        return Satisfaction.DISSATISFIED in (self.work, self.result)

    @property
    def proposal(self) -> Proposal:
        return self.reply.assignment.proposal

    CHANGED_MESSAGE = _("测评一经提交不能修改；如需更正，请由代表工委另行录入更正记录。")
    DELETED_MESSAGE = _("测评记录不能删除。")
