"""Salutations beyond 「X代表：」: every author of a joint proposal (up to 15) or 「X、Y等」, 代表 or
委员 as the session's body says; chosen by the drafting clerk and fixed in the signed letter."""

import io

import pdfplumber
import pytest
from django.urls import reverse

from proposals.errors import WorkflowError
from proposals.models import Session
from replies import workflow
from replies.drafts import reply_save_draft
from replies.letter import render_letter_pdf
from replies.models import Reply
from replies.models.documents import salutation_options
from replies.pdf import reply_letter
from replies.selectors import current_reply
from tests.factories import DeputyFactory, ProposalFactory, SessionFactory
from tests.workflow_helpers import to_drafting, write_reply

LEAD, ALL, GROUP = Reply.AddressedTo.LEAD, Reply.AddressedTo.ALL, Reply.AddressedTo.GROUP


def joint_proposal(names, *, body=Session.Body.PEOPLES_CONGRESS):
    session = SessionFactory(body=body, term=13 if body == Session.Body.CPPCC else 18, number=2)
    lead, *co_signers = [DeputyFactory(name=name) for name in names]
    proposal = ProposalFactory(session=session, lead_deputy=lead)
    for deputy in co_signers:  # one at a time: the order they were registered in
        proposal.co_signers.add(deputy)
    return proposal


def save_addressed(reply, by, addressed_to):
    reply.refresh_from_db()
    return reply_save_draft(
        reply=reply,
        by=by,
        version=reply.version,
        body=reply.body or "正文。",
        category_mark="A",
        disclosure="public",
        contact_name="陈承办",
        contact_phone="0574-63000000",
        cc=[],
        addressed_to=addressed_to,
    )


@pytest.mark.django_db
def test_the_options_follow_the_number_of_authors_and_the_body():
    alone = joint_proposal(["马青"], body=Session.Body.CPPCC)
    assert salutation_options(alone) == {LEAD: "马青委员："}

    two = joint_proposal(["马青", "周丽"], body=Session.Body.CPPCC)
    assert salutation_options(two) == {LEAD: "马青委员：", ALL: "马青、周丽委员："}

    three = joint_proposal(["马青", "周丽", "王芳"], body=Session.Body.CPPCC)
    assert salutation_options(three) == {
        LEAD: "马青委员：",
        ALL: "马青、周丽、王芳委员：",
        GROUP: "马青、周丽等委员：",
    }

    deputies = joint_proposal(["罗冲", "胡国锋", "傅磊"])
    assert salutation_options(deputies)[GROUP] == "罗冲、胡国锋等代表："


@pytest.mark.django_db
def test_at_most_fifteen_names_and_in_the_order_registered():
    names = [f"代表{chr(0x4E00 + i)}" for i in range(15)]
    fifteen = joint_proposal(list(reversed(names)))
    assert salutation_options(fifteen)[ALL] == "、".join(reversed(names)) + "代表："
    sixteen = joint_proposal([*names, "傅磊"])
    assert ALL not in salutation_options(sixteen)
    assert salutation_options(sixteen)[GROUP] == f"{names[0]}、{names[1]}等代表："


def test_the_lead_alone_by_default(proposal, cora, alice, bureau_a):
    assignment = to_drafting(proposal, cora, alice, bureau_a)
    reply = current_reply(assignment)
    assert reply.addressed_to == LEAD
    assert reply.salutation == "罗冲代表："


def test_the_clerk_chooses_and_a_wrong_choice_saves_nothing(proposal, cora, alice, bureau_a, otto):
    assignment = to_drafting(proposal, cora, alice, bureau_a)
    reply = current_reply(assignment)
    save_addressed(reply, alice, ALL)
    assert Reply.objects.get(pk=reply.pk).salutation == "罗冲、潘省办代表："

    before = Reply.objects.filter(pk=reply.pk).values().get()
    with pytest.raises(WorkflowError, match="只有 2 位代表署名"):  # 「等」 needs three or more
        save_addressed(reply, alice, GROUP)
    with pytest.raises(WorkflowError, match="称呼方式无效"):
        save_addressed(reply, alice, "everyone")
    assert Reply.objects.filter(pk=reply.pk).values().get() == before

    proposal.co_signers.add(otto)
    save_addressed(reply, alice, GROUP)
    assert Reply.objects.get(pk=reply.pk).salutation == "罗冲、潘省办等代表："


@pytest.mark.django_db
def test_more_than_fifteen_cannot_all_be_named(cora, alice, bureau_a):
    proposal = joint_proposal([f"代表{chr(0x4E00 + i)}" for i in range(16)])
    assignment = to_drafting(proposal, cora, alice, bureau_a)
    with pytest.raises(WorkflowError, match="共 16 人，称呼最多列 15 人"):
        save_addressed(current_reply(assignment), alice, ALL)
    assert current_reply(assignment).addressed_to == LEAD


def test_a_save_without_a_choice_keeps_the_stored_one(proposal, cora, alice, bureau_a):
    assignment = to_drafting(proposal, cora, alice, bureau_a)
    save_addressed(current_reply(assignment), alice, ALL)
    write_reply(assignment, alice)  # callers that know nothing of salutations
    assert current_reply(assignment).addressed_to == ALL


def test_the_signed_letter_keeps_its_salutation(proposal, cora, alice, lily, bureau_a, otto):
    assignment = to_drafting(proposal, cora, alice, bureau_a)
    write_reply(assignment, alice)
    save_addressed(current_reply(assignment), alice, ALL)
    workflow.reply_submit(assignment=assignment, by=alice)
    workflow.reply_sign(assignment=assignment, by=lily)

    reply = Reply.objects.get(assignment=assignment)
    assert reply.letter["salutation"] == "罗冲、潘省办代表："
    # Later changes of the proposal's authors never change what was signed.
    proposal.co_signers.add(otto)
    proposal.lead_deputy.name = "罗冲冲"
    proposal.lead_deputy.save()
    reply = Reply.objects.get(pk=reply.pk)
    assert reply.salutation == reply_letter(reply).salutation == "罗冲、潘省办代表："
    text = (
        pdfplumber.open(io.BytesIO(render_letter_pdf(reply_letter(reply)).content))
        .pages[0]
        .extract_text()
    )
    assert "罗冲、潘省办代表：" in text.replace(" ", "")


def test_the_draft_page_offers_the_salutations_and_saves_the_choice(
    client, proposal, cora, alice, bureau_a
):
    assignment = to_drafting(proposal, cora, alice, bureau_a)
    reply = current_reply(assignment)
    client.force_login(alice)
    url = reverse("reply-edit", args=[assignment.pk])
    page = client.get(url).content.decode()
    assert 'name="addressed_to"' in page
    assert "「罗冲代表：」" in page and "「罗冲、潘省办代表：」" in page
    assert 'value="group"' not in page  # two authors: no 「等」

    response = client.post(
        url,
        {
            "version": reply.version,
            "addressed_to": "all",
            "body": "您的建议已收悉。",
            "category_mark": "A",
            "disclosure": "public",
            "contact_name": "陈承办",
            "contact_phone": "0574-63000000",
            "cc_text": "",
        },
    )
    assert response.status_code == 302
    assert Reply.objects.get(pk=reply.pk).salutation == "罗冲、潘省办代表："

    refused = client.post(
        url,
        {
            "version": reply.version + 1,
            "addressed_to": "group",
            "body": "改过的正文。",
            "category_mark": "A",
            "disclosure": "public",
            "contact_name": "陈承办",
            "contact_phone": "0574-63000000",
            "cc_text": "",
        },
    )
    assert refused.status_code == 200  # not a choice of this reply: the form says so
    assert Reply.objects.get(pk=reply.pk).body == "您的建议已收悉。"
