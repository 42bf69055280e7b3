"""Moving a proposal to a given point of the workflow, through the real services."""

from proposals import workflow as intake
from replies import workflow
from replies.drafts import default_cc, reply_save_draft
from replies.letter.data import CcRecipient
from replies.selectors import current_reply


def assign(proposal, cora, lead, assistants=()):
    return intake.proposal_assign(proposal=proposal, leads=[lead], assistants=list(assistants), by=cora)


def write_reply(assignment, by, body="一、总体情况\n您的建议已收悉。\n（一）具体措施。我们将认真办理。", mark="A"):
    reply = current_reply(assignment)
    return reply_save_draft(
        reply=reply, by=by, version=reply.version, body=body, category_mark=mark,
        disclosure="public", contact_name="陈承办", contact_phone="0574-63000000",
        cc=[CcRecipient(c.name, c.is_person) for c in reply.cc.all()] or default_cc(assignment),
    )


def to_drafting(proposal, cora, staff, lead):
    (assignment,) = assign(proposal, cora, lead)
    workflow.assignment_accept(assignment=assignment, by=staff)
    return assignment


def to_in_review(proposal, cora, staff, lead):
    assignment = to_drafting(proposal, cora, staff, lead)
    write_reply(assignment, staff)
    workflow.reply_submit(assignment=assignment, by=staff)
    return assignment


def to_signed(proposal, cora, staff, leader, lead):
    assignment = to_in_review(proposal, cora, staff, lead)
    workflow.reply_sign(assignment=assignment, by=leader)
    return assignment
