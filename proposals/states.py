"""Workflow states. The transitions between them live in proposals/workflow.py."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProposalState(models.TextChoices):
    RECEIVED = "received", _("已登记")
    ASSIGNED = "assigned", _("已交办")
    DRAFTING = "drafting", _("办理中")
    IN_REVIEW = "in_review", _("待签发")
    SIGNED = "signed", _("已签发")
    REPLIED = "replied", _("已答复")
    CLOSED = "closed", _("已办结")


class AssignmentState(models.TextChoices):
    ASSIGNED = "assigned", _("待接收")
    REASSIGNMENT_REQUESTED = "reassignment_requested", _("申请调整交办")
    DRAFTING = "drafting", _("办理中")
    IN_REVIEW = "in_review", _("待签发")
    SIGNED = "signed", _("已签发")
    REPLIED = "replied", _("已答复")
    OPINION_SENT = "opinion_sent", _("已送协办意见")
    WITHDRAWN = "withdrawn", _("已撤回交办")


# States where the bureau still owes something (a reply or an opinion): due dates matter here.
OPEN_ASSIGNMENT_STATES = frozenset(
    {
        AssignmentState.ASSIGNED,
        AssignmentState.REASSIGNMENT_REQUESTED,
        AssignmentState.DRAFTING,
        AssignmentState.IN_REVIEW,
    }
)

# A lead assignment's state maps onto the proposal's; with split handling (several leads)
# the proposal is as far as its least advanced lead.
PROPOSAL_ORDER = [
    ProposalState.RECEIVED,
    ProposalState.ASSIGNED,
    ProposalState.DRAFTING,
    ProposalState.IN_REVIEW,
    ProposalState.SIGNED,
    ProposalState.REPLIED,
    ProposalState.CLOSED,
]
LEAD_TO_PROPOSAL = {
    AssignmentState.ASSIGNED: ProposalState.ASSIGNED,
    AssignmentState.REASSIGNMENT_REQUESTED: ProposalState.ASSIGNED,
    AssignmentState.DRAFTING: ProposalState.DRAFTING,
    AssignmentState.IN_REVIEW: ProposalState.IN_REVIEW,
    AssignmentState.SIGNED: ProposalState.SIGNED,
    AssignmentState.REPLIED: ProposalState.REPLIED,
}
