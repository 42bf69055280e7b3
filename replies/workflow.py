"""The reply lifecycle: accepting an assignment (which starts its draft), sending a reply for
signing, returning or signing it, sending it with its cc list, starting a new round, sending a
co-handling opinion, and re-rendering a signed letter.

Each transition is an entry of the one registry (``proposals.transitions.TRANSITIONS``), declared
here beside the service that performs it. Every service runs in one transaction, locks what it
changes, writes one event, and raises ``WorkflowError`` or ``PermissionDenied`` without changing
anything.
"""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.audit import audit_record
from accounts.models import AuditRecord
from accounts.roles import roles_of
from accounts.twofactor import code_ok, two_factor_required
from proposals.deadlines import rehandling_deadline, release_deadline
from proposals.errors import WorkflowError
from proposals.events import event_record
from proposals.models import Assignment, Event
from proposals.states import AssignmentState, ProposalState
from proposals.transitions import (
    Note,
    Transition,
    leads,
    manages,
    sync_proposal_state,
    works_on,
)

from . import pdf
from .drafts import opinion_ready_problems, opinion_start, reply_ready_problems, reply_start
from .letter.data import CcRecipient, cc_line
from .models import CoHandlingOpinion, LetterPdf, Reply
from .numbering import format_document_number, next_document_seq
from .selectors import current_opinion, current_reply

S = AssignmentState
A = Event.Action
LEAD, ASSISTING = Assignment.Role.LEAD, Assignment.Role.ASSISTING

ACCEPT = Transition(A.ACCEPT, frozenset({S.ASSIGNED}), S.DRAFTING, works_on)
SUBMIT = Transition(
    A.SUBMIT, frozenset({S.DRAFTING}), S.IN_REVIEW, works_on, role=LEAD,
    note=Note.OPTIONAL, note_hint=gettext_lazy("说明（可选；协办意见逾期未到时必填）"),
)
RETURN = Transition(
    A.RETURN, frozenset({S.IN_REVIEW}), S.DRAFTING, leads, role=LEAD,
    note=Note.REQUIRED, note_hint=gettext_lazy("请填写退回理由（必填）"), danger=True,
)
SIGN = Transition(
    A.SIGN, frozenset({S.IN_REVIEW}), S.SIGNED, leads, role=LEAD, asks_for_code=True,
    confirm=gettext_lazy("签发后答复即编号定稿，不能再修改。确定签发吗？"),
)
SEND = Transition(
    A.SEND, frozenset({S.SIGNED}), S.REPLIED, works_on, role=LEAD,
    confirm=gettext_lazy("发送后代表即可看到答复。确定发送吗？"),
)
NEW_ROUND = Transition(
    A.NEW_ROUND, frozenset({S.SIGNED, S.REPLIED}), S.DRAFTING, leads, role=LEAD,
    note=Note.REQUIRED, note_hint=gettext_lazy("请填写重新答复的原因（必填）"), note_arg="reason",
    danger=True,
)
SEND_OPINION = Transition(
    A.SEND_OPINION, frozenset({S.DRAFTING}), S.OPINION_SENT, leads, role=ASSISTING, asks_for_code=True,
    confirm=gettext_lazy("协办意见签发送出后不能再修改。确定送出吗？"),
)


def _rehandled(roles, assignment) -> bool:
    # Opened by the rating service for a deputy of the proposal who rated, or the congress office
    # recording a paper rating or a correction; never offered as a button.
    if roles.manages_proposals:
        return True
    proposal = assignment.proposal
    return roles.is_deputy and (
        roles.deputy_id == proposal.lead_deputy_id
        or proposal.co_signers.filter(pk=roles.deputy_id).exists()
    )


REHANDLE = Transition(
    A.REHANDLE, frozenset({S.REPLIED}), S.DRAFTING, _rehandled, role=LEAD, offered=False,
    note=Note.REQUIRED,
)


def _lead_is_rehandling(assignment: Assignment) -> bool:
    if assignment.proposal.state not in (ProposalState.ASSIGNED, ProposalState.DRAFTING):
        return False  # as far along as its least advanced lead: none is drafting (no query)
    return Reply.objects.filter(
        assignment__proposal_id=assignment.proposal_id,
        assignment__role=LEAD,
        assignment__state=S.DRAFTING,
        rehandling=True,
        signed_at__isnull=True,
    ).exists()


REOPEN_OPINION = Transition(
    A.REOPEN_OPINION, frozenset({S.OPINION_SENT}), S.DRAFTING, manages, role=ASSISTING,
    condition=_lead_is_rehandling, condition_per_proposal=True, note=Note.OPTIONAL,
    note_hint=gettext_lazy("请协办单位重新研究的事项（可选）"),
)


@ACCEPT.implemented_by
def assignment_accept(*, assignment: Assignment, by) -> Assignment:
    """Take on the assignment: the lead gets its first reply draft, an assistant its opinion."""
    with transaction.atomic():
        assignment, _note = ACCEPT.begin(assignment, by)
        ACCEPT.move(assignment, by=by)
        if assignment.is_lead:
            reply_start(assignment=assignment, by=by)
        else:
            opinion_start(assignment=assignment, by=by)
    return assignment


def _incomplete(reply: Reply) -> None:
    problems = reply_ready_problems(reply)
    if problems:
        raise WorkflowError(_("答复稿尚不完整：") + "；".join(problems) + "。")


@SUBMIT.implemented_by
def reply_submit(*, assignment: Assignment, by, note: str = "") -> Assignment:
    """Send the draft for signing. Every assisting bureau must have sent its opinion, unless an
    opinion is past due; then the lead must say why in the note."""
    with transaction.atomic():
        assignment, note = SUBMIT.begin(assignment, by, note)
        _incomplete(current_reply(assignment))
        waiting = list(
            assignment.proposal.assignments.filter(role=ASSISTING)
            .active()
            .exclude(state=S.OPINION_SENT)
            .select_related("bureau")
        )
        today = timezone.localdate()
        not_yet_due = [a for a in waiting if a.due_on >= today]
        if not_yet_due:
            raise WorkflowError(
                _("尚未收到%(names)s的协办意见（期限未到），暂不能送签发。")
                % {"names": "、".join(a.bureau.short_name for a in not_yet_due)}
            )
        if waiting and not note:
            raise WorkflowError(
                _("%(names)s的协办意见已逾期未送达，请在说明中写明未等候协办意见的原因。")
                % {"names": "、".join(a.bureau.short_name for a in waiting)}
            )
        SUBMIT.move(assignment, by=by, note=note)
    return assignment


@RETURN.implemented_by
def reply_return(*, assignment: Assignment, by, note: str) -> Assignment:
    with transaction.atomic():
        assignment, note = RETURN.begin(assignment, by, note)
        RETURN.move(assignment, by=by, note=note)
    return assignment


def _seal_reply(reply: Reply, *, by, signed_on: datetime.date) -> Reply:
    """The leader becomes the signer and the reply takes the bureau's next number for the year."""
    bureau = reply.bureau
    if not bureau.document_prefix:
        raise WorkflowError(
            _("「%(name)s」未设置发文字号前缀，请管理员先在单位设置中填写。") % {"name": bureau}
        )
    _incomplete(reply)
    seq = next_document_seq(bureau, signed_on.year)
    reply.signer = by
    reply.signed_on = signed_on
    reply.document_number = format_document_number(bureau.document_prefix, signed_on.year, seq)
    # Fix what the letter prints now, in Chinese whatever language the leader reads.
    with translation.override(settings.LANGUAGE_CODE):
        snapshot = pdf.letter_snapshot(pdf.live_reply_letter(reply))
    reply.seal(
        by=by,
        signed_on=signed_on,
        document_year=signed_on.year,
        document_seq=seq,
        document_number=reply.document_number,
        letter=snapshot,
    )
    return reply


def _fresh_code(by, code: str) -> None:
    """With two-factor login on, signing needs a code given now, not only at login."""
    if two_factor_required(by) and code_ok(by, code) is None:
        raise WorkflowError(_("签发须输入身份验证器上的动态口令；口令不正确或已使用过，请输入新的口令。"))


@SIGN.implemented_by
def reply_sign(
    *, assignment: Assignment, by, signed_on: datetime.date | None = None, code: str = ""
) -> Reply:
    """Sign the current reply, number it in this same transaction and queue its PDF (rendered by
    a worker after commit). The cc list is frozen from here."""
    with transaction.atomic():
        assignment, _note = SIGN.begin(assignment, by)
        _fresh_code(by, code)
        reply = _seal_reply(current_reply(assignment), by=by, signed_on=signed_on or timezone.localdate())
        # In this transaction: the record commits with the number or not at all.
        audit_record(action=AuditRecord.Action.SIGN, user=by, obj=reply, detail=reply.document_number)
        SIGN.move(assignment, by=by, note=reply.document_number)
        pdf.pdf_queue(reply=reply, by=by)
    return reply


@SEND.implemented_by
def reply_send(*, assignment: Assignment, by) -> Assignment:
    with transaction.atomic():
        assignment, _note = SEND.begin(assignment, by)
        reply = current_reply(assignment)
        sent_at = timezone.now()
        fields = {"sent_at": sent_at}
        if reply.disclosure == Reply.Disclosure.PUBLIC:
            fields["release_due_on"] = release_deadline(
                assignment.proposal.session, timezone.localdate(sent_at)
            ).due_on
        Reply.objects.filter(pk=reply.pk).update(**fields)  # sealed: sending is not an edit
        cc = cc_line(tuple(CcRecipient(c.name, c.is_person) for c in reply.cc.all())).rstrip("。")
        SEND.move(assignment, by=by, note=_("抄送：%(cc)s") % {"cc": cc} if cc else "")
    return assignment


@NEW_ROUND.implemented_by
def reply_new_round(*, assignment: Assignment, by, reason: str) -> Reply:
    """Correct or re-handle a signed reply: a new draft round; the signed one stays as it was."""
    with transaction.atomic():
        assignment, reason = NEW_ROUND.begin(assignment, by, reason)
        NEW_ROUND.move(assignment, by=by, note=reason)
        sync_proposal_state(assignment.proposal, reopen=True)
        reply = reply_start(assignment=assignment, by=by, reason=reason)
    return reply


@SEND_OPINION.implemented_by
def opinion_send(
    *, assignment: Assignment, by, signed_on: datetime.date | None = None, code: str = ""
) -> CoHandlingOpinion:
    with transaction.atomic():
        assignment, _note = SEND_OPINION.begin(assignment, by)
        _fresh_code(by, code)
        opinion = current_opinion(assignment)
        problems = opinion_ready_problems(opinion)
        if problems:
            raise WorkflowError(_("协办意见尚不能送出：") + "；".join(problems) + "。")
        opinion.seal(by=by, signed_on=signed_on or timezone.localdate())
        SEND_OPINION.move(assignment, by=by)
    return opinion


@REHANDLE.implemented_by
def reply_rehandle(*, assignment: Assignment, by, note: str) -> Reply:
    """A deputy was not satisfied: the lead bureau handles the proposal again in a new round,
    due in the session's re-handling months, with the deputy's comment in front of the clerk.
    Called by the rating service inside its transaction."""
    with transaction.atomic():
        assignment, note = REHANDLE.begin(assignment, by, note)
        deadline = rehandling_deadline(assignment.proposal.session, timezone.localdate())
        assignment.due_on, assignment.due_basis = deadline.due_on, deadline.basis
        assignment.save(update_fields=["due_on", "due_basis"])
        REHANDLE.move(assignment, by=by, note=note)
        sync_proposal_state(assignment.proposal, reopen=True)
        reply = reply_start(assignment=assignment, by=by, reason=note, rehandling=True)
    return reply


@REOPEN_OPINION.implemented_by
def opinion_reopen(*, assignment: Assignment, by, note: str = "") -> CoHandlingOpinion:
    """During a re-handling the congress office asks an assisting bureau for a new opinion: a
    new opinion round from the last one's text, due in the re-handling months."""
    with transaction.atomic():
        assignment, note = REOPEN_OPINION.begin(assignment, by, note)
        deadline = rehandling_deadline(assignment.proposal.session, timezone.localdate())
        assignment.due_on, assignment.due_basis = deadline.due_on, deadline.basis
        assignment.save(update_fields=["due_on", "due_basis"])
        REOPEN_OPINION.move(assignment, by=by, note=note)
        opinion = opinion_start(assignment=assignment, by=by)
    return opinion


def reply_pdf_rerender(*, reply: Reply, by) -> LetterPdf:
    """Admins only: render a signed letter again as a new generation (same text, same hash)."""
    if not roles_of(by).is_admin:
        raise PermissionDenied(_("只有管理员可以重新生成 PDF。"))
    with transaction.atomic():
        job = pdf.pdf_queue(reply=reply, by=by)
        event_record(
            proposal=reply.assignment.proposal,
            assignment=reply.assignment,
            by=by,
            action=A.PDF_RERENDER,
            note=f"{reply.document_number} 第{job.generation}次生成",
        )
    return job
