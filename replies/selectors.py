"""Reads that depend on who is asking, beside the access rules (``Reply.objects.visible_to``,
``CoHandlingOpinion.objects.visible_to`` in models.py). Every view, download and export fetches
through these; anything outside the rule is a 404."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from proposals.models import Assignment, Proposal
from proposals.selectors import proposal_list_order, with_assignments

from .models import CoHandlingOpinion, ExportJob, Reply


def current_reply(assignment: Assignment) -> Reply | None:
    """The newest round: the one being drafted, or the last signed."""
    return assignment.replies.order_by("-round").first()


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


def proposal_replies(user, proposal: Proposal):
    """The replies shown on the proposal page, newest round first per assignment."""
    return (
        Reply.objects.visible_to(user)
        .filter(assignment__proposal=proposal)
        .select_related("assignment__bureau", "signer")
        .prefetch_related("cc")
        .order_by("assignment_id", "-round")
    )


def proposal_opinions(user, proposal: Proposal):
    return (
        CoHandlingOpinion.objects.visible_to(user)
        .filter(assignment__proposal=proposal)
        .select_related("assignment__bureau", "signer")
    )


def deputy_proposals(user):
    """The deputy's own proposals (lead or co-signer), each assignment with the replies they may read."""
    proposals = with_assignments(Proposal.objects.visible_to(user)).prefetch_related(
        Prefetch(
            "assignments__replies",
            queryset=Reply.objects.visible_to(user).select_related("signer").order_by("-round"),
            to_attr="visible_replies",
        )
    )
    return proposal_list_order(proposals)
