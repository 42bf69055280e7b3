"""What deputies and the other bureaus may read: a crawl of every page a deputy can reach finds
no internal note, no staff name, no internal state, no draft, no unsent reply, no opinion."""

import re
from collections import deque
from urllib.parse import urljoin, urlparse

import pytest
from django.urls import reverse

from proposals import workflow as intake
from proposals.models import Consultation
from replies import pdf, workflow
from replies.drafts import opinion_save_draft
from replies.selectors import current_opinion
from tests.factories import ProposalFactory
from tests.workflow_helpers import write_reply

RETURN_NOTE = "第二部分内容偏少，请补充2023年的数据。"
SUBMIT_NOTE = "请审签"
OPINION_BODY = "经研究，我局协办意见如下：科技项目另行支持。"
UNSENT_BODY = "这是一份已签发但尚未发送的答复。"
# A consultation is a contact with the deputy: the deputy reads it; the lead bureau does not.
ASSISTING_CONSULTATION = "市科技局与代表电话沟通：科技经费另行安排。"
INTERNAL = [
    RETURN_NOTE, SUBMIT_NOTE, OPINION_BODY, UNSENT_BODY,
    "待接收", "已送协办意见", "待签发", "退回修改", "送签发", "生成中", "SHA-256",
    "工委王", "督办李", "周协办", "孙局长",  # staff of the offices and of the assisting bureau
]


@pytest.fixture
def world(proposal, cora, alice, lily, bob, ben, bureau_a, bureau_b, dora, carl, media_root, letters_rendered_once):
    """110 (dora leads, carl co-signs): 市经信局 leads, 市科技局 assists. The lead's draft was
    returned once, then signed, sent and its PDF rendered; 市科技局's opinion was sent; each bureau
    logged a consultation. 111 (dora) has a reply signed but not sent."""
    lead, assisting = intake.proposal_assign(proposal=proposal, leads=[bureau_a], assistants=[bureau_b], by=cora)
    workflow.assignment_accept(assignment=assisting, by=bob)
    opinion = current_opinion(assisting)
    opinion_save_draft(opinion=opinion, by=bob, version=opinion.version, title=opinion.title,
                       body=OPINION_BODY, contact_name="周协办", contact_phone="0574-63100000")
    workflow.opinion_send(assignment=assisting, by=ben)
    workflow.assignment_accept(assignment=lead, by=alice)
    intake.consultation_record(assignment=lead, by=alice, held_on=proposal.received_on, form="phone",
                               participants="罗冲代表", summary="办前沟通：了解代表诉求。")
    intake.consultation_record(assignment=assisting, by=bob, held_on=proposal.received_on, form="phone",
                               participants="罗冲代表", summary=ASSISTING_CONSULTATION)
    write_reply(lead, alice)
    workflow.reply_submit(assignment=lead, by=alice, note=SUBMIT_NOTE)
    workflow.reply_return(assignment=lead, by=lily, note=RETURN_NOTE)
    workflow.reply_submit(assignment=lead, by=alice, note=SUBMIT_NOTE)
    reply = workflow.reply_sign(assignment=lead, by=lily)
    workflow.reply_send(assignment=lead, by=alice)
    pdf.pdf_render(reply.pdfs.get().pk)

    unsent = ProposalFactory(session=proposal.session, number=111, lead_deputy=dora)
    (other,) = intake.proposal_assign(proposal=unsent, leads=[bureau_a], by=cora)
    workflow.assignment_accept(assignment=other, by=alice)
    write_reply(other, alice, body=UNSENT_BODY)
    workflow.reply_submit(assignment=other, by=alice)
    unsent_reply = workflow.reply_sign(assignment=other, by=lily)
    pdf.pdf_render(unsent_reply.pdfs.get().pk)
    return {"reply": reply, "unsent": unsent_reply, "lead": lead, "assisting": assisting}


SKIP = ("/accounts/logout/", "/i18n/", "/admin/", "/static/")


def crawl(client, start="/"):
    """Every page reachable by following links from ``start`` (GET only), with its content."""
    seen, pages, queue = set(), {}, deque([start])
    while queue:
        url = queue.popleft()
        if url in seen or any(url.startswith(s) for s in SKIP):
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code in (200, 302, 404), (url, response.status_code)
        if response.status_code == 302:
            queue.append(response.url)
            continue
        if response.status_code != 200:
            continue
        if response["Content-Type"].startswith("text/html"):
            html = response.content.decode()
            pages[url] = html
            for href in re.findall(r'href="([^"#]+)', html):
                target = urljoin(url, href)
                if not urlparse(target).netloc:
                    queue.append(target)
        else:
            pages[url] = b"".join(response.streaming_content) if response.streaming else response.content
    return pages


@pytest.mark.parametrize("deputy", ["dora", "carl"])
def test_a_deputy_reaches_nothing_internal(client, world, everyone, deputy):
    client.force_login(everyone[deputy])
    pages = crawl(client)
    html = {url: text for url, text in pages.items() if isinstance(text, str)}
    assert any(url.startswith("/my/proposals/") for url in html)
    assert reverse("reply-pdf", args=[world["reply"].pk]) in pages  # the sent reply's PDF
    for url, text in html.items():
        for word in INTERNAL:
            assert word not in text, f"{deputy} reads {word!r} on {url}"
    # The signed but unsent reply is nowhere, not even by its address.
    assert client.get(reverse("reply-detail", args=[world["unsent"].pk])).status_code == 404
    assert client.get(reverse("reply-pdf", args=[world["unsent"].pk])).status_code == 404
    assert client.get(reverse("opinion-pdf", args=[current_opinion(world["assisting"]).pk])).status_code == 404
    # Nor the PDF job behind the sent reply, by the status address the staff page polls.
    assert client.get(reverse("reply-pdf-status", args=[world["reply"].pk])).status_code == 404


def test_the_deputys_timeline_names_organisations_not_people(client, world, dora, proposal):
    client.force_login(dora.user)
    page = client.get(reverse("my-proposal", args=[proposal.pk])).content.decode()
    timeline = page[page.index("办理记录"):]
    assert "市经信局" in timeline and "发送答复" in timeline and "交办" in timeline
    for name in ("陈承办", "龚激红", "工委王"):
        assert name not in timeline


def test_deputy_states_are_in_a_deputys_words(client, world, dora, proposal):
    client.force_login(dora.user)
    page = client.get(reverse("my-proposals")).content.decode()
    assert "待测评" in page  # 110: sent, not yet rated
    assert "办理中" in page  # 111: signed but not sent is still being handled
    assert "已签发" not in page


def test_the_assisting_bureau_reads_its_own_work_and_the_sent_reply_only(client, world, bob, proposal):
    client.force_login(bob)
    page = client.get(reverse("proposal-detail", args=[proposal.pk])).content.decode()
    assert RETURN_NOTE not in page and SUBMIT_NOTE not in page
    assert "办前沟通：了解代表诉求" not in page  # the lead's consultation summary
    assert ASSISTING_CONSULTATION in page and OPINION_BODY in page  # its own
    assert world["reply"].document_number in page  # the lead's sent reply


def test_the_lead_bureau_reads_its_own_return_note(client, world, alice, proposal):
    client.force_login(alice)
    page = client.get(reverse("proposal-detail", args=[proposal.pk])).content.decode()
    assert RETURN_NOTE in page and ASSISTING_CONSULTATION not in page


def test_the_lead_deputy_confirms_a_consultation_and_the_bureau_sees_it(client, world, dora, carl, alice, proposal):
    consultation = Consultation.objects.get(assignment=world["lead"])
    client.force_login(carl.user)  # a co-signer may read it but not answer for the lead deputy
    client.post(reverse("consultation-answer", args=[consultation.pk]), {"answer": "confirmed"})
    assert Consultation.objects.get(pk=consultation.pk).deputy_answer == ""
    client.force_login(dora.user)
    page = client.get(reverse("my-proposals")).content.decode()
    assert "请确认沟通情况" in page
    response = client.post(reverse("consultation-answer", args=[consultation.pk]), {"answer": "disputed"}, follow=True)
    assert "有异议时请写明意见" in response.content.decode()
    client.post(reverse("consultation-answer", args=[consultation.pk]), {"answer": "disputed", "comment": "未当面沟通。"})
    consultation.refresh_from_db()
    assert (consultation.deputy_answer, consultation.deputy_comment, consultation.answered_by) == ("disputed", "未当面沟通。", dora.user)
    client.force_login(alice)
    page = client.get(reverse("proposal-detail", args=[proposal.pk])).content.decode()
    assert "代表有异议：未当面沟通。" in page
