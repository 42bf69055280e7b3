"""Assignment notices (交办通知): batch assignment with one notice per bureau, and reading them.

``batch_assign`` is the batch step as the congress office takes it: ``proposals.batch`` assigns
every proposal (all or nothing) and, in the same transaction, each bureau involved gets one
notice from the congress office listing its proposals of the batch with their due dates and the
rules they follow. A notice is numbered from the congress office's gap-free counter and keeps
the letter it prints, so a reprint is the same letter. Reads go through
``AssignmentNotice.objects.visible_to`` (the fetch-or-404 helpers are here).
"""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.db.models.fields.json import KT
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Membership, Organization
from proposals.batch import AssignedBatch, proposals_assign_batch
from proposals.errors import WorkflowError
from proposals.models import Assignment, Proposal
from proposals.numerals import chinese_date

from .letter import CcRecipient, LetterData
from .letter.notice import Block, TableBlock, render_document_pdf, uncovered_document_characters
from .models import AssignmentBatch, AssignmentNotice
from .numbering import format_document_number, next_document_seq
from .pdf import letter_from_snapshot, letter_snapshot

TABLE_HEADER = ("编号", "标题", "领衔代表", "主办/协办", "答复期限")
DEFAULT_PREFIX = "交办"  # the number's prefix when the congress office has none of its own


def batch_assign(
    *,
    proposals: Iterable[Proposal],
    lead: Organization,
    assistants: Iterable[Organization] = (),
    by,
    reply_due_on: datetime.date | None = None,
    opinion_due_on: datetime.date | None = None,
) -> AssignmentBatch:
    """Assign the proposals to ``lead`` and ``assistants`` and issue each bureau its notice.
    Raises ``BatchRefused`` (listing each proposal that cannot be assigned) or
    ``WorkflowError`` with nothing assigned and no notice issued."""
    with transaction.atomic():
        done = proposals_assign_batch(
            proposals=proposals, lead=lead, assistants=assistants, by=by,
            reply_due_on=reply_due_on, opinion_due_on=opinion_due_on,
        )
        return notices_issue(done, overridden=bool(reply_due_on or opinion_due_on))


def notices_issue(done: AssignedBatch, *, overridden: bool = False) -> AssignmentBatch:
    issuer = congress_office_of(done.by)
    issued_on = timezone.localdate(done.assigned_at)
    batch = AssignmentBatch.objects.create(assigned_at=done.assigned_at, assigned_by=done.by)
    by_bureau: dict[int, list[Assignment]] = {}
    for assignment in done.assignments:  # lead first: the lead's notice is numbered first
        by_bureau.setdefault(assignment.bureau_id, []).append(assignment)
    for assignments in by_bureau.values():
        bureau = assignments[0].bureau
        seq = next_document_seq(issuer, issued_on.year)
        number = format_document_number(issuer.document_prefix or DEFAULT_PREFIX, issued_on.year, seq)
        # Fix what the notice prints now, in Chinese whatever language the officer reads.
        with translation.override(settings.LANGUAGE_CODE):
            letter, blocks = notice_letter(
                issuer=issuer, bureau=bureau, assignments=assignments, issued_on=issued_on,
                document_number=number, contact=done.by.display_name, overridden=overridden,
            )
        if missing := uncovered_document_characters(letter, blocks):
            raise WorkflowError(
                _("给%(bureau)s的交办通知中有无法打印的字符：%(chars)s，请先更正建议标题或代表姓名。")
                % {"bureau": bureau.short_name, "chars": "、".join(f"「{c}」" for c in missing)}
            )
        notice = AssignmentNotice.objects.create(
            batch=batch, bureau=bureau, issuer=issuer, year=issued_on.year, seq=seq,
            document_number=number, issued_on=issued_on,
            letter={"letter": letter_snapshot(letter), "blocks": blocks_snapshot(blocks)},
        )
        notice.assignments.set(assignments)
    return batch


def congress_office_of(user) -> Organization:
    """The congress office issuing the user's notices: their own, or for an admin the only one."""
    offices = Organization.objects.filter(kind=Organization.Kind.CONGRESS_OFFICE)
    own = offices.filter(
        memberships__user=user, memberships__role=Membership.Role.CONGRESS_OFFICER
    ).order_by("pk").first()
    office = own or offices.order_by("pk").first()
    if office is None:
        raise WorkflowError(_("尚未设置人大代表工委单位，无法生成交办通知，请联系管理员。"))
    return office


# --- what a notice says -----------------------------------------------------------------------


def _subject(proposals: list[Proposal]) -> str:
    """市十八届人大一次会议代表建议 (each session once, in order)."""
    sessions = list(dict.fromkeys(p.session for p in proposals))
    return "、".join(f"{s.name}{s.member_title}{s.item_noun}" for s in sessions)


def _row(assignment: Assignment, several_sessions: bool) -> tuple[str, ...]:
    proposal = assignment.proposal
    label = f"{proposal.session.code} {proposal.label}" if several_sessions else proposal.label
    role = assignment.get_role_display()
    if assignment.handling == Assignment.Handling.SPLIT:
        role = f"{role}（分办）"
    return (label, proposal.title, proposal.lead_deputy.name, role, chinese_date(assignment.due_on))


def _rules(assignments: list[Assignment], overridden: bool, issuer: str) -> str:
    session = assignments[0].proposal.session
    member, noun = session.member_title, session.item_noun
    roles = {a.role for a in assignments}
    due = []
    if Assignment.Role.LEAD in roles:
        due.append(f"主办单位应自交办之日起{session.reply_rule}内答复{member}")
    if Assignment.Role.ASSISTING in roles:
        due.append(f"协办单位应自交办之日起{session.opinion_rule}内将协办意见送主办单位")
    due_line = "；".join(due) + "；期限届满日遇法定节假日或休息日的，顺延至其后第一个工作日"
    if overridden:
        due_line += f"。本次交办的期限由{issuer}指定，以上表所列日期为准"
    else:
        due_line += "。各件的具体期限见上表"
    return "\n".join([
        f"一、办理期限。{due_line}。",
        f"二、调整交办。认为{noun}内容不属于本单位职责的，请于交办之日起"
        f"{session.rule('reassignment_window')}内向{issuer}提出调整交办申请并说明理由，逾期视为接受交办。",
        "三、延期办理。确因客观原因不能按期办结的，应在期限届满前提出延期申请并说明理由；"
        f"延期后的期限自交办之日起最长不超过{settings.EXTENSION_MAX_MONTHS}个月。",
        f"四、沟通答复。办理中应与领衔{member}当面或电话沟通，听取意见；答复经单位负责人签发后送达{member}，"
        "并按规定抄送有关单位。",
    ])


def notice_letter(
    *, issuer, bureau, assignments: list[Assignment], issued_on, document_number, contact="", overridden=False
) -> tuple[LetterData, list[Block]]:
    proposals = [a.proposal for a in assignments]
    subject = _subject(proposals)
    several = len({p.session_id for p in proposals}) > 1
    leads = sum(a.is_lead for a in assignments)
    split = [f"主办{leads}件"] if leads else []
    if len(assignments) - leads:
        split.append(f"协办{len(assignments) - leads}件")
    intro = (
        f"现将{subject}{len(assignments)}件交由你单位办理（{'、'.join(split)}），详见下表。"
        f"请按照以下要求认真研究办理，按期答复{proposals[0].session.member_title}。"
    )
    header = tuple(f"领衔{proposals[0].session.member_title}" if h == "领衔代表" else h for h in TABLE_HEADER)
    table = TableBlock(header, tuple(_row(a, several) for a in assignments), wide=1)
    government = Organization.objects.filter(kind=Organization.Kind.GOVERNMENT_OFFICE).order_by("pk").first()
    letter = LetterData(
        kind="opinion",  # no category mark: it is not a reply
        title=f"关于交办{subject}的通知",
        salutation=f"{bureau.short_name or bureau.name}：",
        body="",
        signing_bureau=issuer.name,
        date=issued_on,
        authority_mark=f"{issuer.name}文件",
        document_number=document_number,
        contact_name=contact,
        cc=(CcRecipient(government.cc_label),) if government else (),
    )
    return letter, [intro, table, _rules(assignments, overridden, issuer.short_name or issuer.name)]


def blocks_snapshot(blocks: list[Block]) -> list[dict]:
    return [
        {"header": list(b.header), "rows": [list(r) for r in b.rows], "wide": b.wide}
        if isinstance(b, TableBlock) else {"text": b}
        for b in blocks
    ]


def notice_document(notice: AssignmentNotice) -> tuple[LetterData, list[Block]]:
    """The letter and body blocks as fixed when the notice was issued."""
    blocks: list[Block] = [
        TableBlock(tuple(b["header"]), tuple(tuple(r) for r in b["rows"]), b.get("wide"))
        if "header" in b else b["text"]
        for b in notice.letter["blocks"]
    ]
    return letter_from_snapshot(notice.letter["letter"]), blocks


def notice_pdf(notice: AssignmentNotice):
    return render_document_pdf(*notice_document(notice))


def notice_filename(notice: AssignmentNotice) -> str:
    return f"{notice.document_number} {notice.title}（{notice.bureau.short_name}）.pdf"


# --- reading, under the access rule -------------------------------------------------------------


def notices_visible(user):
    return AssignmentNotice.objects.visible_to(user).select_related("bureau", "issuer", "batch")


def with_counts(notices):
    """Each notice with ``proposal_count``, the proposals it lists (one query for a whole list)."""
    return notices.annotate(proposal_count=Count("assignments")).order_by("-issued_on", "-id")


def notice_get_visible(user, pk) -> AssignmentNotice:
    """The notice if the user may read it; 404 otherwise."""
    return get_object_or_404(notices_visible(user), pk=pk)


def batch_notices_visible(user, batch_pk):
    """The notices of a batch the user may read; 404 when none (or no such batch)."""
    notices = list(with_counts(notices_visible(user).filter(batch_id=batch_pk)).order_by("seq"))
    if not notices:
        raise Http404
    return notices


def proposal_notices(user, proposal: Proposal):
    """The notices listing this proposal: an IN over the notices' assignments of it, not a join
    and a DISTINCT over every column (the letter's JSON included)."""
    listing = AssignmentNotice.assignments.through.objects.filter(assignment__proposal=proposal)
    on_proposal = AssignmentNotice.objects.visible_to(user).filter(pk__in=listing.values("assignmentnotice_id"))
    # The box shows a line per notice: its title, not the letter (which lists every proposal of
    # the bureau's batch).
    return (
        on_proposal.select_related("bureau")
        .only("document_number", "issued_on", "bureau__short_name")
        .annotate(letter_title=KT("letter__letter__title"))
        .order_by("-issued_on", "-id")
    )
