"""PDF downloads follow the reply page's access rule: role × own / other bureau's / stranger's reply."""

from urllib.parse import quote

import pdfplumber
import pytest
from django.urls import reverse

from replies import pdf, workflow
from tests.workflow_helpers import to_drafting, write_reply

from .pdf_helpers import another_proposal, sent_reply, signed_reply

PEOPLE = ["cora", "sam", "alice", "lily", "bob", "ben", "dora", "carl", "otto", "stranger", "admin"]
# reply of 市经信局 to dora's proposal (carl co-signed); reply of 市科技局 to otto's proposal
SEES_A = {"cora", "sam", "admin", "alice", "lily", "dora", "carl"}
SEES_B = {"cora", "sam", "admin", "bob", "ben", "otto"}


@pytest.fixture
def replies(letters_rendered_once, everyone, media_root, proposal, cora, alice, lily, bob, ben, otto, bureau_a, bureau_b):
    reply_a = sent_reply(proposal, cora, alice, lily, bureau_a)
    reply_b = sent_reply(another_proposal(proposal.session, otto, 366), cora, bob, ben, bureau_b)
    for reply in (reply_a, reply_b):
        pdf.pdf_render(reply.pdfs.get().pk)
    return reply_a, reply_b


@pytest.mark.parametrize("person", PEOPLE)
def test_download_permissions(client, everyone, replies, person):
    client.force_login(everyone[person])
    for reply, allowed in zip(replies, (SEES_A, SEES_B), strict=True):
        response = client.get(reverse("reply-pdf", args=[reply.pk]))
        assert response.status_code == (200 if person in allowed else 404), (person, reply.bureau)


def test_a_signed_reply_is_downloadable_by_deputies_only_once_sent(letters_rendered_once, client, everyone, media_root, proposal, cora, alice, lily, bureau_a):
    reply = signed_reply(proposal, cora, alice, lily, bureau_a)
    pdf.pdf_render(reply.pdfs.get().pk)
    url = reverse("reply-pdf", args=[reply.pk])
    for person, code in (("dora", 404), ("carl", 404), ("lily", 200), ("cora", 200)):
        client.force_login(everyone[person])
        assert client.get(url).status_code == code, person
    workflow.reply_send(assignment=reply.assignment, by=alice)
    client.force_login(everyone["dora"])
    assert client.get(url).status_code == 200


def test_anonymous_download_goes_to_login(client, replies):
    response = client.get(reverse("reply-pdf", args=[replies[0].pk]))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_file_name_is_the_document_number_and_title(client, everyone, replies):
    reply = replies[0]
    client.force_login(everyone["dora"])
    response = client.get(reverse("reply-pdf", args=[reply.pk]))
    expected = f"{reply.document_number} 对市十八届人大一次会议第110号建议的答复.pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=utf-8''{quote(expected)}" in disposition
    assert response["Content-Type"] == "application/pdf"
    body = b"".join(response.streaming_content)
    assert body == pdf.file_of(reply.pdfs.get()).read_bytes()


def test_reply_page_shows_hash_pages_and_size(client, everyone, replies):
    reply = replies[0]
    job = reply.pdfs.get()
    client.force_login(everyone["alice"])
    page = client.get(reverse("reply-detail", args=[reply.pk])).content.decode()
    assert job.sha256 in page and "已生成" in page and f"<dd>{job.page_count}</dd>" in page


def test_only_admins_rerender(client, everyone, replies):
    reply = replies[0]
    client.force_login(everyone["lily"])
    assert client.post(reverse("reply-pdf-rerender", args=[reply.pk])).status_code == 403
    client.force_login(everyone["admin"])
    assert client.post(reverse("reply-pdf-rerender", args=[reply.pk])).status_code == 302
    assert reply.pdfs.count() == 2


def test_draft_preview_is_marked_and_only_for_the_drafting_bureau(client, everyone, media_root, cora, alice, bureau_a, dora):
    from tests.factories import ProposalFactory

    proposal = ProposalFactory(lead_deputy=dora, number=7)
    assignment = to_drafting(proposal, cora, alice, bureau_a)
    write_reply(assignment, alice, body="一、总体情况\n预览正文。")
    url = reverse("reply-preview", args=[assignment.pk])
    client.force_login(everyone["alice"])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    import io

    with pdfplumber.open(io.BytesIO(b"".join(response.streaming_content))) as document:
        text = "".join(page.extract_text() or "" for page in document.pages)
        marks = {c["text"] for c in document.pages[0].chars if c["size"] > 40}  # the big diagonal mark
    assert {"草", "稿"} <= marks and "预览正文" in text
    assert not assignment.replies.get().pdfs.exists()  # never stored
    client.force_login(everyone["dora"])
    assert client.get(url).status_code == 403
    client.force_login(everyone["bob"])
    assert client.get(url).status_code == 404
