"""Sessions, proposals, assignments to bureaus, consultations and the immutable event log."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Deputy, Organization
from accounts.roles import roles_of

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
        """The access rule for proposals, used by every list, page, filter, export and download:
        the offices see all; a bureau sees what it handles (not what was reassigned away from it);
        a deputy sees what they lead or co-signed. Everyone else sees nothing (views say 404)."""
        roles = roles_of(user)
        if roles.sees_everything:
            return self
        rule = Q(pk__in=[])
        if roles.is_bureau_member:
            rule |= Exists(
                Assignment.objects.active().filter(
                    proposal=OuterRef("pk"), bureau_id__in=roles.bureau_ids
                )
            )
        if roles.is_deputy:
            rule |= Q(lead_deputy_id=roles.deputy_id) | Exists(
                Proposal.co_signers.through.objects.filter(
                    proposal_id=OuterRef("pk"), deputy_id=roles.deputy_id
                )
            )
        return self.filter(rule)


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
        """Assignments of proposals the user may see: a bureau sees the other bureaus on a
        proposal it handles (the lead must know its assistants), deputies see where theirs went."""
        return self.filter(proposal__in=Proposal.objects.visible_to(user))

    def worked_by(self, user):
        """The assignments of the user's own bureaus: what they may act on."""
        return self.active().filter(bureau_id__in=roles_of(user).bureau_ids)

    def active(self):
        return self.exclude(state=AssignmentState.WITHDRAWN)

    def open(self):
        return self.filter(state__in=OPEN_ASSIGNMENT_STATES)

    # The one definition of overdue and due soon; Assignment.due_status says the same in Python.
    def overdue(self, today=None):
        return self.open().filter(due_on__lt=today or timezone.localdate())

    def due_soon(self, today=None):
        today = today or timezone.localdate()
        return self.open().filter(
            due_on__gte=today, due_on__lte=today + datetime.timedelta(days=settings.DUE_SOON_DAYS)
        )


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

    def days_left(self, today=None) -> int:
        return (self.due_on - (today or timezone.localdate())).days

    @property
    def due_status(self) -> str:
        """"overdue", "soon" (within DUE_SOON_DAYS) or "": how pages mark the due date, by the
        same rule as ``Assignment.objects.overdue()`` and ``.due_soon()``."""
        if not self.is_open:
            return ""
        days = self.days_left()
        if days < 0:
            return "overdue"
        return "soon" if days <= settings.DUE_SOON_DAYS else ""

    def is_overdue(self, today=None) -> bool:
        return self.is_open and self.days_left(today) < 0


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


class EventQuerySet(models.QuerySet):
    def for_deputies(self):
        return self.filter(action__in=Event.Action.deputy_visible())


class Event(models.Model):
    """One immutable timeline row: who did what, from which state to which, and why.

    Written only by ``proposals.events.event_record``.
    """

    class Action(models.TextChoices):
        REGISTER = "register", _("登记建议")
        ASSIGN = "assign", _("交办")
        ACCEPT = "accept", _("接收交办")
        REQUEST_REASSIGNMENT = "request_reassignment", _("申请调整交办")
        APPROVE_REASSIGNMENT = "approve_reassignment", _("同意调整交办")
        REFUSE_REASSIGNMENT = "refuse_reassignment", _("不同意调整交办")
        REASSIGN = "reassign", _("调整交办")
        CONSULTATION = "consultation", _("记录沟通")
        SUBMIT = "submit", _("送签发")
        RETURN = "return", _("退回修改")
        SIGN = "sign", _("签发")
        SEND = "send", _("发送答复")
        NEW_ROUND = "new_round", _("另起一轮答复")
        SEND_OPINION = "send_opinion", _("签发并送出协办意见")
        PDF_RERENDER = "pdf_rerender", _("重新生成 PDF")
        CLOSE = "close", _("办结")

        @classmethod
        def deputy_visible(cls) -> frozenset:
            """What a deputy may read on their proposal's timeline: the steps that concern
            them, never the exchanges between staff and leaders (submit, return, signing)."""
            return DEPUTY_VISIBLE_ACTIONS

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="events")
    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(_("操作"), max_length=40, choices=Action.choices)
    from_state = models.CharField(_("原状态"), max_length=30, blank=True)
    to_state = models.CharField(_("新状态"), max_length=30, blank=True)
    note = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"

    @property
    def deputy_may_see(self) -> bool:
        return self.action in DEPUTY_VISIBLE_ACTIONS

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValidationError("Events are immutable.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Events are immutable.")


DEPUTY_VISIBLE_ACTIONS = frozenset(
    {
        Event.Action.REGISTER,
        Event.Action.ASSIGN,
        Event.Action.REASSIGN,
        Event.Action.CONSULTATION,
        Event.Action.SEND,
        Event.Action.CLOSE,
    }
)
