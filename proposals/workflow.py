"""Intake: registering, assigning, reassignment, closing, and consultations with the deputy.

Every write is a service function here (or, for the reply lifecycle, in ``replies.workflow``).
Each runs in one transaction, locks the rows it changes, writes one ``Event`` and raises
``WorkflowError`` (with a message for the user) or ``PermissionDenied`` without changing anything.
"""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Deputy, Organization
from accounts.roles import require_manager, roles_of

from .calendar import CalendarUnknown, WorkingCalendar
from .deadlines import (
    Deadline,
    latest_due_date,
    opinion_deadline,
    reassignment_deadline,
    reply_deadline,
)
from .errors import WorkflowError
from .events import event_record
from .models import Assignment, Consultation, Event, Proposal, Session
from .numerals import chinese_date
from .signals import assignment_replaced
from .states import AssignmentState, ProposalState
from .transitions import Note, Transition, lock, manages, may_consult, sync_proposal_state, works_on

S = AssignmentState
A = Event.Action

REQUEST_REASSIGNMENT = Transition(
    A.REQUEST_REASSIGNMENT, frozenset({S.ASSIGNED}), S.REASSIGNMENT_REQUESTED, works_on,
    note=Note.REQUIRED, note_hint=gettext_lazy("请填写申请理由（必填）"), note_arg="reason", danger=True,
)
APPROVE_REASSIGNMENT = Transition(
    A.APPROVE_REASSIGNMENT, frozenset({S.REASSIGNMENT_REQUESTED}), S.WITHDRAWN, manages,
    note=Note.OPTIONAL, note_hint=gettext_lazy("说明（可选）"), asks_for_bureau=True,
)
REFUSE_REASSIGNMENT = Transition(
    A.REFUSE_REASSIGNMENT, frozenset({S.REASSIGNMENT_REQUESTED}), S.ASSIGNED, manages,
    note=Note.REQUIRED, note_hint=gettext_lazy("请填写不同意的理由（必填）"),
)


# --- registering and assigning ----------------------------------------------------------------


def proposal_register(
    *,
    by,
    session: Session,
    number: int,
    title: str,
    reasons: str,
    suggestions: str,
    lead_deputy: Deputy,
    co_signers: Iterable[Deputy] = (),
    timing: str = Proposal.Timing.DURING_SESSION,
    category: str = Proposal.Category.OTHER,
    key_supervised: bool = False,
    supervising_leader: str = "",
    received_on: datetime.date | None = None,
) -> Proposal:
    require_manager(by, _("只有人大代表工委可以登记建议。"))
    co_signers = [d for d in co_signers if d.pk != lead_deputy.pk]
    with transaction.atomic():
        if Proposal.objects.filter(session=session, number=number).exists():
            raise WorkflowError(
                _("%(session)s已有第%(number)s号%(noun)s，编号不能重复。")
                % {"session": session.name, "number": number, "noun": session.item_noun}
            )
        proposal = Proposal(
            session=session,
            number=number,
            title=title.strip(),
            reasons=reasons,
            suggestions=suggestions,
            lead_deputy=lead_deputy,
            timing=timing,
            category=category,
            key_supervised=key_supervised,
            supervising_leader=supervising_leader.strip() if key_supervised else "",
            received_on=received_on or timezone.localdate(),
            registered_by=by,
        )
        proposal.full_clean()
        try:
            with transaction.atomic():
                proposal.save()
        except IntegrityError as exc:  # a concurrent registration took the number
            raise WorkflowError(_("编号已被占用，请刷新后重试。")) from exc
        proposal.co_signers.set(co_signers)
        event_record(proposal=proposal, by=by, action=A.REGISTER, to_state=ProposalState.RECEIVED)
    return proposal


def assignment_deadline(session, role, assigned_on: datetime.date, due_on=None) -> Deadline:
    """An assignment's due date: by the session's rule for its role, or ``due_on`` as the congress
    office set it when assigning (a working day, after the assignment, within the longest
    extension), its basis naming the rule's date it replaces."""
    lead = role == Assignment.Role.LEAD
    rule = (reply_deadline if lead else opinion_deadline)(session, assigned_on)
    if due_on is None or due_on == rule.due_on:
        return rule
    what = _("答复期限") if lead else _("协办意见期限")
    if due_on <= assigned_on:
        raise WorkflowError(_("指定的%(what)s须晚于交办日期。") % {"what": what})
    latest = latest_due_date(assigned_on)
    if due_on > latest:
        raise WorkflowError(
            _("指定的%(what)s不能超过交办后%(n)s个月（最迟%(day)s）。")
            % {"what": what, "n": settings.EXTENSION_MAX_MONTHS, "day": chinese_date(latest)}
        )
    try:
        working = WorkingCalendar().is_workday(due_on)
    except CalendarUnknown:
        working = True  # the calendar cannot say; the date stands as the office chose it
    if not working:
        raise WorkflowError(
            _("指定的%(what)s%(day)s不是工作日，请另选日期。") % {"what": what, "day": chinese_date(due_on)}
        )
    # Stored and printed as it is: never translated, like the rules' own bases.
    what = "答复期限" if lead else "协办意见期限"
    return Deadline(due_on, f"{what}：代表工委交办时指定为{chinese_date(due_on)}（按规定为{chinese_date(rule.due_on)}）")


def _create_assignment(*, proposal, bureau, role, handling, by, assigned_at, due_on=None) -> Assignment:
    if bureau.kind != Organization.Kind.BUREAU:
        raise WorkflowError(_("「%(name)s」不是承办单位。") % {"name": bureau})
    assigned_on = timezone.localdate(assigned_at)
    deadline = assignment_deadline(proposal.session, role, assigned_on, due_on)
    return Assignment.objects.create(
        proposal=proposal,
        bureau=bureau,
        role=role,
        handling=handling,
        assigned_at=assigned_at,
        assigned_by=by,
        due_on=deadline.due_on,
        due_basis=deadline.basis,
    )


def assign_refusal(proposal: Proposal) -> str:
    """Why the proposal cannot be assigned now ("" when it can): only a received proposal is."""
    if proposal.state == ProposalState.RECEIVED:
        return ""
    return _("建议当前状态为「%(state)s」，已交办的建议请通过调整交办变更承办单位。") % {
        "state": proposal.get_state_display()
    }


def proposal_assign(
    *,
    proposal: Proposal,
    leads: Iterable[Organization],
    assistants: Iterable[Organization] = (),
    by,
    assigned_at: datetime.datetime | None = None,
    reply_due_on: datetime.date | None = None,
    opinion_due_on: datetime.date | None = None,
) -> list[Assignment]:
    """Assign a received proposal: one lead (joint handling, with assistants) or several
    leads (split handling: each replies on its own part). Due dates follow the session's rules
    unless the congress office sets them (``reply_due_on`` for leads, ``opinion_due_on``)."""
    require_manager(by, _("只有人大代表工委可以交办建议。"))
    leads, assistants = list(dict.fromkeys(leads)), list(dict.fromkeys(assistants))
    if not leads:
        raise WorkflowError(_("请至少选择一个主办单位。"))
    if set(leads) & set(assistants):
        raise WorkflowError(_("同一单位不能既主办又协办。"))
    if len(leads) > 1 and assistants:
        raise WorkflowError(_("分办时每个主办单位各自答复，不再设协办单位。"))
    handling = Assignment.Handling.SPLIT if len(leads) > 1 else Assignment.Handling.JOINT
    assigned_at = assigned_at or timezone.now()
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update(of=("self",)).select_related("session").get(pk=proposal.pk)
        if refusal := assign_refusal(proposal):
            raise WorkflowError(refusal)
        due = {Assignment.Role.LEAD: reply_due_on, Assignment.Role.ASSISTING: opinion_due_on}
        created = [
            _create_assignment(
                proposal=proposal, bureau=b, role=role, handling=handling, by=by, assigned_at=assigned_at,
                due_on=due[role],
            )
            for role, bureaus in ((Assignment.Role.LEAD, leads), (Assignment.Role.ASSISTING, assistants))
            for b in bureaus
        ]
        lead_due = min(a.due_on for a in created if a.is_lead)
        if (reply_due_on or opinion_due_on) and any(a.due_on > lead_due for a in created if not a.is_lead):
            raise WorkflowError(_("协办意见期限不能晚于主办单位的答复期限。"))
        names = "、".join(f"{a.bureau.short_name}（{a.get_role_display()}）" for a in created)
        event_record(
            proposal=proposal,
            by=by,
            action=A.ASSIGN,
            from_state=ProposalState.RECEIVED,
            to_state=ProposalState.ASSIGNED,
            note=names,
        )
        sync_proposal_state(proposal)
    return created


# --- reassignment ------------------------------------------------------------------------------


@REQUEST_REASSIGNMENT.implemented_by
def assignment_request_reassignment(*, assignment: Assignment, by, reason: str) -> Assignment:
    with transaction.atomic():
        assignment, reason = REQUEST_REASSIGNMENT.begin(assignment, by, reason)
        window = reassignment_deadline(assignment.proposal.session, timezone.localdate(assignment.assigned_at))
        if timezone.localdate() > window.due_on:
            raise WorkflowError(
                _("调整交办须在交办后%(rule)s内提出（%(basis)s），已超过期限，请与代表工委联系。")
                % {"rule": assignment.proposal.session.rule("reassignment_window"), "basis": window.basis}
            )
        assignment.reassignment_reason = reason
        REQUEST_REASSIGNMENT.move(assignment, by=by, note=reason)
    return assignment


@APPROVE_REASSIGNMENT.implemented_by
def assignment_approve_reassignment(
    *, assignment: Assignment, by, new_bureau: Organization | None, note: str = ""
) -> Assignment:
    """Withdraw the assignment and give the same role to another bureau, with a fresh due date."""
    with transaction.atomic():
        assignment, note = APPROVE_REASSIGNMENT.begin(assignment, by, note)
        if new_bureau is None:
            raise WorkflowError(_("请选择改由哪个单位承办。"))
        if new_bureau.pk == assignment.bureau_id:
            raise WorkflowError(_("请选择另一个承办单位。"))
        if assignment.proposal.assignments.active().filter(bureau=new_bureau).exists():
            raise WorkflowError(_("「%(name)s」已承办此建议。") % {"name": new_bureau})
        APPROVE_REASSIGNMENT.move(assignment, by=by, note=note)
        replacement = _create_assignment(
            proposal=assignment.proposal,
            bureau=new_bureau,
            role=assignment.role,
            handling=assignment.handling,
            by=by,
            assigned_at=timezone.now(),
        )
        assignment_replaced.send(
            sender=Assignment, withdrawn=assignment, replacement=replacement, by=by
        )
        event_record(
            proposal=assignment.proposal,
            assignment=replacement,
            by=by,
            action=A.REASSIGN,
            to_state=replacement.state,
            note=_("由%(old)s调整为%(new)s") % {"old": assignment.bureau, "new": new_bureau},
        )
        sync_proposal_state(assignment.proposal)
    return replacement


@REFUSE_REASSIGNMENT.implemented_by
def assignment_refuse_reassignment(*, assignment: Assignment, by, note: str) -> Assignment:
    with transaction.atomic():
        assignment, note = REFUSE_REASSIGNMENT.begin(assignment, by, note)
        assignment.reassignment_reason = ""  # the request and the refusal stay in the event log
        REFUSE_REASSIGNMENT.move(assignment, by=by, note=note)
    return assignment


def proposal_close(*, proposal: Proposal, by, note: str = "") -> Proposal:
    require_manager(by, _("只有人大代表工委可以办结建议。"))
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if proposal.state != ProposalState.REPLIED:
            raise WorkflowError(
                _("建议当前状态为「%(state)s」，答复送达后才能办结。")
                % {"state": proposal.get_state_display()}
            )
        note = (note or "").strip()
        if not note:
            raise WorkflowError(_("办结须填写说明，例如代表的测评结果。"))
        Proposal.objects.filter(pk=proposal.pk).update(state=ProposalState.CLOSED)
        event_record(
            proposal=proposal,
            by=by,
            action=A.CLOSE,
            from_state=ProposalState.REPLIED,
            to_state=ProposalState.CLOSED,
            note=note,
        )
        proposal.state = ProposalState.CLOSED
    return proposal


def consultation_record(
    *,
    assignment: Assignment,
    by,
    held_on,
    form: str,
    participants: str,
    summary: str,
    phase: str = Consultation.Phase.DURING,
) -> Consultation:
    if not works_on(roles_of(by), assignment):
        raise PermissionDenied(_("只有承办单位可以记录沟通情况。"))
    with transaction.atomic():
        assignment = lock(assignment)
        if not may_consult(roles_of(by), assignment):
            raise WorkflowError(_("该交办已撤回。"))
        consultation = Consultation(
            assignment=assignment,
            phase=phase,
            held_on=held_on,
            form=form,
            participants=participants.strip(),
            summary=summary.strip(),
            recorded_by=by,
        )
        consultation.full_clean()
        consultation.save()
        event_record(
            proposal=assignment.proposal,
            assignment=assignment,
            by=by,
            action=A.CONSULTATION,
            note=f"{chinese_date(held_on)} {consultation.get_form_display()}：{participants.strip()}",
        )
    return consultation



def consultation_answer(*, consultation: Consultation, by, answer: str, comment: str = "") -> Consultation:
    """The lead deputy confirms a consultation the bureau logged, or says they disagree (with a
    comment). Answered once; the bureau sees the answer."""
    roles = roles_of(by)
    proposal = consultation.assignment.proposal
    if not roles.is_deputy or roles.deputy_id != proposal.lead_deputy_id:
        raise PermissionDenied(_("只有领衔代表本人可以确认沟通情况。"))
    if answer not in (Consultation.Answer.CONFIRMED, Consultation.Answer.DISPUTED):
        raise WorkflowError(_("请选择「确认」或「有异议」。"))
    comment = (comment or "").strip()
    if answer == Consultation.Answer.DISPUTED and not comment:
        raise WorkflowError(_("有异议时请写明意见。"))
    with transaction.atomic():
        consultation = Consultation.objects.select_for_update().select_related("assignment").get(pk=consultation.pk)
        if consultation.deputy_answer:
            raise WorkflowError(_("您已答复过这条沟通记录。"))
        Consultation.objects.filter(pk=consultation.pk).update(
            deputy_answer=answer, deputy_comment=comment, answered_by=by, answered_at=timezone.now()
        )
        consultation.refresh_from_db()
        event_record(
            proposal=proposal,
            assignment=consultation.assignment,
            by=by,
            action=A.ANSWER_CONSULTATION,
            note=f"{consultation.get_deputy_answer_display()}" + (f"：{comment}" if comment else ""),
        )
    return consultation
