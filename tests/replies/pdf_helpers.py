"""Signed replies for PDF tests, made through the workflow."""

from replies import workflow
from tests.factories import ProposalFactory
from tests.workflow_helpers import to_in_review, write_reply

LONG_BODY = "\n".join(
    ["一、总体情况"]
    + [f"（{n}）第{n}项措施。" + "我局高度重视，组织开展了相关调查研究，现将有关意见答复如下。" * 12 for n in "一二三四五六七八九十"] * 4
)


def signed_reply(proposal, cora, staff, leader, bureau, body=None):
    """Sign a reply; its PDF job is queued (sent to the broker when the transaction commits)."""
    assignment = to_in_review(proposal, cora, staff, bureau)
    if body:
        workflow.reply_return(assignment=assignment, by=leader, note="改")
        write_reply(assignment, staff, body=body)
        workflow.reply_submit(assignment=assignment, by=staff)
    return workflow.reply_sign(assignment=assignment, by=leader)


def another_proposal(session, deputy, number):
    return ProposalFactory(session=session, lead_deputy=deputy, number=number)
