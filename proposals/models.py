"""Sessions, proposals, assignments to bureaus, consultations and the immutable event log."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.memo import once_per_request
from accounts.models import AppendOnlyModel, ChoiceLabels, Deputy, Organization
from accounts.roles import roles_of

from .numerals import chinese_numeral
from .states import OPEN_ASSIGNMENT_STATES, AssignmentState, ProposalState


class DueUnit(models.TextChoices):
    """What a deadline rule counts: calendar months, calendar days or working days."""

    MONTHS = "months", _("个月")
    DAYS = "days", _("日")
    WORKING_DAYS = "working_days", _("个工作日")


DUE_UNIT_LIMITS = {DueUnit.MONTHS: 12, DueUnit.DAYS: 366, DueUnit.WORKING_DAYS: 250}


@dataclass(frozen=True)
class DueRule:
    """A session's rule for one due date: 3 个月 from 交办, 20 个工作日 from 答复送达 …"""

    amount: int
    unit: str
    what: str
    counted_from: str

    def __str__(self):
        # Translators: a deadline rule, 3个月 or 20个工作日 (English adds a space: 3 months).
        return _("%(amount)s%(unit)s") % {"amount": self.amount, "unit": DueUnit(self.unit).label}


def _due_amount(verbose_name, default, **kwargs):
    return models.PositiveSmallIntegerField(
        verbose_name, default=default, validators=[MinValueValidator(1), MaxValueValidator(366)], **kwargs
    )


def _due_unit(default):
    return models.CharField(_("计时单位"), max_length=12, choices=DueUnit.choices, default=default)


class Session(ChoiceLabels, models.Model):
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
    reply_due = _due_amount(_("答复期限"), settings.REPLY_DUE_MONTHS)
    reply_due_unit = _due_unit(DueUnit.MONTHS)
    opinion_due = _due_amount(_("协办意见期限"), settings.OPINION_DUE_MONTHS)
    opinion_due_unit = _due_unit(DueUnit.MONTHS)
    category_marks = models.CharField(
        _("类别标记"),
        max_length=8,
        default=settings.CATEGORY_MARKS,
        validators=[RegexValidator(r"^[A-D]{2,4}$", _("只能由 A–D 组成，例如 ABCD 或 ABC。"))],
        help_text=_("本次会议可用的答复类别标记，例如 ABCD；有的省份只用 ABC。"),
    )

    class Raters(models.TextChoices):
        LEAD = "lead", _("领衔代表")
        ALL = "all", _("领衔代表和附议代表")

    raters = models.CharField(
        _("测评代表"), max_length=10, choices=Raters.choices, default=settings.RATERS
    )
    rating_window_days = models.PositiveSmallIntegerField(
        _("测评期限（天）"), default=settings.RATING_WINDOW_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("答复送达后多少天内可以测评。"),
    )
    rehandling_due = _due_amount(_("重新办理期限"), settings.REHANDLING_DUE_MONTHS)
    rehandling_due_unit = _due_unit(DueUnit.MONTHS)
    release_due = _due_amount(
        _("公开期限"), settings.RELEASE_DUE_WORKING_DAYS, help_text=_("主动公开的答复在送达后多久公开。")
    )
    release_due_unit = _due_unit(DueUnit.WORKING_DAYS)
    reassignment_window = _due_amount(
        _("调整交办申请期限"), settings.REASSIGNMENT_WINDOW_DAYS, help_text=_("承办单位在交办后多久内可申请调整。")
    )
    reassignment_window_unit = _due_unit(DueUnit.DAYS)
    recess_assignment_due = _due_amount(
        _("闭会期间建议交办期限"), settings.RECESS_ASSIGN_WORKING_DAYS, help_text=_("闭会期间收到的建议在收到后多久内交办。")
    )
    recess_assignment_due_unit = _due_unit(DueUnit.WORKING_DAYS)

    # The rules a session sets, by name: what each due date is called and what it counts from.
    RULES = {
        "reply": ("答复期限", "交办"),
        "opinion": ("协办意见期限", "交办"),
        "rehandling": ("重新办理期限", "测评"),
        "release": ("公开期限", "答复送达"),
        "reassignment_window": ("调整交办申请期限", "交办"),
        "recess_assignment": ("交办期限", "收到"),
    }

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

    # What documents print: never translated (a letter signed in the English interface is Chinese).
    BODY_NAMES = {"npc": "人大", "cppcc": "政协"}

    @property
    def name(self) -> str:
        """市十八届人大一次会议 / 市十三届政协二次会议, as documents print it."""
        return (
            f"市{chinese_numeral(self.term)}届{self.BODY_NAMES[self.body]}"
            f"{chinese_numeral(self.number)}次会议"
        )

    @property
    def code(self) -> str:
        """18-1: how the shell and URLs name a session."""
        return f"{self.term}-{self.number}"

    @property
    def member_title(self) -> str:
        """How a letter addresses the proposal's author: 代表 (人大) or 委员 (政协)."""
        return "委员" if self.body == self.Body.CPPCC else "代表"

    @property
    def item_noun(self) -> str:
        return "提案" if self.body == self.Body.CPPCC else "建议"

    def rule(self, name: str) -> "DueRule":
        """One of ``RULES`` as amount and unit, e.g. ``rule("reply")`` → 3 个月."""
        field = name if name == "reassignment_window" else f"{name}_due"
        what, counted_from = self.RULES[name]
        return DueRule(getattr(self, field), getattr(self, f"{field}_unit"), what, counted_from)

    @property
    def reply_rule(self) -> "DueRule":
        return self.rule("reply")

    @property
    def opinion_rule(self) -> "DueRule":
        return self.rule("opinion")

    def clean(self):
        super().clean()
        errors = {}
        for name in self.RULES:
            rule = self.rule(name)
            field = name if name == "reassignment_window" else f"{name}_due"
            if rule.amount and rule.amount > DUE_UNIT_LIMITS[rule.unit]:
                errors[field] = _("按%(unit)s计时最多为 %(limit)s。") % {
                    "unit": DueUnit(rule.unit).label, "limit": DUE_UNIT_LIMITS[rule.unit]
                }
        if errors:
            raise ValidationError(errors)


class CalendarYear(models.Model):
    """A year whose holiday arrangement (放假安排) is known to the working-day calendar."""

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    source = models.CharField(_("来源"), max_length=100, blank=True, help_text=_("例如国务院办公厅通知的文号"))

    class Meta:
        verbose_name = _("节假日年度")
        verbose_name_plural = _("节假日年度")
        ordering = ["-year"]

    def __str__(self):
        return str(self.year)


class CalendarDay(models.Model):
    """A day that breaks the Monday-to-Friday rule: a public holiday, or a weekend day worked (调休)."""

    day = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("上班"), help_text=_("勾选：调休上班的周末；不勾选：放假。"))
    name = models.CharField(_("名称"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")
        ordering = ["day"]

    def __str__(self):
        return f"{self.day} {self.name}"


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
            # An IN over the bureau's own assignments (an index scan), not an EXISTS per proposal.
            rule |= Q(
                pk__in=Assignment.objects.active()
                .filter(bureau_id__in=roles.bureau_ids)
                .values("proposal_id")
            )
        if roles.is_deputy:
            rule |= led_or_co_signed(roles.deputy_id)
        return self.filter(rule)


def on_visible_proposals(path: str, user, proposal=None) -> Q:
    """The condition "``path`` is a proposal this user may see", for the other models' access
    rules. On a proposal's own page the proposal was read through the rule for this user
    (``proposals.selectors.proposal_get_visible`` marks it): then the condition is that
    proposal, not the rule again as a subquery in each of the page's queries. A proposal read
    any other way, or for someone else, gets the rule."""
    if proposal is not None and is_marked_for(proposal, user):
        return Q(**{path: proposal.pk})
    if roles_of(user).sees_everything:
        return Q()
    return Q(**{f"{path}__in": Proposal.objects.visible_to(user)})


def mark_visible(obj, user):
    """Note that ``obj`` (a proposal, a reply) was read through its access rule for ``user``,
    so that the rules of what hangs from it may take it as seen (``is_marked_for``); only a
    signed-in user's reading counts."""
    if user is not None and user.is_authenticated and user.pk is not None:
        obj._visible_to_user = user.pk
    return obj


def is_marked_for(obj, user) -> bool:
    marked_for = obj.__dict__.get("_visible_to_user")
    return marked_for is not None and user is not None and user.is_authenticated and marked_for == user.pk


def led_or_co_signed(deputy_id: int) -> Q:
    """The proposals a deputy leads or co-signed. The co-signed ids are fetched first (a deputy
    has tens; once per GET request): an OR with an EXISTS would make every such query a scan of
    all proposals."""
    return Q(lead_deputy_id=deputy_id) | Q(pk__any=co_signed_ids(deputy_id))


def co_signed_ids(deputy_id: int) -> list[int]:
    through = Proposal.co_signers.through
    return once_per_request(
        ("co-signed", deputy_id),
        lambda: list(through.objects.filter(deputy_id=deputy_id).values_list("proposal_id", flat=True)),
    )


class Proposal(ChoiceLabels, models.Model):
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
    supervising_leader = models.CharField(
        _("督办领导"), max_length=100, blank=True, help_text=_("重点督办建议的领办（督办）领导，例如「副市长 张三」。")
    )
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
        indexes = [
            models.Index(fields=["state", "session"]),
            # The list's filters count by session (ProposalListPaginator): these answer from the
            # index. (id, session) serves every "id IN (…)" filter without reading the rows.
            models.Index(fields=["id", "session"], name="proposal_id_session"),
            models.Index(fields=["category", "session"], name="proposal_category_session"),
            models.Index(fields=["session"], condition=Q(key_supervised=True), name="proposal_key_supervised"),
        ]

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
        if roles_of(user).sees_everything:
            return self  # not a semi-join against every proposal
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


class Assignment(ChoiceLabels, models.Model):
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
    # When the reply or opinion was delivered, and how many days after the due date (0: on time).
    finished_on = models.DateField(_("答复日期"), null=True, blank=True)
    # A pending extension request (延期申请): the date asked for and why.
    extension_until = models.DateField(_("申请延期至"), null=True, blank=True)
    extension_reason = models.TextField(_("延期理由"), blank=True)
    late_days = models.PositiveIntegerField(_("逾期天数"), default=0)

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
        indexes = [
            models.Index(fields=["bureau", "state"]),
            models.Index(fields=["due_on"]),
            # The overdue and due-soon panels read open work by due date: most rows are closed.
            models.Index(
                fields=["due_on", "id"],
                condition=Q(state__in=sorted(OPEN_ASSIGNMENT_STATES)),
                name="assignment_open_by_due_on",
            ),
            models.Index(
                fields=["due_on", "id"],
                condition=Q(extension_until__isnull=False),
                name="assignment_extension_by_due",
            ),
        ]

    def __str__(self):
        return f"{self.proposal.label} · {self.bureau} · {self.get_role_display()}"

    @property
    def is_lead(self) -> bool:
        return self.role == self.Role.LEAD

    @property
    def is_current_lead(self) -> bool:
        """A lead not withdrawn (as ``Assignment.objects.active().filter(role=LEAD)``)."""
        return self.is_lead and self.state != AssignmentState.WITHDRAWN

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

    @property
    def overdue_days(self) -> int:
        """Days past the due date while still open (0 when not overdue)."""
        return max(0, -self.days_left()) if self.is_open else 0

    def is_overdue(self, today=None) -> bool:
        return self.is_open and self.days_left(today) < 0


class ConsultationQuerySet(models.QuerySet):
    def visible_to(self, user, proposal=None):
        """The offices read every consultation; a bureau its own (not another bureau's
        summaries); deputies those on their proposals (they were the ones consulted).
        ``proposal``: the page's proposal (``on_visible_proposals``)."""
        roles = roles_of(user)
        if roles.sees_everything:
            return self
        visible = self.filter(on_visible_proposals("assignment__proposal", user, proposal))
        rule = Q(pk__in=[])
        if roles.is_bureau_member:
            rule |= Q(assignment__bureau_id__in=roles.bureau_ids)
        if roles.is_deputy:
            rule |= Q(assignment__proposal__lead_deputy_id=roles.deputy_id) | Exists(
                Proposal.co_signers.through.objects.filter(
                    proposal_id=OuterRef("assignment__proposal_id"), deputy_id=roles.deputy_id
                )
            )
        return visible.filter(rule)


class Consultation(ChoiceLabels, models.Model):
    """Contact with the deputy before, during or after handling (办前/办中/办后沟通)."""

    class Phase(models.TextChoices):
        BEFORE = "before", _("办前沟通")
        DURING = "during", _("办中沟通")
        AFTER = "after", _("办后沟通")

    class Form(models.TextChoices):
        FACE_TO_FACE = "face_to_face", _("当面沟通（面商）")
        VISIT = "visit", _("走访")
        PHONE = "phone", _("电话")
        MEETING = "meeting", _("座谈会")
        WRITTEN = "written", _("书面")

    class Answer(models.TextChoices):
        PENDING = "", _("待代表确认")
        CONFIRMED = "confirmed", _("代表已确认")
        DISPUTED = "disputed", _("代表有异议")

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="consultations"
    )
    phase = models.CharField(_("阶段"), max_length=10, choices=Phase.choices, default=Phase.DURING)
    held_on = models.DateField(_("日期"))
    form = models.CharField(_("形式"), max_length=20, choices=Form.choices)
    participants = models.CharField(_("参加人员"), max_length=300)
    summary = models.TextField(_("内容摘要"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    # The deputy's answer: the bureau's record counts only once the deputy confirms it.
    deputy_answer = models.CharField(
        _("代表确认"), max_length=10, choices=Answer.choices, default=Answer.PENDING, blank=True
    )
    deputy_comment = models.TextField(_("代表意见"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = ConsultationQuerySet.as_manager()

    class Meta:
        verbose_name = _("沟通记录")
        verbose_name_plural = _("沟通记录")
        ordering = ["held_on", "id"]

    def __str__(self):
        return f"{self.held_on} {self.get_form_display()}"

    def clean(self):
        if self.held_on and self.held_on > timezone.localdate():
            raise ValidationError({"held_on": _("沟通日期不能晚于今天。")})


class Audience(models.TextChoices):
    """Who reads an event besides the two offices (who read every event)."""

    OWN_BUREAU = "own_bureau", _("本单位")  # the bureau whose assignment the event is about
    BUREAUS = "bureaus", _("各承办单位")  # every bureau handling the proposal
    DEPUTIES = "deputies", _("代表")
    PUBLIC = "public", _("公众")


class Reminder(ChoiceLabels, models.Model):
    """A reminder (催办) to the bureau of an open assignment: automatic (before the due date, on
    the day, and every few days while overdue; once each, however often beat runs) or sent by an
    office with a note. It shows on the bureau's home page until the bureau acts."""

    class Kind(models.TextChoices):
        BEFORE = "before", _("即将到期提醒")
        DUE_TODAY = "due_today", _("今日到期提醒")
        OVERDUE = "overdue", _("逾期催办")
        MANUAL = "manual", _("督办催办")

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    sent_on = models.DateField(_("日期"))
    due_on = models.DateField(_("当时的期限"))
    note = models.TextField(_("说明"), blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    cleared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("催办")
        verbose_name_plural = _("催办")
        ordering = ["-created_at", "-id"]
        constraints = [
            # An automatic reminder goes once per assignment, kind and day.
            models.UniqueConstraint(
                fields=["assignment", "kind", "sent_on"],
                condition=~Q(kind="manual"),
                name="one_automatic_reminder_a_day",
            )
        ]

    def __str__(self):
        return f"{self.assignment} · {self.get_kind_display()} · {self.sent_on}"


class EventQuerySet(models.QuerySet):
    def visible_to(self, user, proposal=None):
        """The access rule for timeline rows: on proposals the user may see, the offices read
        everything, a bureau reads what concerns every bureau plus its own internal steps (never
        another bureau's returns, submissions or consultations), a deputy reads the steps
        marked for deputies. ``proposal``: the page's proposal (``on_visible_proposals``)."""
        roles = roles_of(user)
        if roles.sees_everything:
            return self
        visible = self.filter(on_visible_proposals("proposal", user, proposal))
        rule = Q(pk__in=[])
        if roles.is_bureau_member:
            rule |= Q(action__in=Event.Action.for_audience(Audience.BUREAUS))
            rule |= Q(
                action__in=Event.Action.for_audience(Audience.OWN_BUREAU),
                assignment__bureau_id__in=roles.bureau_ids,
            )
        if roles.is_deputy:
            rule |= Q(action__in=Event.Action.for_audience(Audience.DEPUTIES))
        return visible.filter(rule)

    def for_deputies(self):
        return self.filter(action__in=Event.Action.for_audience(Audience.DEPUTIES))


class Event(AppendOnlyModel):
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
        RATE = "rate", _("代表测评")
        CORRECT_RATING = "correct_rating", _("更正测评")
        REHANDLE = "rehandle", _("重新办理")
        REOPEN_OPINION = "reopen_opinion", _("请协办单位重新提出意见")
        REMIND = "remind", _("催办")
        REQUEST_EXTENSION = "request_extension", _("申请延期")
        GRANT_EXTENSION = "grant_extension", _("同意延期")
        REFUSE_EXTENSION = "refuse_extension", _("不同意延期")
        ANSWER_CONSULTATION = "answer_consultation", _("代表确认沟通情况")
        RELEASE = "release", _("公开答复")
        CLOSE = "close", _("办结")

        @classmethod
        def for_audience(cls, audience: "Audience") -> frozenset:
            return frozenset(a for a, audiences in EVENT_AUDIENCES.items() if audience in audiences)

        @property
        def audiences(self) -> frozenset:
            return EVENT_AUDIENCES[self]

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

    CHANGED_MESSAGE = DELETED_MESSAGE = "Events are immutable."

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"


_A, _AU = Event.Action, Audience
# Who reads each event, decided here and nowhere else. The offices read every event; a bureau's
# internal steps (submitting, returning, signing, consultations, reassignment requests) stay with
# that bureau; deputies read the steps of handling that concern them, in the organisation's name.
EVENT_AUDIENCES = {
    _A.REGISTER: frozenset({_AU.BUREAUS, _AU.DEPUTIES}),
    _A.ASSIGN: frozenset({_AU.BUREAUS, _AU.DEPUTIES}),
    _A.ACCEPT: frozenset({_AU.BUREAUS}),
    _A.REQUEST_REASSIGNMENT: frozenset({_AU.OWN_BUREAU}),
    _A.APPROVE_REASSIGNMENT: frozenset({_AU.OWN_BUREAU}),
    _A.REFUSE_REASSIGNMENT: frozenset({_AU.OWN_BUREAU}),
    _A.REASSIGN: frozenset({_AU.BUREAUS, _AU.DEPUTIES}),
    _A.CONSULTATION: frozenset({_AU.OWN_BUREAU, _AU.DEPUTIES}),
    _A.ANSWER_CONSULTATION: frozenset({_AU.OWN_BUREAU, _AU.DEPUTIES}),
    _A.SUBMIT: frozenset({_AU.OWN_BUREAU}),
    _A.RETURN: frozenset({_AU.OWN_BUREAU}),
    _A.SIGN: frozenset({_AU.OWN_BUREAU}),
    _A.SEND: frozenset({_AU.BUREAUS, _AU.DEPUTIES, _AU.PUBLIC}),
    _A.NEW_ROUND: frozenset({_AU.OWN_BUREAU}),
    _A.SEND_OPINION: frozenset({_AU.BUREAUS}),
    _A.PDF_RERENDER: frozenset({_AU.OWN_BUREAU}),
    _A.RATE: frozenset({_AU.BUREAUS, _AU.DEPUTIES}),
    _A.CORRECT_RATING: frozenset({_AU.BUREAUS, _AU.DEPUTIES}),
    _A.REHANDLE: frozenset({_AU.BUREAUS, _AU.DEPUTIES}),
    _A.REOPEN_OPINION: frozenset({_AU.BUREAUS}),
    _A.REMIND: frozenset({_AU.OWN_BUREAU}),
    _A.REQUEST_EXTENSION: frozenset({_AU.OWN_BUREAU}),
    _A.GRANT_EXTENSION: frozenset({_AU.OWN_BUREAU, _AU.DEPUTIES}),
    _A.REFUSE_EXTENSION: frozenset({_AU.OWN_BUREAU}),
    _A.RELEASE: frozenset({_AU.OWN_BUREAU, _AU.DEPUTIES, _AU.PUBLIC}),
    _A.CLOSE: frozenset({_AU.BUREAUS, _AU.DEPUTIES, _AU.PUBLIC}),
}
assert set(EVENT_AUDIENCES) == set(Event.Action), "every action needs its audience"


class ImportJobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The access rule for import jobs: the congress office (and admins) see every import,
        as a team; nobody else any."""
        return self if roles_of(user).manages_proposals else self.none()


class ImportJob(ChoiceLabels, models.Model):
    """A confirmed Excel import, run by a worker: all rows registered in one transaction, or none."""

    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("导入中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("未导入")

    kind = models.CharField(_("导入内容"), max_length=20)
    session = models.ForeignKey(Session, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("导入人")
    )
    file_name = models.CharField(_("文件名"), max_length=255, blank=True)
    token = models.CharField(max_length=32, editable=False)  # names the staged file until the run
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.QUEUED)
    total = models.PositiveIntegerField(_("待导入行数"), default=0)
    created = models.PositiveIntegerField(_("已导入"), default=0)
    skipped = models.PositiveIntegerField(_("已存在而跳过"), default=0)
    problems = models.JSONField(_("问题"), default=list, blank=True)  # [[row, column, message], …]
    error = models.TextField(_("错误"), blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("Excel 导入")
        verbose_name_plural = _("Excel 导入")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.file_name} ({self.get_state_display()})"

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)

