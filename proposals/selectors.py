"""Reads that depend on who is asking: fetch-or-404 helpers beside the access rules
(``Proposal.objects.visible_to`` and ``Assignment.objects.visible_to`` in models.py), and the
queries behind the home page and the proposal page. Views of every app fetch through these.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from accounts.roles import roles_of

from .deadlines import recess_assignment_deadline
from .models import Assignment, Consultation, Event, Proposal, Reminder
from .states import AssignmentState, ProposalState
from .transitions import available_transitions, may_consult, may_draft

HOME_LIST_SIZE = 50


def proposal_get_visible(user, pk) -> Proposal:
    """The proposal if the user may see it; 404 otherwise (never reveal that it exists)."""
    return get_object_or_404(
        Proposal.objects.visible_to(user).select_related("session", "lead_deputy__delegation"),
        pk=pk,
    )


def assignment_get_visible(user, pk) -> Assignment:
    return get_object_or_404(
        Assignment.objects.visible_to(user).select_related("proposal__session", "bureau"), pk=pk
    )


def with_assignments(proposals):
    """Proposals with their session, lead deputy and active assignments (lead first)."""
    return proposals.select_related("session", "lead_deputy").prefetch_related(
        Prefetch(
            "assignments",
            queryset=Assignment.objects.active().select_related("bureau").order_by("-role", "id"),
        )
    )


def proposal_list_order(proposals):
    return proposals.order_by("-session__term", "-session__number", "number")


# --- the home page ("my work") ----------------------------------------------------------------


@dataclass
class Panel:
    """One box of the home page: the first items, the true count, and where the rest are."""

    items: list
    count: int
    more_url: str = ""

    @property
    def has_more(self) -> bool:
        return self.count > len(self.items)


def _panel(queryset, more_url: str = "") -> Panel:
    return Panel(list(queryset[:HOME_LIST_SIZE]), queryset.count(), more_url)


def _list_url(**params) -> str:
    return f"{reverse('proposal-list')}?{urlencode(params)}"


@dataclass
class HomeWork:
    reminders: Panel | None = None
    bureau_todo: Panel | None = None
    bureau_waiting: Panel | None = None
    to_assign: Panel | None = None
    reassignment_requests: Panel | None = None
    extension_requests: Panel | None = None
    to_close: Panel | None = None
    overdue: Panel | None = None
    due_soon: Panel | None = None
    my_proposal_count: int | None = None
    no_role: bool = False


def home_work(user, today=None) -> HomeWork:
    roles = roles_of(user)
    today = today or timezone.localdate()
    work = HomeWork(no_role=roles.has_no_role)
    assignment_rows = ("proposal__session", "proposal__lead_deputy", "bureau")
    if roles.is_bureau_member:
        mine = Assignment.objects.worked_by(user).select_related(*assignment_rows)
        needs_me = [AssignmentState.ASSIGNED, AssignmentState.DRAFTING, AssignmentState.SIGNED]
        if roles.leader_bureau_ids:
            needs_me.append(AssignmentState.IN_REVIEW)
        bureau_url = _list_url(bureau=next(iter(roles.bureau_ids))) if len(roles.bureau_ids) == 1 else ""
        work.reminders = _panel(
            Reminder.objects.filter(
                assignment__in=Assignment.objects.worked_by(user).open(), cleared_at__isnull=True
            ).select_related("assignment__proposal__session", "assignment__bureau", "sent_by")
        )
        work.bureau_todo = _panel(mine.filter(state__in=needs_me).order_by("due_on", "id"), bureau_url)
        work.bureau_waiting = _panel(
            mine.filter(state__in=[AssignmentState.IN_REVIEW, AssignmentState.REASSIGNMENT_REQUESTED])
            .exclude(state__in=needs_me)
            .order_by("due_on", "id"),
            bureau_url,
        )
    if roles.sees_everything:
        visible = Assignment.objects.visible_to(user).select_related(*assignment_rows)
        work.overdue = _panel(visible.overdue(today).order_by("due_on", "id"), _list_url(overdue="true"))
        work.due_soon = _panel(visible.due_soon(today).order_by("due_on", "id"), _list_url(due_soon="true"))
    if roles.manages_proposals:
        work.to_assign = _panel(
            Proposal.objects.filter(state=ProposalState.RECEIVED)
            .select_related("session", "lead_deputy")
            .order_by("received_on", "id"),
            _list_url(state=ProposalState.RECEIVED),
        )
        for proposal in work.to_assign.items:  # recess proposals are assigned within N working days
            if proposal.timing == Proposal.Timing.RECESS:
                proposal.assign_by = recess_assignment_deadline(proposal.received_on)
                proposal.assign_late = proposal.assign_by.due_on < today
        work.reassignment_requests = _panel(
            Assignment.objects.filter(state=AssignmentState.REASSIGNMENT_REQUESTED)
            .select_related("proposal__session", "bureau")
            .order_by("assigned_at", "id")
        )
        work.extension_requests = _panel(
            Assignment.objects.active()
            .filter(extension_until__isnull=False)
            .select_related("proposal__session", "bureau")
            .order_by("due_on", "id")
        )
        work.to_close = _panel(
            Proposal.objects.filter(state=ProposalState.REPLIED)
            .select_related("session")
            .order_by("session", "number"),
            _list_url(state=ProposalState.REPLIED),
        )
    if roles.is_deputy:
        work.my_proposal_count = Proposal.objects.visible_to(user).count()
    return work


# --- the proposal page ------------------------------------------------------------------------


@dataclass
class ProposalPage:
    proposal: Proposal
    assignments: list  # each with .actions, .can_draft, .can_consult
    events: object
    can_assign: bool
    can_close: bool
    show_consultations: bool


def proposal_page(user, proposal: Proposal) -> ProposalPage:
    """What the proposal page shows this user and which actions it offers them."""
    roles = roles_of(user)
    assignments = list(
        proposal.assignments.select_related("bureau")
        .prefetch_related(
            Prefetch("consultations", queryset=Consultation.objects.visible_to(user).order_by("held_on", "id"))
        )
        .order_by("-role", "id")
    )
    for assignment in assignments:
        assignment.actions = available_transitions(user, assignment)
        assignment.can_draft = may_draft(roles, assignment)
        assignment.can_consult = may_consult(roles, assignment)
    return ProposalPage(
        proposal=proposal,
        assignments=assignments,
        events=Event.objects.visible_to(user)
        .filter(proposal=proposal)
        .select_related("actor", "assignment__bureau"),
        can_assign=roles.manages_proposals and proposal.state == ProposalState.RECEIVED,
        can_close=roles.manages_proposals and proposal.state == ProposalState.REPLIED,
        show_consultations=not roles.is_deputy or roles.sees_everything or roles.is_bureau_member,
    )
