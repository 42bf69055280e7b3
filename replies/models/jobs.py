"""Background jobs: official-letter PDFs of signed replies and bulk exports."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import ChoiceLabels
from accounts.roles import roles_of

from .documents import Reply


class LetterPdf(ChoiceLabels, models.Model):
    """One rendering of a signed reply's official letter: a background job and its file.

    A signed reply never changes, so every rendering of it has the same text; ``generation``
    counts re-renders an admin asked for. The file's path is keyed by reply and generation and
    written atomically, so a retried or duplicated job rewrites the same file, never a second one.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RENDERING = "rendering", _("生成中")
        DONE = "done", _("已生成")
        FAILED = "failed", _("生成失败")

    reply = models.ForeignKey(Reply, on_delete=models.PROTECT, related_name="pdfs")
    generation = models.PositiveSmallIntegerField(default=1)
    state = models.CharField(max_length=12, choices=State.choices, default=State.QUEUED, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    file_path = models.CharField(max_length=300, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    size = models.PositiveIntegerField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["reply_id", "-generation"]
        constraints = [
            models.UniqueConstraint(fields=["reply", "generation"], name="unique_pdf_generation")
        ]

    def __str__(self):
        return f"{self.reply} PDF #{self.generation} ({self.state})"


class ExportJobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """An export is its requester's (and admins'): it holds what that person could see."""
        roles = roles_of(user)
        if roles.is_admin:
            return self
        if not roles.may_export:
            return self.none()
        return self.filter(requested_by_id=user.pk)


class ExportJob(ChoiceLabels, models.Model):
    """A ZIP of signed replies' PDFs with an index.xlsx, built in the background."""

    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    session = models.ForeignKey("proposals.Session", on_delete=models.PROTECT, related_name="+")
    query = models.CharField(_("筛选条件"), max_length=1000, blank=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.QUEUED)
    reply_ids = models.JSONField(default=list)
    total = models.PositiveIntegerField(default=0)
    rendered = models.PositiveIntegerField(default=0)
    chunks_total = models.PositiveIntegerField(default=0)
    chunks_done = models.PositiveIntegerField(default=0)
    # Which chunks (by index) are finished, when a worker last showed signs of life, and how
    # often the sweep has sent unfinished chunks again after their worker died.
    chunk_size = models.PositiveIntegerField(default=10)
    done_chunks = models.JSONField(default=list)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    redispatches = models.PositiveSmallIntegerField(default=0)
    file_path = models.CharField(max_length=300, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"export {self.pk} ({self.state})"

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        if not self.total:
            return 0
        # Rendering is most of the work; the last 5% is writing the ZIP.
        return min(95, round(95 * self.rendered / self.total))
