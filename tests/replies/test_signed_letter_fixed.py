"""A signed document never depends on who looked at it: what a letter prints is Chinese whatever
the interface language, and fixed at signing, so later edits of names or numbers never change it."""

import io
from urllib.parse import quote

import pdfplumber
import pytest
from django.urls import reverse

from replies import pdf, workflow
from replies.models import Reply
from tests.workflow_helpers import to_in_review

TITLE = "对市十八届人大一次会议第110号建议的答复"


def pdf_text(content: bytes) -> str:
    with pdfplumber.open(io.BytesIO(content)) as document:
        return "".join(page.extract_text() or "" for page in document.pages)


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


def test_a_leader_signing_in_english_gets_a_chinese_letter(english, media_root, proposal, cora, alice, lily, bureau_a):
    assignment = to_in_review(proposal, cora, alice, bureau_a)
    english.force_login(lily)
    page = english.get(reverse("proposal-detail", args=[proposal.pk])).content.decode()
    assert "Sign" in page  # the interface is English
    english.post(reverse("assignment-transition", args=[assignment.pk, "sign"]))
    reply = Reply.objects.get(assignment=assignment)
    assert reply.is_signed and reply.title == TITLE
    job = pdf.pdf_render(reply.pdfs.get().pk)
    text = pdf_text(pdf.file_of(job).read_bytes())
    assert "对市十八届人大一次会议第110号建议" in text.replace("\n", "")
    assert "People" not in text and "Congress" not in text
    assert pdf.letter_filename(reply) == f"{reply.document_number} {TITLE}.pdf"
    english.force_login(alice)
    workflow.reply_send(assignment=assignment, by=alice)
    english.force_login(proposal.lead_deputy.user)
    download = english.get(reverse("reply-pdf", args=[reply.pk]))
    assert quote(f"{reply.document_number} {TITLE}.pdf") in download["Content-Disposition"]
    assert b"".join(download.streaming_content) == pdf.file_of(job).read_bytes()


def test_later_edits_never_change_a_signed_letter(media_root, proposal, cora, alice, lily, bureau_a, dora, otto):
    assignment = to_in_review(proposal, cora, alice, bureau_a)
    reply = workflow.reply_sign(assignment=assignment, by=lily)
    first = pdf.pdf_render(reply.pdfs.get().pk)
    letter = pdf.reply_letter(Reply.objects.get(pk=reply.pk))

    # Everything the letter printed is edited afterwards.
    proposal.number = 999
    proposal.lead_deputy = otto
    proposal.save()
    bureau_a.name = "慈溪市经济和信息化局（新名称）"
    bureau_a.save()
    lily.full_name = "改名"
    lily.save()
    dora.name = "改名代表"
    dora.save()

    reply = Reply.objects.get(pk=reply.pk)
    assert pdf.reply_letter(reply) == letter
    assert (reply.title, reply.salutation) == (TITLE, "罗冲代表：")
    again = pdf.pdf_render(workflow.reply_pdf_rerender(reply=reply, by=_admin()).pk)
    assert again.sha256 == first.sha256  # a re-render reproduces the same bytes
    assert pdf.letter_filename(reply).endswith(f"{TITLE}.pdf")


def _admin():
    from tests.factories import UserFactory

    return UserFactory(is_staff=True, is_superuser=True)


def test_the_admin_cannot_change_what_a_signed_reply_printed(client, admin_user, proposal, cora, alice, lily, bureau_a, otto):
    assignment = to_in_review(proposal, cora, alice, bureau_a)
    workflow.reply_sign(assignment=assignment, by=lily)
    client.force_login(admin_user)
    url = reverse("admin:proposals_proposal_change", args=[proposal.pk])
    page = client.get(url).content.decode()
    for field in ("number", "lead_deputy", "session"):
        assert f'name="{field}"' not in page, f"{field} is still editable"
    client.post(url, {
        "number": 999, "title": proposal.title, "lead_deputy": otto.pk, "session": proposal.session.pk,
        "category": proposal.category, "timing": proposal.timing, "received_on": proposal.received_on,
        "assignments-TOTAL_FORMS": 0, "assignments-INITIAL_FORMS": 0,
    })
    proposal.refresh_from_db()
    assert (proposal.number, proposal.lead_deputy.name) == (110, "罗冲")


def test_an_unsigned_proposal_stays_editable_in_the_admin(client, admin_user, proposal):
    client.force_login(admin_user)
    page = client.get(reverse("admin:proposals_proposal_change", args=[proposal.pk])).content.decode()
    assert 'name="number"' in page and 'name="lead_deputy"' in page
