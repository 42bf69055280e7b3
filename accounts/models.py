"""Users, organisations (congress office, government office, bureaus, delegations), roles, deputies,
notifications and the audit log."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _


class ChoiceLabels:
    """``get_FOO_display()`` from a table made once per field. Django's makes a dict of every
    choice on each call, hashing each lazily translated label, which looks the label up in the
    catalogue: a proposal page's 25 timeline rows, of 27 actions each, took 5 ms to name.
    A model with choices names this class before ``models.Model`` in its bases."""

    def _get_FIELD_display(self, field):
        value = getattr(self, field.attname)
        try:
            labels = field.__dict__.get("_choice_labels")
            if labels is None:
                labels = field._choice_labels = dict(field.flatchoices)
            return force_str(labels.get(value, value), strings_only=True)
        except TypeError:  # an unhashable choice or value (never one of ours): Django's own way
            return super()._get_FIELD_display(field)


class AppendOnlyModel(ChoiceLabels, models.Model):
    """A record that is written once and never changed or deleted one by one (the timeline, the
    audit log, deputies' ratings). Subclasses say why in their own words."""

    CHANGED_MESSAGE = "This record is never changed."
    DELETED_MESSAGE = "This record is never deleted."

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError(self.CHANGED_MESSAGE)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(self.DELETED_MESSAGE)


class User(AbstractUser):
    """A person who logs in. Chinese names are kept whole in ``full_name``."""

    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    mobile = models.CharField(_("手机号码"), max_length=20, blank=True, help_text=_("用于短信通知。"))
    notify_by_email = models.BooleanField(
        _("邮件通知"), default=True, help_text=_("站内通知之外，同时发送邮件。")
    )
    # An account an administrator created (or whose password an administrator set) must choose
    # its own password at first login.
    must_change_password = models.BooleanField(_("下次登录须修改密码"), default=False)
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self):
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    def set_password(self, raw_password):
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()


class Organization(ChoiceLabels, models.Model):
    class Kind(models.TextChoices):
        CONGRESS_OFFICE = "congress_office", _("人大代表工委")
        GOVERNMENT_OFFICE = "government_office", _("政府办公室")
        BUREAU = "bureau", _("承办单位")
        DELEGATION = "delegation", _("代表团")

    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("全称"), max_length=100, unique=True)
    short_name = models.CharField(_("简称"), max_length=50)
    # The name printed in cc lists; for a delegation this is its congress body
    # (「白沙路街道人大工作委员会」, 「匡堰镇人大主席团」).
    cc_name = models.CharField(_("抄送名称"), max_length=100, blank=True)
    document_prefix = models.CharField(
        _("发文字号前缀"), max_length=20, blank=True, help_text=_("例如「慈经信建」")
    )

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["document_prefix"],
                condition=~Q(document_prefix=""),
                name="unique_document_prefix",
            )
        ]

    def __str__(self):
        return self.short_name or self.name

    @property
    def cc_label(self) -> str:
        return self.cc_name or self.short_name or self.name


class Membership(ChoiceLabels, models.Model):
    """A user's role in one organisation. A user may hold several."""

    class Role(models.TextChoices):
        BUREAU_STAFF = "bureau_staff", _("承办员")
        BUREAU_LEADER = "bureau_leader", _("签发人")
        CONGRESS_OFFICER = "congress_officer", _("代表工委工作人员")
        SUPERVISOR = "supervisor", _("政府办督办员")

    # Which kind of organisation each role belongs to.
    ROLE_KINDS = {
        Role.BUREAU_STAFF: Organization.Kind.BUREAU,
        Role.BUREAU_LEADER: Organization.Kind.BUREAU,
        Role.CONGRESS_OFFICER: Organization.Kind.CONGRESS_OFFICE,
        Role.SUPERVISOR: Organization.Kind.GOVERNMENT_OFFICE,
    }

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("岗位")
        verbose_name_plural = _("岗位")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization", "role"], name="unique_membership"
            )
        ]

    def __str__(self):
        return f"{self.user} · {self.organization} · {self.get_role_display()}"


class Deputy(models.Model):
    name = models.CharField(_("姓名"), max_length=50)
    delegation = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="deputies",
        limit_choices_to={"kind": Organization.Kind.DELEGATION},
        verbose_name=_("代表团"),
    )
    user = models.OneToOneField(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deputy",
        verbose_name=_("登录账号"),
    )
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    address = models.CharField(_("联系地址"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("代表")
        verbose_name_plural = _("代表")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Notification(models.Model):
    """One message in a user's in-app inbox (站内通知), also sent by e-mail when they want it.

    ``key`` names what it is about (e.g. ``event:123``); one user gets one notification per key,
    so a retried task or a repeated signal never notifies twice.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    key = models.CharField(max_length=100)
    kind = models.CharField(_("类型"), max_length=40)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="one_notification_per_user_and_key")
        ]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self):
        return f"{self.user} · {self.title}"


class AuditRecordQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ValidationError("Audit records are never changed.")


# Audit actions that change data: the lists' counts and the statistics are counted again after one.
DATA_CHANGES = ("admin_add", "admin_change", "admin_delete", "import")


class AuditRecord(AppendOnlyModel):
    """One security event (审计日志): who, from which address, when, on what, and how it ended.

    Append-only: written only by ``accounts.audit.audit_record``, never changed, never deleted one
    by one. The only deletion is ``manage.py audit_purge``, which removes records older than
    ``AUDIT_RETENTION_DAYS`` in bulk. The user is kept as id and name text, not a foreign key,
    so a record outlives the account it names.
    """

    class Action(models.TextChoices):
        LOGIN = "login", _("登录")
        LOCKOUT = "lockout", _("登录锁定")
        LOGOUT = "logout", _("退出登录")
        ACCESS_DENIED = "access_denied", _("拒绝访问")
        REPLY_PDF = "reply_pdf", _("下载答复 PDF")
        OPINION_PDF = "opinion_pdf", _("下载协办意见 PDF")
        EXPORT_DOWNLOAD = "export_download", _("下载批量导出")
        EVALUATION_SCAN = "evaluation_scan", _("下载测评扫描件")
        SIGN = "sign", _("签发编号")
        RELEASE = "release", _("公开答复")
        ADMIN_ADD = "admin_add", _("后台新增")
        ADMIN_CHANGE = "admin_change", _("后台修改")
        ADMIN_DELETE = "admin_delete", _("后台删除")
        AUDIT_EXPORT = "audit_export", _("导出审计日志")
        AUDIT_PURGE = "audit_purge", _("清理审计日志")
        IMPORT = "import", _("Excel 导入")
        LIST_EXPORT = "list_export", _("导出建议清单")
        NOTICE_PDF = "notice_pdf", _("下载交办通知 PDF")
        REPORT_DOWNLOAD = "report_download", _("下载办理情况报告")

    class Outcome(models.TextChoices):
        SUCCESS = "success", _("成功")
        FAILURE = "failure", _("失败")
        REFUSED = "refused", _("拒绝")

    created_at = models.DateTimeField(_("时间"), default=timezone.now, editable=False, db_index=True)
    user_pk = models.BigIntegerField(_("用户 ID"), null=True, blank=True)
    username = models.CharField(_("用户名"), max_length=150, blank=True)
    address = models.GenericIPAddressField(_("地址"), null=True, blank=True)
    action = models.CharField(_("操作"), max_length=40, choices=Action.choices)
    outcome = models.CharField(_("结果"), max_length=10, choices=Outcome.choices, default=Outcome.SUCCESS)
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True)
    object_id = models.CharField(_("对象 ID"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    detail = models.TextField(_("详情"), blank=True)
    request_id = models.CharField(_("请求号"), max_length=32, blank=True)

    objects = AuditRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The newest record of a change to data (proposals.versions): one index entry away.
            models.Index(fields=["id"], name="audit_data_change_idx", condition=models.Q(action__in=DATA_CHANGES)),
        ]

    # Bulk removal of expired records is audit_purge's job (a queryset delete), not an instance's.
    CHANGED_MESSAGE = "Audit records are never changed."
    DELETED_MESSAGE = "Audit records are never deleted one by one."

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.username or '-'} {self.action}"
