"""Formal replies (答复), their cc lists, co-handling opinions (协办意见) and document counters."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import ChoiceLabels, Organization
from accounts.roles import roles_of
from proposals.models import Assignment, Proposal, on_visible_proposals


class OfficialDocument(ChoiceLabels, models.Model):
    """What a reply round and a co-handling opinion share: the draft fields edited with optimistic
    locking, the signer and date, and the rule that once sealed (signed or sent) it never changes."""

    SEALED_FIELD = ""  # the timestamp that seals the document
    SEALED_MESSAGE = ""

    body = models.TextField(_("正文"), blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("签发人"),
    )
    signed_on = models.DateField(_("成文日期"), null=True, blank=True)
    # Optimistic locking: every save of a draft must name the version it started from.
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True

    @property
    def is_sealed(self) -> bool:
        return getattr(self, self.SEALED_FIELD) is not None

    @classmethod
    def drafts(cls):
        """The rows that may still change."""
        return cls._default_manager.filter(**{f"{cls.SEALED_FIELD}__isnull": True})

    def seal(self, *, by, signed_on, **fields) -> None:
        """Sign (or send) the document: the last save it ever takes."""
        for name, value in fields.items():
            setattr(self, name, value)
        self.signer = by
        self.signed_on = signed_on
        setattr(self, self.SEALED_FIELD, timezone.now())
        self.save()

    def save(self, *args, **kwargs):
        if not self._state.adding and not type(self).drafts().filter(pk=self.pk).exists():
            raise ValidationError(self.SEALED_MESSAGE)
        super().save(*args, **kwargs)


class ReplyQuerySet(models.QuerySet):
    def visible_to(self, user, proposal=None):
        """The access rule for replies, used by pages, downloads and exports alike: within the
        proposals the user may see, drafts and signed-but-unsent replies are the lead bureau's and
        the offices' business; deputies and the other bureaus read a reply once it is sent.
        ``proposal``: the page's proposal (``proposals.models.on_visible_proposals``)."""
        roles = roles_of(user)
        visible = self.filter(on_visible_proposals("assignment__proposal", user, proposal))
        if roles.sees_everything:
            return visible
        return visible.filter(Q(sent_at__isnull=False) | Q(bureau_id__in=roles.bureau_ids))

    def signed(self):
        return self.filter(signed_at__isnull=False)

    def sent(self):
        return self.filter(sent_at__isnull=False)

    def released(self):
        """What the public pages show: sent, 主动公开, and released by the congress office."""
        return self.filter(
            sent_at__isnull=False, released_at__isnull=False, disclosure=Reply.Disclosure.PUBLIC
        )


class Reply(OfficialDocument):
    """One round of the lead bureau's reply. Once signed it never changes; a correction or a
    re-handling is a new round, and the old one stays readable."""

    SEALED_FIELD = "signed_at"
    SEALED_MESSAGE = _("已签发的答复不能修改；如需更正，请另起一轮答复。")

    class Disclosure(models.TextChoices):
        PUBLIC = "public", _("主动公开")
        ON_REQUEST = "on_request", _("依申请公开")
        NOT_PUBLIC = "not_public", _("不予公开")

    class AddressedTo(models.TextChoices):
        """Whom the salutation names (``salutation_options``)."""

        LEAD = "lead", _("领衔人")
        ALL = "all", _("全部联名人")
        GROUP = "group", _("「甲、乙等」")

    assignment = models.ForeignKey(
        Assignment, on_delete=models.PROTECT, related_name="replies", verbose_name=_("交办")
    )
    # The issuing bureau, copied from the assignment so document numbers can be unique per bureau.
    bureau = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="replies")
    round = models.PositiveSmallIntegerField(_("轮次"), default=1)
    round_reason = models.TextField(_("重新答复原因"), blank=True)
    category_mark = models.CharField(_("类别标记"), max_length=1, blank=True)
    disclosure = models.CharField(
        _("公开属性"), max_length=20, choices=Disclosure.choices, default=Disclosure.PUBLIC
    )
    addressed_to = models.CharField(
        _("称呼"), max_length=10, choices=AddressedTo.choices, default=AddressedTo.LEAD
    )
    # A re-handling round (重新办理), opened by a deputy's 不满意; round_reason holds their comment.
    rehandling = models.BooleanField(_("重新办理"), default=False)
    signed_at = models.DateTimeField(_("签发时间"), null=True, blank=True)
    document_year = models.PositiveSmallIntegerField(null=True, blank=True)
    document_seq = models.PositiveIntegerField(null=True, blank=True)
    document_number = models.CharField(_("发文字号"), max_length=40, blank=True)
    # Sent to the deputy with its cc list: from here deputies and the other bureaus read it.
    sent_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    # Public release (主动公开 only): due some working days after sending; the released text has
    # the contact details removed and is what the public pages and the public PDF show.
    release_due_on = models.DateField(_("公开期限"), null=True, blank=True)
    released_at = models.DateTimeField(_("公开时间"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    public_body = models.TextField(_("公开文本"), blank=True)
    # What the signed letter printed, fixed at signing (title, salutation, bureau, signer, cc, …):
    # later edits of a proposal, an organisation or a person never change a signed document.
    letter = models.JSONField(_("签发时的公文内容"), null=True, blank=True, editable=False)

    objects = ReplyQuerySet.as_manager()

    class Meta:
        verbose_name = _("答复")
        verbose_name_plural = _("答复")
        ordering = ["assignment", "round"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "round"], name="unique_reply_round"),
            models.UniqueConstraint(
                fields=["bureau", "document_year", "document_seq"],
                name="unique_document_number_per_bureau_year",
            ),
        ]

    def __str__(self):
        return f"{self.assignment.proposal.label} 第{self.round}轮答复"

    @property
    def is_signed(self) -> bool:
        return self.is_sealed

    @property
    def is_sent(self) -> bool:
        return self.sent_at is not None

    @property
    def is_released(self) -> bool:
        return self.released_at is not None

    @property
    def title(self) -> str:
        """对市十八届人大一次会议第110号建议的答复 (as signed, once signed)."""
        if self.letter:
            return self.letter["title"]
        proposal = self.assignment.proposal
        return f"对{proposal.session.name}第{proposal.number}号{proposal.session.item_noun}的答复"

    @property
    def salutation(self) -> str:
        """「罗冲代表：」, as the drafting clerk chose to address the proposal's authors
        (``addressed_to``); as signed, once signed."""
        if self.letter:
            return self.letter["salutation"]
        options = salutation_options(self.assignment.proposal)
        return options.get(self.addressed_to, options[self.AddressedTo.LEAD])


SALUTATION_MAX_NAMES = 15  # a joint proposal's salutation names at most this many people


def proposal_authors(proposal: Proposal) -> list[str]:
    """The lead deputy's name, then the co-signers' in the order they were registered."""
    through = Proposal.co_signers.through
    co_signers = through.objects.filter(proposal=proposal).order_by("id").values_list("deputy__name", flat=True)
    return list(dict.fromkeys([proposal.lead_deputy.name, *co_signers]))


def salutation_options(proposal: Proposal) -> dict[str, str]:
    """The salutations a reply to ``proposal`` may print, by ``Reply.AddressedTo``: the lead
    alone (「马青委员：」, always); every author (「马青、周丽、王芳委员：」, for 2 to 15 authors);
    the first two and 等 (「马青、周丽等委员：」, for 3 authors or more). 代表 or 委员 as the
    session's body calls its members."""
    title = proposal.session.member_title
    names = proposal_authors(proposal)
    options = {Reply.AddressedTo.LEAD: f"{names[0]}{title}："}
    if 2 <= len(names) <= SALUTATION_MAX_NAMES:
        options[Reply.AddressedTo.ALL] = f"{'、'.join(names)}{title}："
    if len(names) >= 3:
        options[Reply.AddressedTo.GROUP] = f"{names[0]}、{names[1]}等{title}："
    return options


class ReplyCc(models.Model):
    """One recipient on a reply's cc list (抄送), in printed order."""

    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="cc")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(_("抄送对象"), max_length=100)
    # People (co-signing deputies) are joined with 「、」, bodies with 「，」.
    is_person = models.BooleanField(default=False)

    class Meta:
        ordering = ["reply_id", "position"]  # the column: "reply" would sort by the whole chain of orderings above it
        constraints = [
            models.UniqueConstraint(fields=["reply", "position"], name="unique_cc_position")
        ]

    def __str__(self):
        return self.name

    def _refuse_if_signed(self):
        if not Reply.drafts().filter(pk=self.reply_id).exists():
            raise ValidationError(_("已签发的答复不能修改抄送。"))

    def save(self, *args, **kwargs):
        self._refuse_if_signed()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._refuse_if_signed()
        return super().delete(*args, **kwargs)


class OpinionQuerySet(models.QuerySet):
    def visible_to(self, user, proposal=None, assignments=None):
        """An opinion is for the lead bureau: the assisting bureau that writes it, the current
        lead once it is sent, and the offices. Deputies don't see it.

        ``proposal`` with its ``assignments`` as its page read them: the opinions of that
        proposal only, and whether the user's bureau leads it is read from those assignments
        instead of asked per opinion (an assignment missing from them counts as not leading)."""
        roles = roles_of(user)
        if roles.sees_everything:
            return self if proposal is None else self.filter(assignment__proposal_id=proposal.pk)
        if proposal is not None and assignments is not None:
            leads = any(
                a.proposal_id == proposal.pk and a.bureau_id in roles.bureau_ids and a.is_current_lead
                for a in assignments
            )
            rule = Q(assignment__bureau_id__in=roles.bureau_ids)
            return self.filter(assignment__proposal_id=proposal.pk).filter(
                rule | Q(sent_at__isnull=False) if leads else rule
            )
        # Forward joins only (opinion → assignment): no row repeats, no DISTINCT needed. The
        # lead test is one index probe per opinion (EXISTS), not a hash of all the bureau's leads.
        leads_it = Assignment.objects.active().filter(
            proposal=OuterRef("assignment__proposal"), bureau_id__in=roles.bureau_ids, role=Assignment.Role.LEAD
        )
        return self.filter(
            # Only a current lead: a lead reassigned away loses the opinion with the proposal.
            Q(assignment__bureau_id__in=roles.bureau_ids) | Q(sent_at__isnull=False) & Exists(leads_it)
        )


class CoHandlingOpinion(OfficialDocument):
    """An assisting bureau's written opinion, addressed to the lead bureau."""

    SEALED_FIELD = "sent_at"
    SEALED_MESSAGE = _("已送出的协办意见不能修改。")

    assignment = models.ForeignKey(
        Assignment, on_delete=models.PROTECT, related_name="opinions", verbose_name=_("交办")
    )
    # A re-handling may ask the assisting bureaus for a new opinion: a new round, the old one kept.
    round = models.PositiveSmallIntegerField(_("轮次"), default=1)
    title = models.CharField(_("标题"), max_length=200)
    signed_on = models.DateField(_("日期"), null=True, blank=True)
    sent_at = models.DateTimeField(_("送出时间"), null=True, blank=True)
    document_number = models.CharField(_("文号"), max_length=40, blank=True)

    objects = OpinionQuerySet.as_manager()

    class Meta:
        verbose_name = _("协办意见")
        verbose_name_plural = _("协办意见")
        ordering = ["assignment", "round"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "round"], name="unique_opinion_round")
        ]

    def __str__(self):
        return self.title

    @property
    def is_sent(self) -> bool:
        return self.is_sealed

    @property
    def salutation(self) -> str:
        """「市经信局：」: the proposal's current lead bureau. Pages listing opinions annotate its
        name as ``lead_short_name`` (``replies.selectors.proposal_opinions``): no query here."""
        if hasattr(self, "lead_short_name"):
            name = self.lead_short_name
        else:
            leads = self.assignment.proposal.assignments.active().filter(role=Assignment.Role.LEAD)
            name = leads.values_list("bureau__short_name", flat=True).first()
        return f"{name}：" if name else ""


class DocumentCounter(models.Model):
    """The last document number a bureau issued in a year. Locked row-by-row while signing."""

    bureau = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bureau", "year"], name="unique_counter_per_bureau_year")
        ]

    def __str__(self):
        return f"{self.bureau} {self.year}: {self.last}"
