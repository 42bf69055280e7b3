"""A character no configured font can draw is reported to the clerk while drafting and blocks
signing with a message naming it — never a silent box in a signed letter."""

import pytest
from django.urls import reverse

from proposals.errors import WorkflowError
from replies import workflow
from replies.models import Reply
from tests.workflow_helpers import to_drafting, write_reply

EMOJI = "\U0001F600"


def test_the_clerk_is_told_on_saving_and_signing_is_refused(client, proposal, cora, alice, lily, bureau_a):
    assignment = to_drafting(proposal, cora, alice, bureau_a)
    reply = assignment.replies.get()
    client.force_login(alice)
    response = client.post(reverse("reply-edit", args=[assignment.pk]), {
        "version": reply.version, "body": f"一、总体情况\n感谢您的建议{EMOJI}，我们将认真办理。", "category_mark": "A",
        "disclosure": "public", "contact_name": "陈承办", "contact_phone": "0574-63000000", "cc_text": "市人大代表工委",
    }, follow=True)
    page = response.content.decode()
    assert "有字体无法显示的字符" in page and "U+1F600" in page
    with pytest.raises(WorkflowError, match="U\\+1F600"):
        workflow.reply_submit(assignment=assignment, by=alice)
    assert not Reply.objects.get(pk=reply.pk).is_signed


def test_rare_but_printable_names_pass(proposal, cora, alice, lily, bureau_a):
    assignment = to_drafting(proposal, cora, alice, bureau_a)
    write_reply(assignment, alice, body="一、总体情况\n王喆、张堃、李犇和𠀀先生的意见已收悉，人民币￥100元。")
    workflow.reply_submit(assignment=assignment, by=alice)
    assert workflow.reply_sign(assignment=assignment, by=lily).is_signed
