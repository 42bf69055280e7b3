"""Drafting replies and opinions: starting a draft, its cc list, saving with optimistic locking,
and what a draft still lacks before it can be signed. The lifecycle steps that move an assignment
(submit, sign, send, …) are in replies/workflow.py.
"""

import re

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import Organization
from accounts.roles import roles_of
from proposals.errors import ConflictError, WorkflowError
from proposals.models import Assignment
from proposals.transitions import may_draft, works_on

from . import pdf
from .letter import uncovered_characters
from .letter.data import CcRecipient
from .models import CoHandlingOpinion, Reply, ReplyCc
from .models.documents import SALUTATION_MAX_NAMES, proposal_authors, salutation_options
from .selectors import current_opinion, current_reply

BODY_MAX_LENGTH = 60000


def default_cc(assignment: Assignment) -> list[CcRecipient]:
    """抄送 by default: the congress office, the government office, the assisting bureaus, the
    deputy's delegation body and the co-signers, in that order (as the 176 reply prints it)."""
    proposal = assignment.proposal
    entries = [
        CcRecipient(o.cc_label)
        for kind in (Organization.Kind.CONGRESS_OFFICE, Organization.Kind.GOVERNMENT_OFFICE)
        for o in Organization.objects.filter(kind=kind).order_by("id")[:1]
    ]
    assisting = (
        proposal.assignments.filter(role=Assignment.Role.ASSISTING)
        .active()
        .select_related("bureau")
        .order_by("id")
    )
    entries += [CcRecipient(a.bureau.cc_label) for a in assisting]
    entries.append(CcRecipient(proposal.lead_deputy.delegation.cc_label))
    entries += [CcRecipient(d.name, is_person=True) for d in proposal.co_signers.order_by("name")]
    seen, unique = set(), []
    for entry in entries:
        if entry.name not in seen:
            seen.add(entry.name)
            unique.append(entry)
    return unique


def parse_cc_text(text: str, known_people: set[str]) -> list[CcRecipient]:
    """One recipient a line (or separated by ，、,); names of the proposal's deputies count as people."""
    names = [n.strip() for n in re.split(r"[\n，,、;；]", text or "") if n.strip()]
    names = [n.rstrip("。") for n in names]
    return [CcRecipient(n, is_person=n in known_people) for n in dict.fromkeys(names) if n]


def proposal_people(assignment: Assignment) -> set[str]:
    proposal = assignment.proposal
    return {proposal.lead_deputy.name, *proposal.co_signers.values_list("name", flat=True)}


def set_cc(reply: Reply, entries: list[CcRecipient]) -> None:
    if reply.is_signed:  # the cc list is part of the signed letter
        raise WorkflowError(_("已签发的答复不能修改抄送。"))
    reply.cc.all().delete()
    ReplyCc.objects.bulk_create(
        ReplyCc(reply=reply, position=i, name=e.name, is_person=e.is_person)
        for i, e in enumerate(entries, start=1)
    )


def cc_replace_in_drafts(*, withdrawn: Assignment, replacement: Assignment, **_signal) -> None:
    """After an assisting bureau is replaced, unsigned drafts cc the new one instead
    (connected to ``proposals.signals.assignment_replaced``)."""
    if withdrawn.is_lead:
        return
    ReplyCc.objects.filter(
        reply__assignment__proposal=withdrawn.proposal,
        reply__signed_at__isnull=True,
        name=withdrawn.bureau.cc_label,
    ).update(name=replacement.bureau.cc_label)


def reply_start(*, assignment: Assignment, by, reason: str = "", rehandling: bool = False) -> Reply:
    """A new draft round. A later round starts from the previous round's text and cc list."""
    previous = current_reply(assignment)
    reply = Reply.objects.create(
        assignment=assignment,
        bureau_id=assignment.bureau_id,
        round=previous.round + 1 if previous else 1,
        round_reason=reason,
        rehandling=rehandling,
        body=previous.body if previous else "",
        category_mark=previous.category_mark if previous else "",
        disclosure=previous.disclosure if previous else Reply.Disclosure.PUBLIC,
        contact_name=previous.contact_name if previous else by.display_name,
        contact_phone=previous.contact_phone if previous else "",
        updated_by=by,
    )
    entries = (
        [CcRecipient(c.name, c.is_person) for c in previous.cc.all()]
        if previous
        else default_cc(assignment)
    )
    set_cc(reply, entries)
    return reply


def opinion_title(assignment: Assignment) -> str:
    """关于市十七届人大一次会议第239号建议的协办意见"""
    proposal = assignment.proposal
    return f"关于{proposal.session.name}第{proposal.number}号{proposal.session.item_noun}的协办意见"


def opinion_start(*, assignment: Assignment, by) -> CoHandlingOpinion:
    """The assisting bureau's opinion draft; a later round starts from the previous text."""
    previous = current_opinion(assignment)
    return CoHandlingOpinion.objects.create(
        assignment=assignment,
        round=previous.round + 1 if previous else 1,
        title=previous.title if previous else opinion_title(assignment),
        body=previous.body if previous else "",
        contact_name=previous.contact_name if previous else by.display_name,
        contact_phone=previous.contact_phone if previous else "",
        updated_by=by,
    )


def _may_edit(user, assignment: Assignment) -> None:
    roles = roles_of(user)
    if not works_on(roles, assignment):
        raise PermissionDenied(_("只有承办单位可以修改此稿。"))
    if not may_draft(roles, assignment):
        raise WorkflowError(
            _("当前状态为「%(state)s」，不能修改稿件。") % {"state": assignment.get_state_display()}
        )


def _check_body(body: str) -> None:
    if len(body) > BODY_MAX_LENGTH:
        raise WorkflowError(
            _("正文不能超过 %(max)s 字（现有 %(n)s 字）。") % {"max": BODY_MAX_LENGTH, "n": len(body)}
        )


def _conflict(obj) -> ConflictError:
    obj.refresh_from_db()
    who = obj.updated_by.display_name if obj.updated_by else _("他人")
    when = date_format(timezone.localtime(obj.updated_at), "Y-m-d H:i")
    return ConflictError(
        _("%(who)s 已于 %(when)s 修改并保存了此稿，您的修改未保存。请对照下方的最新内容，合并后再保存。")
        % {"who": who, "when": when},
        current=obj,
    )


def _save_if_unchanged(drafts, obj, *, version: int, by, **fields) -> None:
    """Write ``fields`` only if the stored version is still ``version`` (optimistic locking):
    the second of two people saving the same draft gets a ConflictError, nothing is overwritten."""
    updated = drafts.filter(pk=obj.pk, version=version).update(
        **fields, version=F("version") + 1, updated_by=by, updated_at=timezone.now()
    )
    if not updated:
        raise _conflict(obj)
    obj.refresh_from_db()


def reply_save_draft(
    *,
    reply: Reply,
    by,
    version: int,
    body: str,
    category_mark: str,
    disclosure: str,
    contact_name: str,
    contact_phone: str,
    cc: list[CcRecipient],
    addressed_to: str | None = None,
) -> Reply:
    """Save a draft only if nobody saved it since ``version`` was read; else ConflictError.
    ``addressed_to`` (a ``Reply.AddressedTo``) chooses the salutation; None keeps the stored one."""
    with transaction.atomic():
        assignment = Assignment.objects.select_for_update().get(pk=reply.assignment_id)
        _may_edit(by, assignment)
        _check_body(body)
        if not Reply.drafts().filter(pk=reply.pk).exists():
            raise WorkflowError(_("这一轮答复已签发，不能修改；请在当前轮次的草稿中修改。"))
        marks = assignment.proposal.session.category_marks
        if category_mark and category_mark not in list(marks):  # "AB" is not a mark of "ABCD"
            raise WorkflowError(_("类别标记只能是 %(marks)s 之一。") % {"marks": "、".join(marks)})
        addressed = {} if addressed_to is None else {"addressed_to": _check_addressed_to(assignment, addressed_to)}
        _save_if_unchanged(
            Reply.drafts(), reply, version=version, by=by,
            body=body, category_mark=category_mark, disclosure=disclosure,
            contact_name=contact_name.strip(), contact_phone=contact_phone.strip(), **addressed,
        )
        set_cc(reply, cc)
    return reply


def _check_addressed_to(assignment: Assignment, addressed_to: str) -> str:
    if addressed_to in salutation_options(assignment.proposal):
        return addressed_to
    authors = len(proposal_authors(assignment.proposal))
    member = assignment.proposal.session.member_title
    if addressed_to == Reply.AddressedTo.ALL and authors > SALUTATION_MAX_NAMES:
        raise WorkflowError(
            _("联名%(member)s共 %(n)s 人，称呼最多列 %(max)s 人；请选择「甲、乙等%(member)s」或只称领衔%(member)s。")
            % {"member": member, "n": authors, "max": SALUTATION_MAX_NAMES}
        )
    if addressed_to in Reply.AddressedTo.values:
        raise WorkflowError(
            _("本件只有 %(n)s 位%(member)s署名，不能用「%(form)s」的称呼，请重新选择。")
            % {"member": member, "n": authors, "form": Reply.AddressedTo(addressed_to).label}
        )
    raise WorkflowError(_("称呼方式无效。"))


def salutation_for(reply: Reply, addressed_to: str | None) -> str:
    """The salutation ``addressed_to`` gives (for a preview of unsaved choices); the stored
    one when that choice is not open to this reply."""
    return salutation_options(reply.assignment.proposal).get(addressed_to) or reply.salutation


def addressed_to_choices(reply: Reply) -> list[tuple[str, str]]:
    """For the draft form: each salutation the reply may print, as (choice, 「text」)."""
    return [(key, f"「{text}」") for key, text in salutation_options(reply.assignment.proposal).items()]


def opinion_save_draft(
    *,
    opinion: CoHandlingOpinion,
    by,
    version: int,
    title: str,
    body: str,
    contact_name: str,
    contact_phone: str,
) -> CoHandlingOpinion:
    with transaction.atomic():
        assignment = Assignment.objects.select_for_update().get(pk=opinion.assignment_id)
        _may_edit(by, assignment)
        _check_body(body)
        _save_if_unchanged(
            CoHandlingOpinion.drafts(), opinion, version=version, by=by,
            title=title.strip(), body=body,
            contact_name=contact_name.strip(), contact_phone=contact_phone.strip(),
        )
    return opinion


def undrawable_message(characters: list[str]) -> str:
    shown = "、".join(f"「{c}」（U+{ord(c):04X}）" for c in characters[:10])
    more = _("等 %(n)s 个") % {"n": len(characters)} if len(characters) > 10 else ""
    return _("有字体无法显示的字符：%(chars)s%(more)s，请改用规范汉字或文字说明") % {"chars": shown, "more": more}


def reply_ready_problems(reply: Reply) -> list[str]:
    problems = []
    if not reply.body.strip():
        problems.append(_("正文为空"))
    if not reply.category_mark:
        problems.append(_("未选择类别标记"))
    if not reply.contact_name.strip() or not reply.contact_phone.strip():
        problems.append(_("未填写联系人或联系电话"))
    # Every character is checked against the font that will draw it: never a silent box.
    undrawable = uncovered_characters(pdf.live_reply_letter(reply))
    if undrawable:
        problems.append(undrawable_message(undrawable))
    return problems


def opinion_ready_problems(opinion: CoHandlingOpinion) -> list[str]:
    problems = [] if opinion.body.strip() else [_("协办意见正文为空")]
    undrawable = uncovered_characters(pdf.opinion_letter(opinion))
    if undrawable:
        problems.append(undrawable_message(undrawable))
    return problems


