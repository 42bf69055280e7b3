"""The registry of assignment transitions: one entry per action a bureau or the congress office
takes on an assignment, with who may, from which states, to which state, the input it asks for
and the service function that does it.

Entries are declared beside their service functions (``proposals.workflow`` for intake,
``replies.workflow`` for the reply lifecycle) and register themselves when the service is
decorated with ``@ENTRY.implemented_by``. Views, templates and tests read ``TRANSITIONS``; there is
no other map from an action's name to its function.

The helpers below (``begin``, ``move``) are how every service runs its transition: lock the
assignment and its proposal, refuse the wrong person or the wrong moment, change the state,
write one event and bring the proposal's state along.
"""

import enum
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import Roles, roles_of

from .errors import WorkflowError
from .events import event_record
from .models import Assignment, Event, Proposal
from .reminders import reminders_clear
from .states import LEAD_TO_PROPOSAL, PROPOSAL_ORDER, AssignmentState, ProposalState

# Where a bureau has delivered what it owed: lateness is measured on arrival here.
FINISHED_STATES = frozenset({AssignmentState.REPLIED, AssignmentState.OPINION_SENT})

# --- who may act (also used by pages that offer the action) -----------------------------------


def manages(roles: Roles, _assignment: Assignment | None = None) -> bool:
    return roles.manages_proposals


def works_on(roles: Roles, assignment: Assignment) -> bool:
    return roles.works_for(assignment.bureau_id)


def leads(roles: Roles, assignment: Assignment) -> bool:
    return roles.leads(assignment.bureau_id)


def may_draft(roles: Roles, assignment: Assignment) -> bool:
    """Edit the reply or opinion draft: the bureau's own people, while it is being drafted."""
    return works_on(roles, assignment) and assignment.state == AssignmentState.DRAFTING


def may_consult(roles: Roles, assignment: Assignment) -> bool:
    return works_on(roles, assignment) and assignment.state != AssignmentState.WITHDRAWN


# --- the registry -----------------------------------------------------------------------------


class Note(enum.Enum):
    NONE = "none"
    OPTIONAL = "optional"
    REQUIRED = "required"


@dataclass(eq=False)
class Transition:
    name: Event.Action
    from_states: frozenset
    to_state: str | None  # None: the state stays (an extension changes the due date only)
    may: Callable[[Roles, Assignment], bool]
    role: str | None = None  # Assignment.Role.LEAD / ASSISTING, or None for both
    note: Note = Note.NONE
    note_hint: str = ""  # the note field's placeholder (lazy text)
    note_arg: str = "note"  # the service's keyword for the note
    asks_for_bureau: bool = False  # the service takes ``new_bureau``
    asks_for_date: bool = False  # the service takes ``new_date``
    date_label: str = ""  # the date field's label (lazy text)
    date_required: bool = False
    asks_for_code: bool = False  # a fresh two-factor code, when two-factor login is on
    danger: bool = False
    confirm: str = ""  # irreversible: the page asks this before posting (lazy text)
    # Offered on the pages and run by the transition view; False for steps another service
    # takes on the user's behalf (re-handling is opened by a deputy's rating, not by a button).
    offered: bool = True
    # A further condition on the assignment for the step to apply at all.
    condition: Callable[[Assignment], bool] | None = field(default=None, repr=False)
    # The condition asks about the proposal only (one answer for all its assignments): a page
    # listing them asks it once (``available_transitions(..., answers=)``).
    condition_per_proposal: bool = False
    service: Callable | None = field(default=None, repr=False)

    @property
    def label(self) -> str:
        return Event.Action(self.name).label

    @property
    def takes_note(self) -> bool:
        return self.note is not Note.NONE

    @property
    def note_required(self) -> bool:
        return self.note is Note.REQUIRED

    def implemented_by(self, service: Callable) -> Callable:
        """Decorator: ``service`` performs this transition; register the pair."""
        if self.name in TRANSITIONS:
            raise RuntimeError(f"transition {self.name!r} is registered twice")
        self.service = service
        TRANSITIONS[self.name] = self
        return service

    def applies(self, assignment: Assignment) -> bool:
        return self.role is None or assignment.role == self.role

    def fits(self, assignment: Assignment, answers: dict | None = None) -> bool:
        """The right moment: a state it starts from, and its further condition if it has one
        (remembered in ``answers``, kept by the caller for one page, if it concerns the proposal)."""
        if assignment.state not in self.from_states:
            return False
        if self.condition is None:
            return True
        if answers is None or not self.condition_per_proposal:
            return self.condition(assignment)
        key = (self.name, assignment.proposal_id)
        if key not in answers:
            answers[key] = self.condition(assignment)
        return answers[key]

    def allowed(self, roles: Roles, assignment: Assignment, answers: dict | None = None) -> bool:
        """Offered on the page: the right person, the right kind of assignment, the right state."""
        return (
            self.offered
            and self.applies(assignment)
            and assignment.state in self.from_states
            and self.may(roles, assignment)
            and self.fits(assignment, answers)
        )

    def check(self, user, assignment: Assignment) -> None:
        """Refuse with PermissionDenied (wrong person) or WorkflowError (wrong moment)."""
        if not self.may(roles_of(user), assignment) or not self.applies(assignment):
            raise PermissionDenied(_("您没有权限执行「%(action)s」。") % {"action": self.label})
        if not self.fits(assignment):
            raise WorkflowError(
                _("当前状态为「%(state)s」，不能执行「%(action)s」。")
                % {"state": assignment.get_state_display(), "action": self.label}
            )

    def run(self, *, assignment: Assignment, by, note: str = "", new_bureau=None, new_date=None, code=""):
        """Call the service with the inputs this transition takes (what a view posts)."""
        kwargs = {}
        if self.takes_note:
            kwargs[self.note_arg] = note
        if self.asks_for_bureau:
            kwargs["new_bureau"] = new_bureau
        if self.asks_for_date:
            kwargs["new_date"] = new_date
        if self.asks_for_code:
            kwargs["code"] = code
        return self.service(assignment=assignment, by=by, **kwargs)

    # --- the steps every service takes, inside its transaction ----------------------------------

    def begin(self, assignment: Assignment, by, note: str = "") -> tuple[Assignment, str]:
        """Lock the assignment, check who and when, and clean the note."""
        locked = lock(assignment)
        self.check(by, locked)
        note = (note or "").strip()
        if self.note_required and not note:
            raise WorkflowError(_("「%(action)s」需要填写说明。") % {"action": self.label})
        return locked, note

    def move(self, assignment: Assignment, *, by, note: str = "", fields=()) -> None:
        """Change the state (unless the step keeps it), save ``fields`` too, write the event."""
        from_state = assignment.state
        to_state = self.to_state or from_state
        assignment.state = to_state
        fields = ["state", "reassignment_reason", *fields]
        if self.to_state in FINISHED_STATES:
            # Lateness is kept for good: on the assignment for lists, in the event for history.
            today = timezone.localdate()
            assignment.finished_on = today
            assignment.late_days = max(0, (today - assignment.due_on).days)
            fields += ["finished_on", "late_days"]
            if assignment.late_days:
                late = _("逾期%(n)s天") % {"n": assignment.late_days}
                note = f"{late}；{note}" if note else late
        assignment.save(update_fields=fields)
        event_record(
            proposal=assignment.proposal,
            assignment=assignment,
            by=by,
            action=self.name,
            from_state=from_state,
            to_state=to_state,
            note=note,
        )
        sync_proposal_state(assignment.proposal)
        if by is not None and roles_of(by).works_for(assignment.bureau_id):
            reminders_clear(assignment)  # the bureau acted: its reminders leave its home page


TRANSITIONS: dict[str, Transition] = {}


def offered_transition(name: str) -> Transition | None:
    """The entry a page may post to by name (None for unknown or internal steps)."""
    transition = TRANSITIONS.get(name)
    return transition if transition is not None and transition.offered else None


def just_done(assignment: Assignment, transition: Transition, user, seconds: int = 60) -> bool:
    """Whether ``user`` took this very step on the assignment in the last minute and nothing
    happened since: a repeated submission (double click, resent form) of something that worked."""
    last = assignment.events.order_by("-created_at", "-id").first()
    return (
        last is not None
        and last.action == transition.name
        and last.actor_id == getattr(user, "pk", None)
        and (timezone.now() - last.created_at).total_seconds() < seconds
    )


def available_transitions(user, assignment: Assignment, answers: dict | None = None) -> list[Transition]:
    """The steps offered to ``user`` on ``assignment``. A page showing several assignments of a
    proposal passes one ``answers`` dict for all of them: a condition on the proposal is asked once."""
    roles = roles_of(user)
    return [t for t in TRANSITIONS.values() if t.allowed(roles, assignment, answers)]


# --- shared steps -----------------------------------------------------------------------------


def lock(assignment: Assignment) -> Assignment:
    # Lock the assignment and its proposal (split leads sync its state), not the shared session
    # row: locking that would queue every action of every bureau in the session behind each other.
    return (
        Assignment.objects.select_for_update(of=("self", "proposal"))
        .select_related("proposal__session", "bureau")
        .get(pk=assignment.pk)
    )


def sync_proposal_state(proposal: Proposal, *, reopen: bool = False) -> None:
    """The proposal is as far along as its least advanced active lead assignment.
    A closed proposal stays closed unless a new reply round reopens it."""
    if proposal.state == ProposalState.CLOSED and not reopen:
        return
    leads_ = proposal.assignments.filter(role=Assignment.Role.LEAD).active()
    states = [LEAD_TO_PROPOSAL[s] for s in leads_.values_list("state", flat=True)]
    new = min(states, key=PROPOSAL_ORDER.index) if states else ProposalState.RECEIVED
    if new != proposal.state:
        Proposal.objects.filter(pk=proposal.pk).update(state=new)
        proposal.state = new
