"""Edges found in review: reopening, cc after reassignment, signed cc lists, clear refusals."""

import pytest
from django.core.exceptions import ValidationError

from proposals import workflow as intake
from proposals.errors import WorkflowError
from proposals.models import Event
from replies import workflow
from replies.models import ReplyCc
from replies.selectors import current_reply
from tests.workflow_helpers import assign, to_signed


def test_a_new_round_reopens_a_closed_proposal(proposal, cora, alice, lily, bureau_a):
    assignment = to_signed(proposal, cora, alice, lily, bureau_a)
    workflow.reply_send(assignment=assignment, by=alice)
    intake.proposal_close(proposal=proposal, by=cora, note="代表满意。")
    workflow.reply_new_round(assignment=assignment, by=lily, reason="更正联系电话")
    proposal.refresh_from_db()
    assert proposal.state == "drafting"
    assert [r.round for r in assignment.replies.order_by("round")] == [1, 2]


def test_replacing_an_assisting_bureau_updates_the_draft_cc(proposal, cora, alice, bob, bureau_a, bureau_b):
    from tests.factories import OrganizationFactory

    lead, assisting = assign(proposal, cora, bureau_a, [bureau_b])
    workflow.assignment_accept(assignment=lead, by=alice)
    assert "市科技局" in [c.name for c in current_reply(lead).cc.all()]
    intake.assignment_request_reassignment(assignment=assisting, by=bob, reason="不属于我局职责")
    other = OrganizationFactory(name="慈溪市教育局", short_name="市教育局")
    intake.assignment_approve_reassignment(assignment=assisting, by=cora, new_bureau=other)
    names = [c.name for c in current_reply(lead).cc.all()]
    assert "市教育局" in names and "市科技局" not in names


def test_the_cc_list_of_a_signed_reply_cannot_change(proposal, cora, alice, lily, bureau_a):
    assignment = to_signed(proposal, cora, alice, lily, bureau_a)
    cc = current_reply(assignment).cc.first()
    cc.name = "别的单位"
    with pytest.raises(ValidationError):
        cc.save()
    with pytest.raises(ValidationError):
        cc.delete()
    assert ReplyCc.objects.get(pk=cc.pk).name != "别的单位"


def test_editing_an_old_signed_round_says_it_is_signed(proposal, cora, alice, lily, bureau_a):
    assignment = to_signed(proposal, cora, alice, lily, bureau_a)
    first = current_reply(assignment)
    workflow.reply_new_round(assignment=assignment, by=lily, reason="更正")
    from replies.drafts import reply_save_draft

    with pytest.raises(WorkflowError, match="已签发"):
        reply_save_draft(reply=first, by=alice, version=first.version, body="改", category_mark="A",
                         disclosure="public", contact_name="陈", contact_phone="1", cc=[])


def test_refusing_a_reassignment_clears_the_reason_but_keeps_it_in_the_log(proposal, cora, alice, bureau_a):
    (assignment,) = assign(proposal, cora, bureau_a)
    intake.assignment_request_reassignment(assignment=assignment, by=alice, reason="不属于我局职责")
    intake.assignment_refuse_reassignment(assignment=assignment, by=cora, note="属于贵局职责")
    assignment.refresh_from_db()
    assert assignment.state == "assigned" and assignment.reassignment_reason == ""
    assert Event.objects.filter(assignment=assignment, action="request_reassignment", note="不属于我局职责").exists()


def test_the_send_event_lists_the_cc_as_printed(proposal, cora, alice, lily, bureau_a, carl):
    from accounts.models import Deputy
    from tests.factories import DeputyFactory

    proposal.co_signers.add(DeputyFactory(name="胡国锋"))
    assignment = to_signed(proposal, cora, alice, lily, bureau_a)
    workflow.reply_send(assignment=assignment, by=alice)
    note = Event.objects.get(assignment=assignment, action="send").note
    assert note.endswith("、".join(d.name for d in Deputy.objects.filter(cosigned_proposals=proposal).order_by("name")))
