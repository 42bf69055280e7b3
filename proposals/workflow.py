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
from accounts.roles import roles_of

from .deadlines import add_months, opinion_deadline, reply_deadline
from .errors import WorkflowError
from .events import event_record
from .models import Assignment, Consultation, Event, Proposal, Reminder, Session
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


def _extension_pending(assignment: Assignment) -> bool:
    return assignment.extension_until is not None


def _no_extension_pending(assignment: Assignment) -> bool:
    return assignment.extension_until is None


OPEN = frozenset({S.ASSIGNED, S.REASSIGNMENT_REQUESTED, S.DRAFTING, S.IN_REVIEW})
REQUEST_EXTENSION = Transition(
    A.REQUEST_EXTENSION, OPEN, None, works_on, condition=_no_extension_pending,
    note=Note.REQUIRED, note_hint=gettext_lazy("延期理由（必填）"), note_arg="reason",
    asks_for_date=True, date_label=gettext_lazy("申请延期至"), date_required=True,
)
GRANT_EXTENSION = Transition(
    A.GRANT_EXTENSION, OPEN, None, manages, condition=_extension_pending,
    note=Note.OPTIONAL, note_hint=gettext_lazy("说明（可选）"),
    asks_for_date=True, date_label=gettext_lazy("延期至（不填则按申请）"),
)
REMIND = Transition(
    A.REMIND, frozenset({S.ASSIGNED, S.REASSIGNMENT_REQUESTED, S.DRAFTING, S.IN_REVIEW}), None,
    lambda roles, _a: roles.sees_everything, note=Note.REQUIRED,
    note_hint=gettext_lazy("催办说明（必填），例如请于本周内报送答复稿"),
)
REFUSE_EXTENSION = Transition(
    A.REFUSE_EXTENSION, OPEN, None, manages, condition=_extension_pending,
    note=Note.REQUIRED, note_hint=gettext_lazy("不同意的理由（必填）"), danger=True,
)


def _require_manager(user, message) -> None:
    if not roles_of(user).manages_proposals:
        raise PermissionDenied(message)


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
    _require_manager(by, _("只有人大代表工委可以登记建议。"))
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


def _create_assignment(*, proposal, bureau, role, handling, by, assigned_at) -> Assignment:
    if bureau.kind != Organization.Kind.BUREAU:
        raise WorkflowError(_("「%(name)s」不是承办单位。") % {"name": bureau})
    assigned_on = timezone.localdate(assigned_at)
    deadline = (
        reply_deadline(proposal.session, assigned_on)
        if role == Assignment.Role.LEAD
        else opinion_deadline(proposal.session, assigned_on)
    )
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


def proposal_assign(
    *,
    proposal: Proposal,
    leads: Iterable[Organization],
    assistants: Iterable[Organization] = (),
    by,
    assigned_at: datetime.datetime | None = None,
) -> list[Assignment]:
    """Assign a received proposal: one lead (joint handling, with assistants) or several
    leads (split handling: each replies on its own part)."""
    _require_manager(by, _("只有人大代表工委可以交办建议。"))
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
        if proposal.state != ProposalState.RECEIVED:
            raise WorkflowError(
                _("建议当前状态为「%(state)s」，已交办的建议请通过调整交办变更承办单位。")
                % {"state": proposal.get_state_display()}
            )
        created = [
            _create_assignment(
                proposal=proposal, bureau=b, role=role, handling=handling, by=by, assigned_at=assigned_at
            )
            for role, bureaus in ((Assignment.Role.LEAD, leads), (Assignment.Role.ASSISTING, assistants))
            for b in bureaus
        ]
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
        window = settings.REASSIGNMENT_WINDOW_DAYS
        if timezone.localdate() > timezone.localdate(assignment.assigned_at) + datetime.timedelta(days=window):
            raise WorkflowError(
                _("调整交办须在交办后%(days)s日内提出，已超过期限，请与代表工委联系。") % {"days": window}
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
    _require_manager(by, _("只有人大代表工委可以办结建议。"))
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


# --- extensions (延期申请) -------------------------------------------------------------------------


def _latest_due(assignment: Assignment) -> datetime.date:
    return add_months(timezone.localdate(assignment.assigned_at), settings.EXTENSION_MAX_MONTHS)


def _check_extension_date(assignment: Assignment, new_date) -> None:
    if new_date is None:
        raise WorkflowError(_("请填写延期后的日期。"))
    if new_date <= assignment.due_on:
        raise WorkflowError(
            _("延期后的日期须晚于现在的期限%(due)s。") % {"due": chinese_date(assignment.due_on)}
        )
    latest = _latest_due(assignment)
    if new_date > latest:
        raise WorkflowError(
            _("延期后总期限不能超过交办后%(n)s个月（最迟%(day)s）。")
            % {"n": settings.EXTENSION_MAX_MONTHS, "day": chinese_date(latest)}
        )


@REQUEST_EXTENSION.implemented_by
def assignment_request_extension(*, assignment: Assignment, by, reason: str, new_date) -> Assignment:
    """The bureau asks for more time, with a reason and the date it needs."""
    with transaction.atomic():
        assignment, reason = REQUEST_EXTENSION.begin(assignment, by, reason)
        _check_extension_date(assignment, new_date)
        assignment.extension_until, assignment.extension_reason = new_date, reason
        REQUEST_EXTENSION.move(
            assignment, by=by, note=_("申请延期至%(day)s：%(reason)s") % {"day": chinese_date(new_date), "reason": reason},
            fields=["extension_until", "extension_reason"],
        )
    return assignment


@GRANT_EXTENSION.implemented_by
def assignment_grant_extension(*, assignment: Assignment, by, new_date=None, note: str = "") -> Assignment:
    """The congress office grants the extension, to the date asked for or another one."""
    with transaction.atomic():
        assignment, note = GRANT_EXTENSION.begin(assignment, by, note)
        new_date = new_date or assignment.extension_until
        _check_extension_date(assignment, new_date)
        old = assignment.due_on
        assignment.due_on = new_date
        assignment.due_basis = _("%(basis)s；经代表工委同意，由%(old)s延期至%(new)s") % {
            "basis": assignment.due_basis, "old": chinese_date(old), "new": chinese_date(new_date),
        }
        assignment.extension_until, assignment.extension_reason = None, ""
        text = _("延期至%(day)s") % {"day": chinese_date(new_date)}
        GRANT_EXTENSION.move(
            assignment, by=by, note=f"{text}。{note}" if note else text,
            fields=["due_on", "due_basis", "extension_until", "extension_reason"],
        )
    return assignment


@REFUSE_EXTENSION.implemented_by
def assignment_refuse_extension(*, assignment: Assignment, by, note: str) -> Assignment:
    with transaction.atomic():
        assignment, note = REFUSE_EXTENSION.begin(assignment, by, note)
        assignment.extension_until, assignment.extension_reason = None, ""
        REFUSE_EXTENSION.move(assignment, by=by, note=note, fields=["extension_until", "extension_reason"])
    return assignment


# --- reminders (催办) by the offices ----------------------------------------------------------------


@REMIND.implemented_by
def assignment_remind(*, assignment: Assignment, by, note: str) -> Assignment:
    """The congress or government office urges the bureau; the bureau sees it until it acts."""
    with transaction.atomic():
        assignment, note = REMIND.begin(assignment, by, note)
        Reminder.objects.create(
            assignment=assignment, kind=Reminder.Kind.MANUAL, sent_on=timezone.localdate(),
            due_on=assignment.due_on, note=note, sent_by=by,
        )
        REMIND.move(assignment, by=by, note=note)
    return assignment
