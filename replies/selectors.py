"""Reads that depend on who is asking, beside the access rules (``Reply.objects.visible_to``,
``CoHandlingOpinion.objects.visible_to`` in models.py). Every view, download and export fetches
through these; anything outside the rule is a 404."""

from django.db.models import Exists, OuterRef, Prefetch, Subquery
from django.shortcuts import get_object_or_404

from proposals.models import Assignment, Event, Proposal

from .models import CoHandlingOpinion, Evaluation, ExportJob, Reply


def current_reply(assignment: Assignment) -> Reply | None:
    """The newest round: the one being drafted, or the last signed."""
    return assignment.replies.order_by("-round").first()


def is_current_reply(reply: Reply) -> bool:
    """Whether ``reply`` is its assignment's newest round: from ``assignment.newest_round`` when a
    list page annotated it (``replies.deputies``), else one query."""
    newest = getattr(reply.assignment, "newest_round", None)
    if newest is None:
        return current_reply(reply.assignment).pk == reply.pk
    return reply.round == newest


def current_opinion(assignment: Assignment) -> CoHandlingOpinion | None:
    return assignment.opinions.order_by("-round").first()


def reply_get_visible(user, pk, *, signed=False) -> Reply:
    replies = Reply.objects.visible_to(user).select_related(
        "assignment__proposal__session", "assignment__proposal__lead_deputy", "bureau", "signer"
    )
    return get_object_or_404(replies.signed() if signed else replies, pk=pk)


def opinion_get_visible(user, pk) -> CoHandlingOpinion:
    return get_object_or_404(
        CoHandlingOpinion.objects.visible_to(user).select_related(
            "assignment__proposal__session", "assignment__bureau", "signer"
        ),
        pk=pk,
    )


def export_get_for(user, pk) -> ExportJob:
    return get_object_or_404(ExportJob.objects.visible_to(user).select_related("session"), pk=pk)


def export_still_readable(user, job: ExportJob) -> bool:
    """A ZIP holds what its requester could read when it was made: at download the user must
    still be allowed every reply inside (roles and access change)."""
    ids = set(job.reply_ids)
    return Reply.objects.visible_to(user).signed().filter(pk__in=ids).count() == len(ids)


def proposal_replies(user, proposal: Proposal):
    """The replies shown on the proposal page, newest round first per assignment."""
    return (
        Reply.objects.visible_to(user, proposal)
        .filter(assignment__proposal=proposal)
        .select_related("assignment__bureau", "signer")
        .prefetch_related(
            "cc",
            Prefetch(
                "evaluations",
                # The page marks a corrected rating (``superseded``) and a correction
                # (``corrects_id``, its reason on the row itself): no join of the ratings twice.
                queryset=Evaluation.objects.visible_to(user, proposal)
                .select_related("deputy", "recorded_by")
                .annotate(superseded=Exists(Evaluation.objects.filter(corrects=OuterRef("pk")))),
            ),
        )
        .order_by("assignment_id", "-round")
    )


def proposal_opinions(user, proposal: Proposal):
    """The opinions shown on the proposal page, each with the lead bureau its salutation names
    (``lead_short_name``, in the same query: none per opinion)."""
    lead = (
        Assignment.objects.active()
        .filter(proposal_id=OuterRef("assignment__proposal_id"), role=Assignment.Role.LEAD)
        .order_by("id")
    )
    return (
        CoHandlingOpinion.objects.visible_to(user)
        .filter(assignment__proposal=proposal)
        .select_related("assignment__bureau")
        .annotate(lead_short_name=Subquery(lead.values("bureau__short_name")[:1]))
        # The model's order ("assignment", "round") would join the proposal and its session to
        # sort by them; on one proposal's page the assignment's id is the same order.
        .order_by("assignment_id", "round")
    )


def last_return(assignment: Assignment) -> Event | None:
    """The leader's latest return of this draft, if it came after the draft was last submitted:
    the reason is shown on the draft itself, not only in the timeline."""
    latest = (
        Event.objects.filter(assignment=assignment, action__in=[Event.Action.SUBMIT, Event.Action.RETURN])
        .select_related("actor")
        .order_by("-created_at", "-id")
        .first()
    )
    return latest if latest and latest.action == Event.Action.RETURN else None
