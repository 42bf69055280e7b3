"""Signed replies for PDF tests, made through the workflow."""

from replies import workflow
from tests.factories import ProposalFactory
from tests.workflow_helpers import to_in_review


def signed_reply(proposal, cora, staff, leader, bureau):
    """Sign a reply; its PDF job is queued (sent to the broker when the transaction commits)."""
    assignment = to_in_review(proposal, cora, staff, bureau)
    return workflow.reply_sign(assignment=assignment, by=leader)


def sent_reply(proposal, cora, staff, leader, bureau):
    """Sign a reply and send it to the deputy."""
    reply = signed_reply(proposal, cora, staff, leader, bureau)
    workflow.reply_send(assignment=reply.assignment, by=staff)
    reply.refresh_from_db()
    return reply


def another_proposal(session, deputy, number):
    return ProposalFactory(session=session, lead_deputy=deputy, number=number)

