"""Every state change of a proposal, its assignments, replies and opinions.

Each transition says who may do it, from which states, and what it records. Views, forms,
admin actions and tasks only call these functions. Each runs in one transaction, locks the
rows it changes, writes an ``Event``, and raises ``WorkflowError`` (with a message for the
user) or ``PermissionDenied`` without changing anything.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Deputy, Organization
from accounts.roles import Roles, roles_of

from .deadlines import opinion_deadline, reply_deadline
from .models import Assignment, Consultation, Event, Proposal, Session
from .numerals import chinese_date
from .states import LEAD_TO_PROPOSAL, PROPOSAL_ORDER, AssignmentState, ProposalState

S = AssignmentState


class WorkflowError(Exception):
    """A refused action: the message is shown to the user; nothing was changed."""


class ConflictError(WorkflowError):
    """Someone else saved the same draft first."""

    def __init__(self, message, current):
        super().__init__(message)
        self.current = current


# --- who may act ------------------------------------------------------------------------------


def _is_congress(roles: Roles, _assignment=None) -> bool:
    return roles.is_admin or roles.congress_officer


def _works_on(roles: Roles, assignment: Assignment) -> bool:
    return roles.works_for(assignment.bureau_id)


def _leads(roles: Roles, assignment: Assignment) -> bool:
    return roles.leads(assignment.bureau_id)


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    from_states: frozenset
    to_state: str | None
    may: Callable[[Roles, Assignment], bool]
    role: str | None = None  # "lead" / "assisting" / None for both
    note_required: bool = False
    danger: bool = False

    def applies(self, assignment: Assignment) -> bool:
        return self.role is None or assignment.role == self.role

    def check(self, user, assignment: Assignment) -> None:
        """Refuse with PermissionDenied (wrong person) or WorkflowError (wrong moment)."""
        if not self.may(roles_of(user), assignment) or not self.applies(assignment):
            raise PermissionDenied(_("您没有权限执行「%(action)s」。") % {"action": self.label})
        if assignment.state not in self.from_states:
            raise WorkflowError(
                _("当前状态为「%(state)s」，不能执行「%(action)s」。")
                % {"state": assignment.get_state_display(), "action": self.label}
            )


TRANSITIONS = {
    t.name: t
    for t in [
        Transition("accept", gettext_lazy("接收交办"), frozenset({S.ASSIGNED}), S.DRAFTING, _works_on),
        Transition(
            "request_reassignment",
            gettext_lazy("申请调整交办"),
            frozenset({S.ASSIGNED}),
            S.REASSIGNMENT_REQUESTED,
            _works_on,
            note_required=True,
            danger=True,
        ),
        Transition(
            "approve_reassignment",
            gettext_lazy("同意调整交办"),
            frozenset({S.REASSIGNMENT_REQUESTED}),
            S.WITHDRAWN,
            _is_congress,
        ),
        Transition(
            "refuse_reassignment",
            gettext_lazy("不同意调整交办"),
            frozenset({S.REASSIGNMENT_REQUESTED}),
            S.ASSIGNED,
            _is_congress,
            note_required=True,
        ),
        Transition(
            "submit", gettext_lazy("送签发"), frozenset({S.DRAFTING}), S.IN_REVIEW, _works_on, role="lead"
        ),
        Transition(
            "return",
            gettext_lazy("退回修改"),
            frozenset({S.IN_REVIEW}),
            S.DRAFTING,
            _leads,
            role="lead",
            note_required=True,
            danger=True,
        ),
        Transition("sign", gettext_lazy("签发"), frozenset({S.IN_REVIEW}), S.SIGNED, _leads, role="lead"),
        Transition(
            "send", gettext_lazy("发送答复"), frozenset({S.SIGNED}), S.REPLIED, _works_on, role="lead"
        ),
        Transition(
            "new_round",
            gettext_lazy("另起一轮答复"),
            frozenset({S.SIGNED, S.REPLIED}),
            S.DRAFTING,
            _leads,
            role="lead",
            note_required=True,
            danger=True,
        ),
        Transition(
            "send_opinion",
            gettext_lazy("签发并送出协办意见"),
            frozenset({S.DRAFTING}),
            S.OPINION_SENT,
            _leads,
            role="assisting",
        ),
    ]
}

# Actions recorded on the timeline that are not assignment transitions (lazy: the reader's language).
EVENT_LABELS = {
    "register": gettext_lazy("登记建议"),
    "assign": gettext_lazy("交办"),
    "reassign": gettext_lazy("调整交办"),
    "close": gettext_lazy("办结"),
    "consultation": gettext_lazy("记录沟通"),
    "pdf_rerender": gettext_lazy("重新生成 PDF"),
    **{name: t.label for name, t in TRANSITIONS.items()},
}


def available_transitions(user, assignment: Assignment) -> list[Transition]:
    roles = roles_of(user)
    return [
        t
        for t in TRANSITIONS.values()
        if t.applies(assignment) and assignment.state in t.from_states and t.may(roles, assignment)
    ]


# --- helpers ----------------------------------------------------------------------------------


def _record(*, proposal, by, action, assignment=None, from_state="", to_state="", note=""):
    return Event.objects.create(
        proposal=proposal,
        assignment=assignment,
        actor=by,
        action=action,
        from_state=from_state,
        to_state=to_state,
        note=note,
    )


def _locked(assignment: Assignment) -> Assignment:
    # Lock the assignment and its proposal (split leads sync its state), not the shared session
    # row: locking that would queue every action of every bureau in the session behind each other.
    return Assignment.objects.select_for_update(of=("self", "proposal")).select_related("proposal__session").get(
        pk=assignment.pk
    )


def _sync_proposal_state(proposal: Proposal, *, reopen: bool = False) -> None:
    """The proposal is as far along as its least advanced active lead assignment.
    A closed proposal stays closed unless a new reply round reopens it."""
    if proposal.state == ProposalState.CLOSED and not reopen:
        return
    leads = proposal.assignments.filter(role=Assignment.Role.LEAD).active()
    states = [LEAD_TO_PROPOSAL[s] for s in leads.values_list("state", flat=True)]
    new = min(states, key=PROPOSAL_ORDER.index) if states else ProposalState.RECEIVED
    if new != proposal.state:
        Proposal.objects.filter(pk=proposal.pk).update(state=new)
        proposal.state = new


def _move(assignment: Assignment, transition: Transition, *, by, note="") -> None:
    from_state = assignment.state
    assignment.state = transition.to_state
    assignment.save(update_fields=["state", "reassignment_reason"])
    _record(
        proposal=assignment.proposal,
        assignment=assignment,
        by=by,
        action=transition.name,
        from_state=from_state,
        to_state=transition.to_state,
        note=note,
    )
    _sync_proposal_state(assignment.proposal)


def _require_note(transition: Transition, note: str) -> str:
    note = (note or "").strip()
    if transition.note_required and not note:
        raise WorkflowError(_("「%(action)s」需要填写说明。") % {"action": transition.label})
    return note


def _begin(name: str, assignment: Assignment, by, note: str = "") -> tuple[Transition, Assignment, str]:
    transition = TRANSITIONS[name]
    locked = _locked(assignment)
    transition.check(by, locked)
    return transition, locked, _require_note(transition, note)


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
    received_on: datetime.date | None = None,
) -> Proposal:
    if not _is_congress(roles_of(by)):
        raise PermissionDenied(_("只有人大代表工委可以登记建议。"))
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
        _record(proposal=proposal, by=by, action="register", to_state=ProposalState.RECEIVED)
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
    if not _is_congress(roles_of(by)):
        raise PermissionDenied(_("只有人大代表工委可以交办建议。"))
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
        _record(
            proposal=proposal,
            by=by,
            action="assign",
            from_state=ProposalState.RECEIVED,
            to_state=ProposalState.ASSIGNED,
            note=names,
        )
        _sync_proposal_state(proposal)
    return created


# --- bureau transitions -----------------------------------------------------------------------


def assignment_accept(*, assignment: Assignment, by) -> Assignment:
    from replies.services import opinion_start, reply_start

    with transaction.atomic():
        transition, assignment, _note = _begin("accept", assignment, by)
        _move(assignment, transition, by=by)
        if assignment.is_lead:
            reply_start(assignment=assignment, by=by)
        else:
            opinion_start(assignment=assignment, by=by)
    return assignment


def assignment_request_reassignment(*, assignment: Assignment, by, reason: str) -> Assignment:
    with transaction.atomic():
        transition, assignment, reason = _begin("request_reassignment", assignment, by, reason)
        window = settings.REASSIGNMENT_WINDOW_DAYS
        if timezone.localdate() > timezone.localdate(assignment.assigned_at) + datetime.timedelta(days=window):
            raise WorkflowError(
                _("调整交办须在交办后%(days)s日内提出，已超过期限，请与代表工委联系。") % {"days": window}
            )
        assignment.reassignment_reason = reason
        _move(assignment, transition, by=by, note=reason)
    return assignment


def assignment_approve_reassignment(
    *, assignment: Assignment, by, new_bureau: Organization | None, note: str = ""
) -> Assignment:
    """Withdraw the assignment and give the same role to another bureau, with a fresh due date."""
    with transaction.atomic():
        transition, assignment, note = _begin("approve_reassignment", assignment, by, note)
        if new_bureau is None:
            raise WorkflowError(_("请选择改由哪个单位承办。"))
        if new_bureau.pk == assignment.bureau_id:
            raise WorkflowError(_("请选择另一个承办单位。"))
        if assignment.proposal.assignments.active().filter(bureau=new_bureau).exists():
            raise WorkflowError(_("「%(name)s」已承办此建议。") % {"name": new_bureau})
        _move(assignment, transition, by=by, note=note)
        replacement = _create_assignment(
            proposal=assignment.proposal,
            bureau=new_bureau,
            role=assignment.role,
            handling=assignment.handling,
            by=by,
            assigned_at=timezone.now(),
        )
        if not assignment.is_lead:
            from replies.services import cc_replace_in_drafts

            cc_replace_in_drafts(proposal=assignment.proposal, old=assignment.bureau, new=new_bureau)
        _record(
            proposal=assignment.proposal,
            assignment=replacement,
            by=by,
            action="reassign",
            to_state=replacement.state,
            note=_("由%(old)s调整为%(new)s") % {"old": assignment.bureau, "new": new_bureau},
        )
        _sync_proposal_state(assignment.proposal)
    return replacement


def assignment_refuse_reassignment(*, assignment: Assignment, by, note: str) -> Assignment:
    with transaction.atomic():
        transition, assignment, note = _begin("refuse_reassignment", assignment, by, note)
        assignment.reassignment_reason = ""  # the request and the refusal stay in the event log
        _move(assignment, transition, by=by, note=note)
    return assignment


def reply_submit(*, assignment: Assignment, by, note: str = "") -> Assignment:
    """Send the draft for signing. Every assisting bureau must have sent its opinion, unless an
    opinion is past due; then the lead must say why in the note."""
    from replies.services import current_reply, reply_ready_problems

    with transaction.atomic():
        transition, assignment, note = _begin("submit", assignment, by, note)
        problems = reply_ready_problems(current_reply(assignment))
        if problems:
            raise WorkflowError(_("答复稿尚不完整：") + "；".join(problems) + "。")
        waiting = list(
            assignment.proposal.assignments.filter(role=Assignment.Role.ASSISTING)
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
        _move(assignment, transition, by=by, note=note)
    return assignment


def reply_return(*, assignment: Assignment, by, note: str) -> Assignment:
    with transaction.atomic():
        transition, assignment, note = _begin("return", assignment, by, note)
        _move(assignment, transition, by=by, note=note)
    return assignment


def reply_sign(*, assignment: Assignment, by, signed_on: datetime.date | None = None):
    """Sign the current reply: the leader becomes its signer and it gets the bureau's next
    document number for the year, in this same transaction. The cc list is frozen from here."""
    from replies.pdf import pdf_queue
    from replies.services import current_reply, reply_seal

    with transaction.atomic():
        transition, assignment, _note = _begin("sign", assignment, by)
        reply = reply_seal(reply=current_reply(assignment), by=by, signed_on=signed_on)
        _move(assignment, transition, by=by, note=reply.document_number)
        pdf_queue(reply=reply, by=by)  # rendered by a worker after commit
    return reply


def reply_send(*, assignment: Assignment, by) -> Assignment:
    from replies.letter.data import CcRecipient, cc_line
    from replies.services import current_reply

    with transaction.atomic():
        transition, assignment, _note = _begin("send", assignment, by)
        reply = current_reply(assignment)
        cc = cc_line(tuple(CcRecipient(c.name, c.is_person) for c in reply.cc.all())).rstrip("。")
        _move(assignment, transition, by=by, note=_("抄送：%(cc)s") % {"cc": cc} if cc else "")
    return assignment


def reply_new_round(*, assignment: Assignment, by, reason: str):
    """Correct or re-handle a signed reply: a new draft round; the signed one stays as it was."""
    from replies.services import reply_start

    with transaction.atomic():
        transition, assignment, reason = _begin("new_round", assignment, by, reason)
        _move(assignment, transition, by=by, note=reason)
        _sync_proposal_state(assignment.proposal, reopen=True)
        reply = reply_start(assignment=assignment, by=by, reason=reason)
    return reply


def opinion_send(*, assignment: Assignment, by, signed_on: datetime.date | None = None):
    from replies.services import opinion_seal

    with transaction.atomic():
        transition, assignment, _note = _begin("send_opinion", assignment, by)
        opinion = opinion_seal(opinion=assignment.opinion, by=by, signed_on=signed_on)
        _move(assignment, transition, by=by)
    return opinion


def proposal_close(*, proposal: Proposal, by, note: str = "") -> Proposal:
    if not _is_congress(roles_of(by)):
        raise PermissionDenied(_("只有人大代表工委可以办结建议。"))
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if proposal.state != ProposalState.REPLIED:
            raise WorkflowError(
                _("建议当前状态为「%(state)s」，答复送达后才能办结。")
                % {"state": proposal.get_state_display()}
            )
        Proposal.objects.filter(pk=proposal.pk).update(state=ProposalState.CLOSED)
        _record(
            proposal=proposal,
            by=by,
            action="close",
            from_state=ProposalState.REPLIED,
            to_state=ProposalState.CLOSED,
            note=note.strip(),
        )
        proposal.state = ProposalState.CLOSED
    return proposal


def consultation_record(
    *, assignment: Assignment, by, held_on, form: str, participants: str, summary: str
) -> Consultation:
    if not _works_on(roles_of(by), assignment):
        raise PermissionDenied(_("只有承办单位可以记录沟通情况。"))
    with transaction.atomic():
        assignment = _locked(assignment)
        if assignment.state == S.WITHDRAWN:
            raise WorkflowError(_("该交办已撤回。"))
        consultation = Consultation(
            assignment=assignment,
            held_on=held_on,
            form=form,
            participants=participants.strip(),
            summary=summary.strip(),
            recorded_by=by,
        )
        consultation.full_clean()
        consultation.save()
        _record(
            proposal=assignment.proposal,
            assignment=assignment,
            by=by,
            action="consultation",
            note=f"{chinese_date(held_on)} {consultation.get_form_display()}：{participants.strip()}",
        )
    return consultation

