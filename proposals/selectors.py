"""Reads that depend on who is asking: fetch-or-404 helpers beside the access rules
(``Proposal.objects.visible_to`` and ``Assignment.objects.visible_to`` in models.py), and the
queries behind the home page and the proposal page. Views of every app fetch through these.
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery, Value
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from accounts.roles import roles_of

from .calendar import WorkingCalendar
from .deadlines import recess_assignment_deadline
from .functions import JoinedNames
from .models import Assignment, Consultation, Event, Proposal, Reminder, Session, mark_visible
from .states import AssignmentState, ProposalState
from .transitions import available_transitions, may_consult, may_draft
from .versions import stored

# A home-page panel shows the ten most pressing items, with the true count and a link to the
# whole list: a page to take in at a glance. With panels of 50 the congress office's home page
# rendered 174 rows at 100k proposals (54 ms); with 25, 39 ms.
HOME_LIST_SIZE = 10
# What lists and panels leave unread: they show titles (a busy proposal's texts run to kilobytes).
LONG_TEXTS = ("reasons", "suggestions")


def long_texts_of(path: str) -> list[str]:
    return [f"{path}__{name}" for name in LONG_TEXTS]


def proposal_get_visible(user, pk, *, co_signer_names=False) -> Proposal:
    """The proposal if the user may see it; 404 otherwise (never reveal that it exists).
    Marked as read through the rule for this user, for its page's other queries
    (``proposals.models.on_visible_proposals``). ``co_signer_names``: with
    ``co_signer_names``, the co-signers' names joined by 「、」 in name order, read in the same
    query (its page shows them)."""
    proposals = Proposal.objects.visible_to(user).select_related("session", "lead_deputy__delegation")
    if co_signer_names:
        names = (
            Proposal.co_signers.through.objects.filter(proposal_id=OuterRef("pk"))
            .order_by()
            .annotate(names=JoinedNames("deputy__name"))
            .values("names")
        )
        proposals = proposals.annotate(co_signer_names=Subquery(names))
    return mark_visible(get_object_or_404(proposals, pk=pk), user)


def assignment_get_visible(user, pk) -> Assignment:
    return get_object_or_404(
        Assignment.objects.visible_to(user).select_related("proposal__session", "bureau"), pk=pk
    )


def with_assignments(proposals):
    """Proposals with their session, lead deputy and active assignments (lead first), without
    their long texts (a list shows titles)."""
    return (
        proposals.select_related("session", "lead_deputy")
        .defer(*LONG_TEXTS)
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.active().select_related("bureau").order_by("-role", "id"),
            )
        )
    )


SESSION_LIST_ORDER = ("-term", "-number", "body")  # a total order: a session is unique by these


def proposal_list_order(proposals):
    """Newest session first, then by number within the session."""
    return proposals.order_by("-session__term", "-session__number", "session__body", "number")


class ProposalListPaginator(Paginator):
    """Pages of a proposal list in ``proposal_list_order`` without sorting the whole list (at
    100k rows that sort spills to disk on deep pages). One count grouped by session gives the
    exact total and tells which sessions a page falls in; the page's ids are read from those
    sessions only (through the (session, number) index when it is one session, as it nearly
    always is), then their rows by id: three queries, however deep the page.

    ``rows`` reads the page's rows by id (default: the list itself). Given the ids the list
    found, the rows need only the access rule: re-applying a search's thousands of ids with the
    page's 25 leads PostgreSQL to expect one row and nest loops over every deputy."""

    def __init__(self, object_list, per_page, rows=None, **kwargs):
        self.rows = object_list if rows is None else rows
        # Search results (``ProposalFilter.filter_keyword``) go by relevance, then list order.
        self.ranked = "search_rank" in object_list.query.annotations
        ordered = proposal_list_order(object_list)
        if self.ranked:
            ordered = ordered.order_by("-search_rank", *ordered.query.order_by)
        super().__init__(ordered, per_page, **kwargs)

    @cached_property
    def session_counts(self) -> list[tuple[int, int]]:
        """(session id, proposals of the list in it), in list order; empty sessions left out.

        Counting a filter that matches most of 100,000 proposals takes the database 50–150 ms;
        the result is kept under the data's version (``proposals.versions``) and the query
        itself (the asker's access rule is part of it), so it is exact, and counted again after
        the next change anywhere."""
        grouped = self.object_list.order_by().values_list("session_id").annotate(n=Count("*"))

        def count():
            counts = dict(grouped.values_list("session_id", "n"))
            if not counts:
                return []
            sessions = Session.objects.filter(pk__in=counts).order_by(*SESSION_LIST_ORDER)
            return [(pk, counts[pk]) for pk in sessions.values_list("pk", flat=True)]

        return stored("list-counts", grouped, count)

    @cached_property
    def count(self) -> int:
        if self.ranked:
            return stored("list-count", self.object_list.order_by(), lambda: super(ProposalListPaginator, self).count)
        return sum(n for _session, n in self.session_counts)

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        if self.ranked:  # sorted by relevance: a search finds thousands, not the whole list
            page_ids = self.object_list.values_list("pk", flat=True)[bottom:top]
            return self._get_page(self._by_ids(stored("list-page", page_ids, lambda: list(page_ids))), number, self)
        return self._get_page(self._rows(bottom, top), number, self)

    def _by_ids(self, ids: list) -> list:
        rows = {proposal.pk: proposal for proposal in self.rows.filter(pk__in=ids).order_by()}
        return [rows[pk] for pk in ids if pk in rows]  # one deleted meanwhile is left out

    def _rows(self, bottom: int, top: int) -> list:
        covering, start, seen = [], 0, 0  # the sessions overlapping [bottom, top); where the first starts
        for session_id, n in self.session_counts:
            if seen < top and seen + n > bottom:
                start = start if covering else seen
                covering.append(session_id)
            seen += n
        if not covering:
            return []
        in_sessions = self.object_list.filter(session_id__in=covering)
        ordered = in_sessions.order_by("number") if len(covering) == 1 else proposal_list_order(in_sessions)
        page_ids = ordered.values_list("pk", flat=True)[bottom - start : top - start]
        # Kept like the counts: a filter across all sessions reads 100k assignments to find a page.
        return self._by_ids(stored("list-page", page_ids, lambda: list(page_ids)))


# --- the home page ("my work") ----------------------------------------------------------------


@dataclass
class Panel:
    """One box of the home page: the first items, the true count, and where the rest are."""

    items: list
    count: int
    more_url: str = ""
    uncounted: QuerySet | None = field(default=None, repr=False)  # full: counted by _count_full

    @property
    def has_more(self) -> bool:
        return self.count > len(self.items)


def _panel(queryset, more_url: str = "") -> Panel:
    items = list(queryset[:HOME_LIST_SIZE])
    # Fewer than a full panel is the whole count: only a full one needs counting.
    return Panel(items, len(items), more_url, queryset if len(items) >= HOME_LIST_SIZE else None)


def _count_full(panels) -> None:
    """The true counts of the full panels in one query, a scalar subquery each (each planned on
    its own, as its ``count()`` would be), not one query per panel."""
    full = [panel for panel in panels if isinstance(panel, Panel) and panel.uncounted is not None]
    for panel in [p for p in full if p.uncounted.query.distinct]:  # a count of rows, not of ones
        panel.count, panel.uncounted = panel.uncounted.count(), None
        full.remove(panel)
    if not full:
        return
    counts = {
        f"panel_{i}": Subquery(
            panel.uncounted.order_by().values(one=Value(1)).annotate(n=Count("*")).values("n")
        )
        for i, panel in enumerate(full)
    }
    # Selected from any one row: the first panel's table has at least a full panel of them.
    rows = full[0].uncounted.model._base_manager.order_by().annotate(**counts).values_list(*counts)
    for panel, count in zip(full, rows[:1].get(), strict=True):
        panel.count, panel.uncounted = count, None


# What an assignment panel shows: the proposal's session, number and title, the bureau's short
# name, the role, state and due date (``due_html``), and a request's date and reason.
_PANEL_ROW = (
    "proposal__session__body", "proposal__session__term", "proposal__session__number", "proposal__number",
    "proposal__title", "bureau__short_name", "role", "state", "due_on", "due_basis", "late_days",
    "reassignment_reason", "extension_until", "extension_reason",
)


def _panel_rows(assignments):
    return assignments.select_related("proposal__session", "bureau").only(*_PANEL_ROW)


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
    if roles.is_bureau_member:
        mine = _panel_rows(Assignment.objects.worked_by(user))
        needs_me = [AssignmentState.ASSIGNED, AssignmentState.DRAFTING, AssignmentState.SIGNED]
        if roles.leader_bureau_ids:
            needs_me.append(AssignmentState.IN_REVIEW)
        bureau_url = _list_url(bureau=next(iter(roles.bureau_ids))) if len(roles.bureau_ids) == 1 else ""
        work.reminders = _panel(
            Reminder.objects.filter(
                assignment__in=Assignment.objects.worked_by(user).open(), cleared_at__isnull=True
            )
            .select_related("assignment__proposal__session", "assignment__bureau", "sent_by")
            .defer(*long_texts_of("assignment__proposal"))
        )
        work.bureau_todo = _panel(mine.filter(state__in=needs_me).order_by("due_on", "id"), bureau_url)
        work.bureau_waiting = _panel(
            mine.filter(state__in=[AssignmentState.IN_REVIEW, AssignmentState.REASSIGNMENT_REQUESTED])
            .exclude(state__in=needs_me)
            .order_by("due_on", "id"),
            bureau_url,
        )
    if roles.sees_everything:
        visible = _panel_rows(Assignment.objects.visible_to(user))
        work.overdue = _panel(visible.overdue(today).order_by("due_on", "id"), _list_url(overdue="true"))
        work.due_soon = _panel(visible.due_soon(today).order_by("due_on", "id"), _list_url(due_soon="true"))
    if roles.manages_proposals:
        work.to_assign = _panel(
            Proposal.objects.filter(state=ProposalState.RECEIVED)
            .select_related("session", "lead_deputy")
            .defer(*LONG_TEXTS)
            .order_by("received_on", "id"),
            _list_url(state=ProposalState.RECEIVED),
        )
        workdays = WorkingCalendar()  # one for the panel: each year's holidays are read once
        for proposal in work.to_assign.items:  # recess proposals are assigned within N working days
            if proposal.timing == Proposal.Timing.RECESS:
                proposal.assign_by = recess_assignment_deadline(proposal.session, proposal.received_on, workdays)
                proposal.assign_late = proposal.assign_by.due_on < today
        work.reassignment_requests = _panel(
            _panel_rows(Assignment.objects.filter(state=AssignmentState.REASSIGNMENT_REQUESTED)).order_by(
                "assigned_at", "id"
            )
        )
        work.extension_requests = _panel(
            _panel_rows(Assignment.objects.active().filter(extension_until__isnull=False)).order_by("due_on", "id")
        )
        work.to_close = _panel(
            Proposal.objects.filter(state=ProposalState.REPLIED)
            .select_related("session")
            .defer(*LONG_TEXTS)
            .order_by("session", "number"),
            _list_url(state=ProposalState.REPLIED),
        )
    _count_full(vars(work).values())
    if roles.is_deputy:
        work.my_proposal_count = Proposal.objects.visible_to(user).count()
    return work


# --- the proposal page ------------------------------------------------------------------------


def _co_signer_names(proposal: Proposal) -> str:
    if hasattr(proposal, "co_signer_names"):  # read with it (``proposal_get_visible``)
        return proposal.co_signer_names or ""
    return "、".join(proposal.co_signers.values_list("name", flat=True))


def _timeline(user, proposal: Proposal, assignments: list) -> list[Event]:
    """The steps of the proposal this user may read: when, what, its note and who took it
    (the actor's name only), each with its assignment from the page's (bureau loaded)."""
    by_id = {assignment.pk: assignment for assignment in assignments}
    events = list(
        Event.objects.visible_to(user, proposal)
        .filter(proposal=proposal)
        .select_related("actor")
        .only("proposal_id", "assignment_id", "action", "note", "created_at", "actor__full_name", "actor__username")
    )
    for event in events:
        if event.assignment_id in by_id:  # a step of this proposal's: always, but never guess
            event.assignment = by_id[event.assignment_id]
    return events


@dataclass
class ProposalPage:
    proposal: Proposal
    co_signers: str  # their names joined by 「、」, in name order (the deputies' order)
    assignments: list  # each with .actions, .can_draft, .can_consult, .shown_consultations
    events: list
    can_assign: bool
    can_close: bool
    show_consultations: bool


def proposal_page(user, proposal: Proposal) -> ProposalPage:
    """What the proposal page shows this user and which actions it offers them."""
    roles = roles_of(user)
    assignments = list(proposal.assignments.select_related("bureau").order_by("-role", "id"))
    consultations = {}
    for consultation in (
        Consultation.objects.visible_to(user, proposal)
        .filter(assignment_id__in=[a.pk for a in assignments])
        .order_by("held_on", "id")
    ):
        consultations.setdefault(consultation.assignment_id, []).append(consultation)
    answers = {}  # a condition on the proposal is asked once for all its assignments
    for assignment in assignments:
        assignment.shown_consultations = consultations.get(assignment.pk, [])
        assignment.actions = available_transitions(user, assignment, answers)
        assignment.can_draft = may_draft(roles, assignment)
        assignment.can_consult = may_consult(roles, assignment)
    return ProposalPage(
        proposal=proposal,
        co_signers=_co_signer_names(proposal),
        assignments=assignments,
        events=_timeline(user, proposal, assignments),
        can_assign=roles.manages_proposals and proposal.state == ProposalState.RECEIVED,
        can_close=roles.manages_proposals and proposal.state == ProposalState.REPLIED,
        show_consultations=not roles.is_deputy or roles.sees_everything or roles.is_bureau_member,
    )
