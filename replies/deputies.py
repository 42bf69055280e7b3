"""What a deputy sees of their proposals: states in a deputy's words, the bureaus, sent replies
with their own ratings, consultations to confirm, and the timeline steps meant for deputies.

The mapping from the internal states to the deputy's is here and nowhere else.
"""

import datetime
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db import DEFAULT_DB_ALIAS, models
from django.db.models import Exists, OuterRef, Prefetch, Subquery, prefetch_related_objects
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Deputy, Organization
from accounts.roles import roles_of
from proposals.models import Assignment, Consultation, Event, Proposal, Session, led_or_co_signed
from proposals.selectors import proposal_list_order
from proposals.states import AssignmentState, ProposalState

from .models import Evaluation, Reply
from .rating import rating_closes_on, rating_problem


class DeputyStatus(models.TextChoices):
    REGISTERED = "registered", _("已登记")
    ASSIGNED = "assigned", _("已交办")
    HANDLING = "handling", _("办理中")
    REHANDLING = "rehandling", _("重新办理中")
    REPLIED = "replied", _("已答复")
    TO_RATE = "to_rate", _("待测评")
    CLOSED = "closed", _("已办结")


_BY_PROPOSAL_STATE = {
    ProposalState.RECEIVED: DeputyStatus.REGISTERED,
    ProposalState.ASSIGNED: DeputyStatus.ASSIGNED,
    ProposalState.DRAFTING: DeputyStatus.HANDLING,
    ProposalState.IN_REVIEW: DeputyStatus.HANDLING,
    ProposalState.SIGNED: DeputyStatus.HANDLING,  # signed but not sent: still being handled
    ProposalState.REPLIED: DeputyStatus.REPLIED,
    ProposalState.CLOSED: DeputyStatus.CLOSED,
}


def deputy_status(proposal: Proposal, *, rehandling: bool, to_rate: bool) -> DeputyStatus:
    if proposal.state == ProposalState.CLOSED:
        return DeputyStatus.CLOSED
    if to_rate:
        return DeputyStatus.TO_RATE
    if rehandling and proposal.state != ProposalState.REPLIED:
        return DeputyStatus.REHANDLING
    return _BY_PROPOSAL_STATE[proposal.state]


def bureau_status(assignment: Assignment, rehandling: bool) -> str:
    """A bureau's progress as a deputy reads it: never 待接收, 待签发 or 已送协办意见."""
    if not assignment.is_lead:
        return ""
    if assignment.state == AssignmentState.REPLIED:
        return DeputyStatus.REPLIED.label
    return (DeputyStatus.REHANDLING if rehandling else DeputyStatus.HANDLING).label


CARDS_PER_PAGE = 10  # a deputy of one term (five years) has about ten


@dataclass
class TimelineStep:
    at: datetime.datetime
    label: str
    by: str  # an organisation (or the deputy), never a staff member's name
    note: str


@dataclass
class DeputyCard:
    proposal: Proposal
    deputy: Deputy
    status: DeputyStatus
    leads: bool  # the deputy is the lead deputy (else a co-signer)
    assignments: list
    replies: list  # sent replies, newest first, each with .my_rating / .may_rate / .closes_on
    to_rate: list
    consultations: list
    asks_answer: bool  # a consultation of a proposal they lead awaits their answer
    timeline: list = field(default_factory=list)


def _deputy_of(user) -> Deputy:
    """The user's deputy, as a reference: the pages compare and filter by it, and read nothing
    else of it (any other field would load on first use)."""
    return Deputy.from_db(DEFAULT_DB_ALIAS, ["id"], [roles_of(user).deputy_id])


def _card_reads(user, deputy: Deputy, *, consultations: bool) -> list[Prefetch]:
    """What a card reads of its proposal's assignments (``rating_problem`` included), a query
    per kind of object however many proposals and replies there are. Each assignment carries
    its newest round (drafts included: is a sent reply still current?) and whether a re-handling
    round is open. ``consultations``: the card lists them (a proposal's own card)."""
    rounds = Reply.objects.filter(assignment=OuterRef("pk"))
    reads = [
        Prefetch(
            "assignments",
            queryset=Assignment.objects.active()
            .select_related("bureau")
            .annotate(newest_round=Subquery(rounds.order_by("-round").values("round")[:1]))
            .annotate(rehandling_open=Exists(rounds.filter(rehandling=True, signed_at__isnull=True)))
            .order_by("-role", "id"),
        ),
        Prefetch(
            "assignments__replies",
            queryset=Reply.objects.visible_to(user).sent().select_related("bureau").order_by("-round"),
            to_attr="sent_replies",
        ),
        Prefetch(
            "assignments__sent_replies__evaluations",
            queryset=Evaluation.objects.filter(deputy=deputy).order_by("-created_at", "-id"),
            to_attr="mine",
        ),
    ]
    if consultations:
        reads.append(
            Prefetch(
                "assignments__consultations",
                queryset=Consultation.objects.visible_to(user).order_by("held_on", "id"),
                to_attr="visible_consultations",
            )
        )
    return reads


def _card(proposal: Proposal, deputy: Deputy, today: datetime.date) -> DeputyCard:
    """A proposal's card. Its consultations are those read with it (``visible_consultations``);
    a card of the list reads none, and asks for an answer when ``_in_order`` found one due
    (``unanswered``: the same condition, asked in that query)."""
    replies, to_rate, consultations = [], [], []
    rehandling = False
    assignments = list(proposal.assignments.all())
    for assignment in assignments:
        a_rehandling = assignment.rehandling_open
        rehandling |= a_rehandling
        assignment.deputy_status = bureau_status(assignment, a_rehandling)
        for reply in assignment.sent_replies:
            reply.assignment = assignment  # already loaded: no query per reply
            assignment.proposal = proposal
            reply.my_rating = reply.mine[0] if reply.mine else None
            reply.closes_on = rating_closes_on(reply)
            reply.may_rate = not rating_problem(reply, deputy, today)
            replies.append(reply)
            if reply.may_rate:
                to_rate.append(reply)
        for consultation in getattr(assignment, "visible_consultations", ()):
            consultation.bureau = assignment.bureau
            consultations.append(consultation)
    if hasattr(proposal, "unanswered"):
        asks_answer = proposal.unanswered
    else:
        asks_answer = proposal.lead_deputy_id == deputy.pk and any(not c.deputy_answer for c in consultations)
    return DeputyCard(
        proposal=proposal,
        deputy=deputy,
        status=deputy_status(proposal, rehandling=rehandling, to_rate=bool(to_rate)),
        leads=proposal.lead_deputy_id == deputy.pk,
        assignments=assignments,
        replies=sorted(replies, key=lambda r: r.sent_at, reverse=True),
        to_rate=to_rate,
        consultations=consultations,
        asks_answer=asks_answer,
    )


def deputy_cards(user, number=None) -> Page:
    """A page of cards, one per proposal of the deputy (``CARDS_PER_PAGE``): those asking
    something of them first, then the rest in the list's order. All their proposals are read
    once, without their texts, in order (``_in_order``); only the page's are read in full: a
    deputy of ten years has forty proposals, each card a letter long."""
    deputy = _deputy_of(user)
    today = timezone.localdate()
    proposals = _in_order(user, deputy, today)
    ordered = [p for p in proposals if p.may_ask] + [p for p in proposals if not p.may_ask]
    page = Paginator(ordered, CARDS_PER_PAGE).get_page(number)
    shown = list(page.object_list)
    prefetch_related_objects(shown, *_card_reads(user, deputy, consultations=False))
    cards = [_card(proposal, deputy, today) for proposal in shown]
    page.object_list = sorted(cards, key=lambda c: not (c.to_rate or c.asks_answer))
    return page


# What a card of the list reads of its proposal: the session's name and its rating rules
# (``rating.rates``, ``rating_closes_on``), the number, title and state, and who leads it.
_CARD_SHOWS = (
    "number", "title", "state", "lead_deputy_id", "session__body", "session__term", "session__number",
    "session__raters", "session__rating_window_days",
)


def _in_order(user, deputy: Deputy, today: datetime.date) -> list[Proposal]:
    """The deputy's proposals in the list's order (session read with each, no texts), each with
    ``may_ask``, whether its card may ask something of them: a reply they may rate (a lead
    bureau's current round, sent, not rated by them, its window open, and they rate: the lead
    deputy, or a co-signer when the session says so) or a consultation they lead and have not
    answered (``unanswered``). One query, without the cards' other rows; each card then asks
    by its own rules (``rating_problem``), which this follows so that no card that asks nothing
    takes a place on the first page. Only existence and dates are read here: the access rule
    is the proposals'."""
    newer_round = Reply.objects.filter(assignment_id=OuterRef("assignment_id"), round__gt=OuterRef("round"))
    unrated = (
        Reply.objects.sent()
        .filter(assignment__proposal=OuterRef("pk"), assignment__role=Assignment.Role.LEAD,
                assignment__state=AssignmentState.REPLIED)
        .exclude(evaluations__deputy=deputy)
        .exclude(Exists(newer_round))
        .order_by("-sent_at").values("sent_at")[:1]
    )
    unanswered = Consultation.objects.filter(assignment__proposal=OuterRef("pk"), deputy_answer="").exclude(
        assignment__state=AssignmentState.WITHDRAWN
    )
    proposals = list(
        proposal_list_order(_own(user, deputy))
        .select_related("session")
        .only(*_CARD_SHOWS)
        .annotate(unrated_sent_at=Subquery(unrated), unanswered=Exists(unanswered))
    )
    for p in proposals:
        p.unanswered = p.unanswered and p.lead_deputy_id == deputy.pk  # the lead deputy answers
        sent, days = p.unrated_sent_at, p.session.rating_window_days
        # As ``rating.rates``: the lead deputy, or (all of these being theirs) a co-signer where co-signers rate.
        rates = p.lead_deputy_id == deputy.pk or p.session.raters == Session.Raters.ALL
        open_window = bool(sent) and timezone.localdate(sent) + datetime.timedelta(days=days) >= today
        p.may_ask = p.unanswered or (rates and open_window)
    return proposals


def _own(user, deputy: Deputy):
    """The proposals the deputy leads or co-signed, under the access rule: a deputy who also
    works in a bureau or an office sees that work on the list, not among their own proposals."""
    return Proposal.objects.visible_to(user).filter(led_or_co_signed(deputy.pk))


def deputy_card(user, pk) -> DeputyCard:
    deputy = _deputy_of(user)
    proposal = get_object_or_404(
        _own(user, deputy).select_related("session", "lead_deputy").prefetch_related(
            *_card_reads(user, deputy, consultations=True)
        ),
        pk=pk,
    )
    card = _card(proposal, deputy, timezone.localdate())
    card.timeline = deputy_timeline(user, proposal)
    return card


def deputy_timeline(user, proposal: Proposal) -> list[TimelineStep]:
    """The steps marked for deputies, each in the name of the organisation that took it."""
    congress = Organization.objects.filter(kind=Organization.Kind.CONGRESS_OFFICE).order_by("id").first()
    deputies = dict(Deputy.objects.filter(user__isnull=False).filter(
        pk__in=[proposal.lead_deputy_id, *proposal.co_signers.values_list("pk", flat=True)]
    ).values_list("user_id", "name"))
    steps = []
    events = Event.objects.visible_to(user).for_deputies().filter(proposal=proposal).select_related("assignment__bureau")
    for event in events:
        if event.actor_id in deputies:
            by = deputies[event.actor_id]
        elif event.assignment_id and event.action not in (Event.Action.ASSIGN, Event.Action.REASSIGN):
            by = event.assignment.bureau.short_name
        else:
            by = congress.short_name if congress else ""
        steps.append(TimelineStep(event.created_at, event.get_action_display(), by, event.note))
    return steps
