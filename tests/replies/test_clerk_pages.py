"""Where a new clerk or leader stumbled: the return note on the draft, reading and signing on
one page, confirmations for what cannot be undone, a preview of the unsaved text, ISO dates."""

import io

import pdfplumber
from django.urls import reverse
from django.utils import timezone

from replies import workflow
from replies.models import Reply
from tests.workflow_helpers import to_drafting, to_in_review, write_reply


def test_the_return_note_is_shown_on_the_draft_itself(client, proposal, cora, alice, lily, bureau_a):
    assignment = to_in_review(proposal, cora, alice, bureau_a)
    workflow.reply_return(assignment=assignment, by=lily, note="第二部分内容偏少，请补充。")
    client.force_login(alice)
    page = client.get(reverse("reply-edit", args=[assignment.pk])).content.decode()
    assert "退回修改意见" in page and "第二部分内容偏少，请补充。" in page and "龚激红" in page
    workflow.reply_submit(assignment=assignment, by=alice)
    workflow.reply_return(assignment=assignment, by=lily, note="标题下第一段请精简。")
    page = client.get(reverse("reply-edit", args=[assignment.pk])).content.decode()
    assert "标题下第一段请精简。" in page and "第二部分内容偏少" not in page  # the latest only


def test_the_leader_reads_the_full_text_and_returns_or_signs_on_one_page(client, proposal, cora, alice, lily, bureau_a):
    assignment = to_in_review(proposal, cora, alice, bureau_a)
    reply = assignment.replies.get()
    client.force_login(lily)
    page = client.get(reverse("reply-detail", args=[reply.pk])).content.decode()
    assert "您的建议已收悉" in page  # the full text
    return_form = page[page.index("/do/return/"): page.index('data-action="return"')]
    sign_form = page[page.index("/do/sign/"): page.index('data-action="sign"')]
    assert "<textarea" in return_form and "<textarea" not in sign_form
    assert "data-confirm=" in page[page.index('data-action="sign"'):][:200]
    client.force_login(alice)  # staff may not sign: no sign button for them
    assert 'data-action="sign"' not in client.get(reverse("reply-detail", args=[reply.pk])).content.decode()


def test_irreversible_steps_ask_first(client, proposal, cora, alice, lily, bureau_a):
    client.force_login(cora)
    assert "data-confirm=" in client.get(reverse("proposal-assign", args=[proposal.pk])).content.decode()
    assignment = to_in_review(proposal, cora, alice, bureau_a)
    workflow.reply_sign(assignment=assignment, by=lily)
    client.force_login(alice)
    page = client.get(reverse("proposal-detail", args=[proposal.pk])).content.decode()
    send = page[page.index('data-action="send"'):][:200]
    assert "data-confirm=" in send
    workflow.reply_send(assignment=assignment, by=alice)
    client.force_login(cora)
    page = client.get(reverse("proposal-detail", args=[proposal.pk])).content.decode()
    close = page[page.index(reverse("proposal-close", args=[proposal.pk])):]
    assert "required" in close[:600] and "data-confirm=" in close[:800]


def test_closing_needs_a_note(client, proposal, cora, alice, lily, bureau_a):
    assignment = to_in_review(proposal, cora, alice, bureau_a)
    workflow.reply_sign(assignment=assignment, by=lily)
    workflow.reply_send(assignment=assignment, by=alice)
    client.force_login(cora)
    response = client.post(reverse("proposal-close", args=[proposal.pk]), {"note": " "}, follow=True)
    assert "办结须填写说明" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.state == "replied"
    client.post(reverse("proposal-close", args=[proposal.pk]), {"note": "代表满意，同意办结。"})
    proposal.refresh_from_db()
    assert proposal.state == "closed"


def test_the_preview_shows_the_unsaved_text_and_saves_nothing(client, media_root, proposal, cora, alice, bureau_a):
    assignment = to_drafting(proposal, cora, alice, bureau_a)
    reply = write_reply(assignment, alice, body="一、总体情况\n已保存的正文。")
    client.force_login(alice)
    page = client.get(reverse("reply-edit", args=[assignment.pk])).content.decode()
    assert "由系统自动生成" in page and reply.title in page  # title and salutation come by themselves
    response = client.post(reverse("reply-preview", args=[assignment.pk]), {
        "version": reply.version, "body": "一、总体情况\n尚未保存的新正文。", "category_mark": "A",
        "disclosure": "public", "contact_name": "陈承办", "contact_phone": "0574-63000000", "cc_text": "市人大代表工委",
    })
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    with pdfplumber.open(io.BytesIO(b"".join(response.streaming_content))) as document:
        text = "".join(p.extract_text() or "" for p in document.pages)
    assert "尚未保存的新正文" in text and "已保存的正文" not in text
    stored = Reply.objects.get(pk=reply.pk)
    assert (stored.body, stored.version) == ("一、总体情况\n已保存的正文。", reply.version)


def test_date_inputs_get_iso_dates(client, cora, alice, proposal, bureau_a):
    client.force_login(cora)
    today = timezone.localdate().isoformat()
    assert f'value="{today}"' in client.get(reverse("proposal-register")).content.decode()
    assignment = to_drafting(proposal, cora, alice, bureau_a)
    client.force_login(alice)
    assert f'value="{today}"' in client.get(reverse("consultation-new", args=[assignment.pk])).content.decode()


def test_the_proposal_page_shows_each_replys_cc_line(client, proposal, cora, alice, lily, bureau_a, dora, carl):
    """The cc line under a reply on the proposal page is the one its letter prints."""
    from replies.letter.data import CcRecipient, cc_line

    proposal.co_signers.add(carl)
    assignment = to_in_review(proposal, cora, alice, bureau_a)
    client.force_login(cora)
    draft = Reply.objects.get(assignment=assignment)
    recipients = list(draft.cc.all())
    assert recipients and carl.name in cc_line(recipients)  # the default list: the offices and the co-signer
    page = client.get(reverse("proposal-detail", args=[proposal.pk])).content.decode()
    assert f'<p class="cc">抄送：{cc_line(recipients)}</p>' in page  # a draft's: its cc rows

    reply = workflow.reply_sign(assignment=assignment, by=lily)
    printed = [CcRecipient(**recipient) for recipient in Reply.objects.get(pk=reply.pk).letter["cc"]]
    assert cc_line(printed) == cc_line(recipients)
    page = client.get(reverse("proposal-detail", args=[proposal.pk])).content.decode()
    assert f'<p class="cc">抄送：{cc_line(printed)}</p>' in page  # a signed one's: as its letter printed it


def test_the_proposal_page_names_the_co_signers_in_order(client, proposal, cora, carl, otto):
    from tests.factories import DeputyFactory

    proposal.co_signers.add(carl, otto, DeputyFactory(name="王五"), DeputyFactory(name="张三"))
    client.force_login(cora)
    page = client.get(reverse("proposal-detail", args=[proposal.pk])).content.decode()
    expected = "、".join(proposal.co_signers.values_list("name", flat=True))  # the deputies' order
    assert f"<dt>附议代表</dt><dd>{expected}</dd>" in page and expected.count("、") == 3
