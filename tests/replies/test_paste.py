"""Pasting a published reply into the draft page: the fields are filled for review and nothing is
saved until the clerk saves the draft as usual; only the lead bureau's people, while drafting."""

import pytest
from django.urls import reverse

from replies.demo import documents as docs
from replies.models import Reply
from replies.selectors import current_reply
from tests.workflow_helpers import to_drafting, to_in_review

WEBSITE_366 = (
    "首页 > 政务公开 > 建议提案办理\n"
    "来源：慈溪市经济和信息化局  发布时间：2023-09-15 10:20  浏览次数：1024\n"
    + docs.read_seed(docs.REPLY_366).replace("2023年9月12日\n", "2023年9月12日\n（此件依申请公开）\n（联系人：周丽；联系电话：0574-63111111）\n")
    + "扫码关注“慈溪发布”\n【打印本页】【关闭窗口】\n"
).replace("\n", "\r\n")


@pytest.fixture
def drafting(proposal, cora, alice, bureau_a):
    return to_drafting(proposal, cora, alice, bureau_a)


def paste(client, assignment, text, **extra):
    return client.post(reverse("reply-paste", args=[assignment.pk]), {"pasted_text": text, **extra})


def stored(assignment):
    reply = current_reply(assignment)
    row = Reply.objects.filter(pk=reply.pk).values(
        "version", "body", "category_mark", "disclosure", "contact_name", "contact_phone"
    ).get()
    row["cc"] = list(reply.cc.values_list("name", flat=True))
    return row


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def test_the_draft_page_offers_the_paste_form(client, drafting, alice):
    client.force_login(alice)
    page = client.get(reverse("reply-edit", args=[drafting.pk])).content.decode()
    assert "粘贴已有答复全文" in page
    assert f'action="{reverse("reply-paste", args=[drafting.pk])}"' in page
    # No maxlength: a browser would cut a longer paste silently; the server says it is too long.
    paste_form = page[page.index("粘贴已有答复全文"): page.index("</details>")]
    assert 'name="pasted_text"' in paste_form and "maxlength" not in paste_form


def test_pasting_the_signed_110_fills_the_draft_and_saves_nothing(client, drafting, alice):
    before = stored(drafting)
    client.force_login(alice)
    response = paste(client, drafting, docs.read_seed(docs.REPLY_110))
    assert response.status_code == 200
    assert response.templates[0].name == "replies/reply_form.html"
    form = response.context["form"]
    seed = docs.seed_letter(docs.REPLY_110)
    assert form["body"].value() == seed.body
    assert form["category_mark"].value() == "A"
    assert form["version"].value() == before["version"]
    assert form["cc_text"].value() == "\n".join(before["cc"])  # the text has none: the draft's stays
    assert response.context["conflict"] is None and response.context["conflict_cc"] == ""
    assert response.context["assignment"] == drafting and "last_return" in response.context
    assert stored(drafting) == before  # nothing saved

    said = " ".join(messages_of(response))
    assert "尚未保存" in said and "已填入草稿：正文、称呼、类别标记。" in said
    assert "已识别：类别标记、发文机关标志、发文字号、签发人、标题、称呼、正文（12 段）。" in said
    assert "慈经信建〔2022〕3号" in said and "发文字号在签发时由系统编号" in said
    assert "龚激红" in said and "签发人" in said
    assert "标题「" not in said and "称呼「" not in said  # the same as the system's (No. 110, 罗冲)
    page = response.content.decode()
    assert "识别结果" in page and "慈溪市经济和信息化局文件" in page


def test_pasting_from_the_website_fills_note_and_cc_and_says_what_the_system_prints(client, drafting, alice):
    before = stored(drafting)
    client.force_login(alice)
    response = paste(client, drafting, WEBSITE_366)
    form = response.context["form"]
    seed = docs.seed_letter(docs.REPLY_366)
    assert form["body"].value() == seed.body
    assert form["disclosure"].value() == "on_request"
    assert (form["contact_name"].value(), form["contact_phone"].value()) == ("周丽", "0574-63111111")
    assert form["cc_text"].value().split("\n") == [c.name for c in seed.cc]
    assert form["category_mark"].value() == before["category_mark"]  # none in the text
    assert form.is_valid(), form.errors
    assert stored(drafting) == before

    said = messages_of(response)
    assert any("以下 1 行未能识别" in m and "扫码关注" in m for m in said)
    differences = [m for m in said if "由系统" in m]
    assert any("标题「对市十八届人大二次会议第366号建议的答复」" in m and "标题由系统生成" in m for m in differences)
    assert any("称呼「岑国建代表：」" in m and "罗冲代表：" in m for m in differences)
    assert any("成文日期 2023年9月12日" in m for m in differences)
    page = response.content.decode()
    assert "已去掉的网页内容" in page and "打印本页" in page


def test_saving_after_the_paste_saves_the_reviewed_fields(client, drafting, alice):
    client.force_login(alice)
    response = paste(client, drafting, WEBSITE_366)
    form = response.context["form"]
    data = {name: form[name].value() or "" for name in form.fields} | {"save": ""}
    # The draft form on the pasted page posts to the page's own address; it is handed on unchanged.
    handed_on = client.post(reverse("reply-paste", args=[drafting.pk]), data)
    assert handed_on.status_code == 307
    assert handed_on["Location"] == reverse("reply-edit", args=[drafting.pk])
    saved = client.post(reverse("reply-paste", args=[drafting.pk]), data, follow=True)
    assert saved.redirect_chain[0] == (reverse("reply-edit", args=[drafting.pk]), 307)
    row = stored(drafting)
    assert row["body"] == docs.seed_letter(docs.REPLY_366).body.strip()  # the draft form strips
    assert (row["disclosure"], row["contact_name"]) == ("on_request", "周丽")
    assert row["cc"] == [c.name for c in docs.seed_letter(docs.REPLY_366).cc]
    assert "答复稿已保存。" in [str(m) for m in saved.context["messages"]]


def test_a_mark_the_session_does_not_use_is_not_filled(client, drafting, alice):
    session = drafting.proposal.session
    session.category_marks = "ABC"
    session.save()
    client.force_login(alice)
    text = docs.read_seed(docs.REPLY_110).replace("类别标记：A", "类别：D")
    response = paste(client, drafting, text)
    assert response.context["form"]["category_mark"].value() == ""
    said = messages_of(response)
    assert any("「D」" in m and "未填入" in m for m in said)
    (summary,) = [m for m in said if "已填入草稿：" in m]
    assert "类别标记" in summary.split("已填入草稿：")[0]  # found …
    assert "类别标记" not in summary.split("已填入草稿：")[1]  # … but not filled in


def test_an_opinion_pasted_into_a_reply_is_flagged(client, drafting, alice):
    client.force_login(alice)
    response = paste(client, drafting, docs.read_seed(docs.OPINION_239))
    assert response.context["form"]["body"].value() == docs.seed_letter(docs.OPINION_239).body
    assert any("协办意见" in m for m in messages_of(response))


def test_text_longer_than_100000_characters_is_refused(client, drafting, alice):
    before = stored(drafting)
    client.force_login(alice)
    response = paste(client, drafting, "正" * 100_001)
    assert response.status_code == 200
    assert any("不能超过 100000 字" in m and "100001" in m for m in messages_of(response))
    assert response.context["form"]["body"].value() == before["body"]
    assert stored(drafting) == before
    assert paste(client, drafting, "您的建议收悉。" * 14_000).status_code == 200  # 98,000: fine


def test_empty_text_or_text_without_body(client, drafting, alice):
    before = stored(drafting)
    client.force_login(alice)
    assert any("请先粘贴答复全文" in m for m in messages_of(paste(client, drafting, "")))
    response = paste(client, drafting, "首页 > 政务公开 > 建议\n【打印本页】【关闭窗口】\n")
    assert any("未能从粘贴的文本中找到正文" in m for m in messages_of(response))
    assert response.context["form"]["body"].value() == before["body"]
    assert stored(drafting) == before


def test_the_leader_of_the_bureau_may_paste_too(client, drafting, lily):
    client.force_login(lily)
    assert paste(client, drafting, docs.read_seed(docs.REPLY_110)).status_code == 200


@pytest.mark.parametrize("who", ["bob", "dora", "cora"])
def test_others_are_refused(client, drafting, who, bob, dora, cora):
    before = stored(drafting)
    client.force_login({"bob": bob, "dora": dora.user, "cora": cora}[who])
    response = paste(client, drafting, docs.read_seed(docs.REPLY_110))
    assert response.status_code in (403, 404)
    assert stored(drafting) == before
    # Nor can they slip a draft save through the paste address.
    response = client.post(reverse("reply-paste", args=[drafting.pk]), {"version": before["version"], "body": "改"})
    assert response.status_code in (403, 404)


def test_get_is_not_allowed(client, drafting, alice):
    client.force_login(alice)
    assert client.get(reverse("reply-paste", args=[drafting.pk])).status_code == 405


def test_anonymous_is_sent_to_log_in(client, drafting):
    response = paste(client, drafting, "正文。")
    assert response.status_code == 302 and "login" in response["Location"]


def test_not_while_the_reply_is_in_review(client, proposal, cora, alice, bureau_a):
    assignment = to_in_review(proposal, cora, alice, bureau_a)
    before = stored(assignment)
    client.force_login(alice)
    response = paste(client, assignment, docs.read_seed(docs.REPLY_110))
    assert response.status_code == 302
    assert response["Location"] == reverse("proposal-detail", args=[proposal.pk])
    assert stored(assignment) == before


def test_a_pasted_joint_salutation_chooses_that_form_of_address(client, drafting, alice):
    """The proposal is 罗冲's with 潘省办 co-signing: a reply pasted as 「罗冲、潘省办代表：」 picks
    「all names» on the draft form, and nothing is saved until the clerk saves."""
    client.force_login(alice)
    text = "罗冲、潘省办代表：\n您们提出的建议收悉，现答复如下。\n一、加强服务。\n慈溪市经济和信息化局\n2026年3月2日\n"
    response = paste(client, drafting, text)
    form = response.context["form"]
    assert form["addressed_to"].value() == Reply.AddressedTo.ALL
    page = response.content.decode()
    assert "「罗冲、潘省办代表：」" in page and "称呼由系统生成" not in page
    assert current_reply(drafting).addressed_to == Reply.AddressedTo.LEAD
