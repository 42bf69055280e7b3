"""Sessions, proposals, assignments to bureaus, consultations and the immutable event log."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Deputy, Organization

from .numerals import chinese_numeral
from .states import OPEN_ASSIGNMENT_STATES, AssignmentState, ProposalState


class Session(models.Model):
    """One session of a congress (市十八届人大一次会议) or of the CPPCC, with its deadline settings."""

    class Body(models.TextChoices):
        PEOPLES_CONGRESS = "npc", _("人大")
        CPPCC = "cppcc", _("政协")

    body = models.CharField(
        _("机构"), max_length=10, choices=Body.choices, default=Body.PEOPLES_CONGRESS
    )
    term = models.PositiveSmallIntegerField(
        _("届"), validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    number = models.PositiveSmallIntegerField(
        _("次会议"), validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    starts_on = models.DateField(_("开幕日期"))
    ends_on = models.DateField(_("闭幕日期"))
    reply_due_months = models.PositiveSmallIntegerField(
        _("答复期限（月）"), default=settings.REPLY_DUE_MONTHS,
        validators=[MinValueValidator(1), MaxValueValidator(6)],
    )
    opinion_due_months = models.PositiveSmallIntegerField(
        _("协办意见期限（月）"), default=settings.OPINION_DUE_MONTHS,
        validators=[MinValueValidator(1), MaxValueValidator(6)],
    )
    category_marks = models.CharField(
        _("类别标记"),
        max_length=8,
        default=settings.CATEGORY_MARKS,
        validators=[RegexValidator(r"^[A-D]{2,4}$", _("只能由 A–D 组成，例如 ABCD 或 ABC。"))],
        help_text=_("本次会议可用的答复类别标记，例如 ABCD；有的省份只用 ABC。"),
    )

    class Meta:
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        ordering = ["-term", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["body", "term", "number"], name="unique_session"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="session_ends_after_start",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        """市十八届人大一次会议 / 市十三届政协二次会议"""
        return (
            f"市{chinese_numeral(self.term)}届{self.get_body_display()}"
            f"{chinese_numeral(self.number)}次会议"
        )

    @property
    def code(self) -> str:
        """18-1: how the shell and URLs name a session."""
        return f"{self.term}-{self.number}"

    @property
    def item_noun(self) -> str:
        return "提案" if self.body == self.Body.CPPCC else "建议"


class ProposalQuerySet(models.QuerySet):
    def visible_to(self, user):
        from .selectors import proposals_visible_to

        return proposals_visible_to(user, self)


class Proposal(models.Model):
    class Timing(models.TextChoices):
        DURING_SESSION = "during_session", _("会议期间")
        RECESS = "recess", _("闭会期间")

    class Category(models.TextChoices):
        ECONOMY = "economy", _("工业经济")
        URBAN = "urban", _("城乡建设")
        AGRICULTURE = "agriculture", _("农业农村")
        SOCIAL = "social", _("教科文卫")
        WELFARE = "welfare", _("民生保障")
        GOVERNANCE = "governance", _("政法与社会治理")
        OTHER = "other", _("其他")

    session = models.ForeignKey(
        Session, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("会议")
    )
    number = models.PositiveIntegerField(_("编号"), validators=[MinValueValidator(1)])
    title = models.CharField(_("标题"), max_length=200)
    reasons = models.TextField(_("事由"), blank=True)
    suggestions = models.TextField(_("建议"), blank=True)
    lead_deputy = models.ForeignKey(
        Deputy, on_delete=models.PROTECT, related_name="led_proposals", verbose_name=_("领衔代表")
    )
    co_signers = models.ManyToManyField(
        Deputy, blank=True, related_name="cosigned_proposals", verbose_name=_("附议代表")
    )
    timing = models.CharField(
        _("提出时间"), max_length=20, choices=Timing.choices, default=Timing.DURING_SESSION
    )
    category = models.CharField(_("类别"), max_length=20, choices=Category.choices)
    key_supervised = models.BooleanField(_("重点督办"), default=False)
    received_on = models.DateField(_("收到日期"))
    state = models.CharField(
        _("状态"),
        max_length=20,
        choices=ProposalState.choices,
        default=ProposalState.RECEIVED,
        db_index=True,
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("建议")
        verbose_name_plural = _("建议")
        ordering = ["session", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "number"],
                name="unique_proposal_number_in_session",
                violation_error_message=_("本次会议已有同一编号的建议。"),
            )
        ]
        indexes = [models.Index(fields=["state", "session"])]

    def __str__(self):
        return f"{self.label} {self.title}"

    @property
    def label(self) -> str:
        """第176号"""
        return f"第{self.number}号"

    @property
    def full_label(self) -> str:
        """市十七届人大三次会议第176号建议"""
        return f"{self.session.name}第{self.number}号{self.session.item_noun}"


class AssignmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        from .selectors import assignments_visible_to

        return assignments_visible_to(user, self)

    def active(self):
        return self.exclude(state=AssignmentState.WITHDRAWN)

    def open(self):
        return self.filter(state__in=OPEN_ASSIGNMENT_STATES)

    def overdue(self, today=None):
        today = today or timezone.localdate()
        return self.open().filter(due_on__lt=today)


class Assignment(models.Model):
    """A proposal given to one bureau, as lead (主办) or assisting (协办)."""

    class Role(models.TextChoices):
        LEAD = "lead", _("主办")
        ASSISTING = "assisting", _("协办")

    class Handling(models.TextChoices):
        JOINT = "joint", _("主办+协办")
        SPLIT = "split", _("分办")

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("建议")
    )
    bureau = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="assignments",
        limit_choices_to={"kind": Organization.Kind.BUREAU},
        verbose_name=_("承办单位"),
    )
    role = models.CharField(_("承办方式"), max_length=10, choices=Role.choices)
    handling = models.CharField(
        _("办理方式"), max_length=10, choices=Handling.choices, default=Handling.JOINT
    )
    state = models.CharField(
        _("状态"),
        max_length=30,
        choices=AssignmentState.choices,
        default=AssignmentState.ASSIGNED,
        db_index=True,
    )
    assigned_at = models.DateTimeField(_("交办时间"), default=timezone.now)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    due_on = models.DateField(_("办理期限"))
    due_basis = models.CharField(_("期限计算依据"), max_length=200)
    # A reassignment request's reasons, kept while the congress office decides.
    reassignment_reason = models.TextField(_("调整交办理由"), blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("交办")
        verbose_name_plural = _("交办")
        ordering = ["proposal", "-role", "id"]  # lead before assisting
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "bureau"],
                condition=~models.Q(state=AssignmentState.WITHDRAWN),
                name="one_active_assignment_per_bureau",
                violation_error_message=_("该单位已承办此建议。"),
            )
        ]
        indexes = [models.Index(fields=["bureau", "state"]), models.Index(fields=["due_on"])]

    def __str__(self):
        return f"{self.proposal.label} · {self.bureau} · {self.get_role_display()}"

    @property
    def is_lead(self) -> bool:
        return self.role == self.Role.LEAD

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_ASSIGNMENT_STATES

    def is_overdue(self, today=None) -> bool:
        return self.is_open and self.due_on < (today or timezone.localdate())

    def days_left(self, today=None) -> int:
        return (self.due_on - (today or timezone.localdate())).days

    @property
    def due_status(self) -> str:
        """"overdue", "soon" (within DUE_SOON_DAYS) or "" — how lists mark the due date."""
        if not self.is_open:
            return ""
        days = self.days_left()
        if days < 0:
            return "overdue"
        return "soon" if days <= settings.DUE_SOON_DAYS else ""


class Consultation(models.Model):
    """Contact with the deputy before, during or after handling (办前/办中/办后沟通)."""

    class Form(models.TextChoices):
        FACE_TO_FACE = "face_to_face", _("当面沟通")
        VISIT = "visit", _("走访")
        PHONE = "phone", _("电话")
        MEETING = "meeting", _("座谈会")
        WRITTEN = "written", _("书面")

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="consultations"
    )
    held_on = models.DateField(_("日期"))
    form = models.CharField(_("形式"), max_length=20, choices=Form.choices)
    participants = models.CharField(_("参加人员"), max_length=300)
    summary = models.TextField(_("内容摘要"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("沟通记录")
        verbose_name_plural = _("沟通记录")
        ordering = ["held_on", "id"]

    def __str__(self):
        return f"{self.held_on} {self.get_form_display()}"

    def clean(self):
        if self.held_on and self.held_on > timezone.localdate():
            raise ValidationError({"held_on": _("沟通日期不能晚于今天。")})


class Event(models.Model):
    """One immutable timeline row: who did what, from which state to which, and why."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="events")
    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(_("操作"), max_length=40)
    from_state = models.CharField(_("原状态"), max_length=30, blank=True)
    to_state = models.CharField(_("新状态"), max_length=30, blank=True)
    note = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValidationError("Events are immutable.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Events are immutable.")
