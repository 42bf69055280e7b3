"""Drafting replies and opinions: optimistic locking, signed replies frozen, rounds, cc lists,
category marks."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from proposals.errors import ConflictError, WorkflowError
from replies import workflow
from replies.drafts import default_cc, opinion_save_draft, reply_save_draft
from replies.letter.data import CcRecipient
from replies.models import CoHandlingOpinion, Reply
from replies.selectors import current_reply
from tests.factories import OrganizationFactory
from tests.workflow_helpers import assign, to_drafting, to_signed, write_reply


def save(reply, by, version, body="正文", mark="A", cc=None, **extra):
    reply.refresh_from_db()
    return reply_save_draft(
        reply=reply, by=by, version=version, body=body, category_mark=mark,
        disclosure=extra.get("disclosure", "public"), contact_name=extra.get("contact_name", "陈承办"),
        contact_phone=extra.get("contact_phone", "0574-63000000"),
        cc=cc if cc is not None else [CcRecipient(c.name, c.is_person) for c in reply.cc.all()],
        addressed_to=extra.get("addressed_to"),
    )


def stored(reply):
    """What is in the database: the fields and the cc list as printed."""
    row = Reply.objects.filter(pk=reply.pk).values(
        "body", "category_mark", "version", "updated_by", "signed_at", "signer", "document_number",
        "contact_name", "contact_phone", "disclosure", "addressed_to",
    ).get()
    row["cc"] = list(reply.cc.order_by("position").values_list("position", "name", "is_person"))
    return row


def cc_of(reply):
    return [(c.name, c.is_person) for c in Reply.objects.get(pk=reply.pk).cc.order_by("position")]


@pytest.fixture
def drafting(proposal, cora, alice, lily, bureau_a):
    return to_drafting(proposal, cora, alice, bureau_a)


# --- optimistic locking -----------------------------------------------------------------------------


def test_first_save_wins_and_the_second_is_told_who_saved(drafting, alice, lily):
    loaded_by_alice = current_reply(drafting)
    loaded_by_lily = Reply.objects.get(pk=loaded_by_alice.pk)
    version = loaded_by_alice.version
    assert loaded_by_lily.version == version

    reply_save_draft(
        reply=loaded_by_lily, by=lily, version=version, body="龚局长改过的正文", category_mark="B",
        disclosure="public", contact_name="陈承办", contact_phone="0574-63000000", cc=[CcRecipient("市人大代表工委")],
    )
    before = stored(loaded_by_alice)
    with pytest.raises(ConflictError) as conflict:
        reply_save_draft(
            reply=loaded_by_alice, by=alice, version=version, body="陈承办写的正文", category_mark="A",
            disclosure="not_public", contact_name="陈承办", contact_phone="0574-63000000",
            cc=[CcRecipient("市政府办公室")],
        )
    assert "龚激红" in str(conflict.value)  # lily's full name: who to talk to
    assert conflict.value.current.body == "龚局长改过的正文"  # what to merge with
    after = stored(loaded_by_alice)
    assert after == before
    assert (after["body"], after["category_mark"], after["version"], after["updated_by"]) == (
        "龚局长改过的正文", "B", version + 1, lily.pk,
    )
    assert after["cc"] == [(1, "市人大代表工委", False)]

    # Reloading gives the new version, and then the save goes through.
    save(loaded_by_alice, alice, version + 1, body="合并后的正文")
    assert stored(loaded_by_alice)["body"] == "合并后的正文"
    assert stored(loaded_by_alice)["version"] == version + 2


def test_the_salutation_choice_is_locked_with_the_rest(drafting, alice, lily):
    reply = current_reply(drafting)
    version = reply.version
    save(reply, lily, version, addressed_to=Reply.AddressedTo.ALL)
    with pytest.raises(ConflictError):
        save(reply, alice, version, addressed_to=Reply.AddressedTo.LEAD)
    assert stored(reply)["addressed_to"] == Reply.AddressedTo.ALL
    save(reply, alice, version + 1)  # no choice given: the stored one stays
    assert stored(reply)["addressed_to"] == Reply.AddressedTo.ALL


def test_opinion_drafts_lock_the_same_way(proposal, cora, bob, ben, bureau_a, bureau_b):
    _lead, assisting = assign(proposal, cora, bureau_a, [bureau_b])
    workflow.assignment_accept(assignment=assisting, by=bob)
    opinion = CoHandlingOpinion.objects.get(assignment=assisting)
    version = opinion.version
    opinion_save_draft(
        opinion=CoHandlingOpinion.objects.get(pk=opinion.pk), by=ben, version=version,
        title=opinion.title, body="孙局长的意见", contact_name="周协办", contact_phone="1",
    )
    with pytest.raises(ConflictError, match="孙局长"):
        opinion_save_draft(
            opinion=opinion, by=bob, version=version, title=opinion.title, body="周协办的意见",
            contact_name="周协办", contact_phone="1",
        )
    assert CoHandlingOpinion.objects.get(pk=opinion.pk).body == "孙局长的意见"


def test_only_the_bureau_may_edit_its_draft(drafting, bob, ben, cora, sam, dora):
    reply = current_reply(drafting)
    before = stored(reply)
    for user in (bob, ben, cora, sam, dora.user):
        with pytest.raises(PermissionDenied):
            save(reply, user, reply.version, body=f"{user} 改的")
    assert stored(reply) == before


# --- signed replies never change ---------------------------------------------------------------------


@pytest.fixture
def signed(proposal, cora, alice, lily, bureau_a):
    assignment = to_signed(proposal, cora, alice, lily, bureau_a)
    return current_reply(assignment)


def test_a_signed_reply_refuses_to_save(signed):
    before = stored(signed)
    signed.body = "签发后偷偷改"
    with pytest.raises(ValidationError, match="已签发的答复不能修改"):
        signed.save()
    assert stored(signed) == before


def test_the_draft_service_refuses_a_signed_reply(signed, alice):
    before = stored(signed)
    with pytest.raises(WorkflowError):
        save(signed, alice, signed.version, body="签发后改正文", cc=[CcRecipient("别的单位")])
    assert stored(signed) == before


def test_a_new_round_keeps_the_signed_round(signed, lily, alice):
    round1_before = stored(signed)
    assignment = signed.assignment

    round2 = workflow.reply_new_round(assignment=assignment, by=lily, reason="代表不满意，重新办理。")

    assert stored(signed) == round1_before
    assert round1_before["signed_at"] is not None and round1_before["document_number"]
    assert (round2.round, round2.round_reason, round2.is_signed, round2.document_number) == (
        2, "代表不满意，重新办理。", False, "",
    )
    assert round2.body == round1_before["body"]
    assert round2.category_mark == round1_before["category_mark"]
    assert cc_of(round2) == [(n, p) for _pos, n, p in round1_before["cc"]]
    assert current_reply(assignment) == round2

    # The old round stays frozen even now that the assignment is drafting again ...
    with pytest.raises(WorkflowError):
        save(signed, alice, signed.version, body="改第一轮")
    assert stored(signed) == round1_before
    # ... while the new round is an ordinary draft, signed with the next number.
    save(round2, alice, round2.version, body="第二轮正文")
    workflow.reply_submit(assignment=assignment, by=alice)
    signed2 = workflow.reply_sign(assignment=assignment, by=lily)
    assert signed2.pk == round2.pk and signed2.body == "第二轮正文"
    assert signed2.document_seq == Reply.objects.get(pk=signed.pk).document_seq + 1
    assert stored(signed) == round1_before


def test_a_sent_opinion_refuses_to_change(proposal, cora, bob, ben, bureau_a, bureau_b):
    _lead, assisting = assign(proposal, cora, bureau_a, [bureau_b])
    workflow.assignment_accept(assignment=assisting, by=bob)
    opinion = CoHandlingOpinion.objects.get(assignment=assisting)
    opinion_save_draft(opinion=opinion, by=bob, version=opinion.version, title=opinion.title,
                       body="意见正文", contact_name="周协办", contact_phone="1")
    opinion = workflow.opinion_send(assignment=assisting, by=ben)
    opinion.body = "送出后改"
    with pytest.raises(ValidationError):
        opinion.save()
    with pytest.raises(WorkflowError):
        opinion_save_draft(opinion=opinion, by=bob, version=opinion.version, title=opinion.title,
                           body="送出后改", contact_name="周协办", contact_phone="1")
    assert CoHandlingOpinion.objects.get(pk=opinion.pk).body == "意见正文"


# --- cc ------------------------------------------------------------------------------------------------


def test_default_cc_order(proposal, cora, alice, bureau_a, bureau_b, dora):
    bureau_c = OrganizationFactory(name="慈溪市教育局", short_name="市教育局", document_prefix="慈教建")
    assign(proposal, cora, bureau_a, [bureau_b, bureau_c])
    assignment = proposal.assignments.get(bureau=bureau_a)
    workflow.assignment_accept(assignment=assignment, by=alice)

    expected = [
        ("市人大代表工委", False),
        ("市政府办公室", False),
        ("市科技局", False),
        ("市教育局", False),
        (dora.delegation.cc_name, False),
        ("潘省办", True),
    ]
    assert dora.delegation.cc_name.endswith("人大工作委员会")
    assert cc_of(current_reply(assignment)) == expected
    assert [(e.name, e.is_person) for e in default_cc(assignment)] == expected
    positions = list(current_reply(assignment).cc.values_list("position", flat=True))
    assert positions == [1, 2, 3, 4, 5, 6]


def test_default_cc_prefers_the_cc_name_and_lists_every_co_signer(proposal, cora, alice, bureau_a, otto, dora):
    bureau_a.cc_name = "市经济和信息化局"
    bureau_a.save()
    proposal.co_signers.add(otto)
    to = to_drafting(proposal, cora, alice, bureau_a)
    entries = cc_of(current_reply(to))
    assert entries[:3] == [("市人大代表工委", False), ("市政府办公室", False), (dora.delegation.cc_name, False)]
    assert sorted(entries[3:]) == [("岑国建", True), ("潘省办", True)]
    assert ("市经济和信息化局", False) not in entries  # the lead does not cc itself


def test_cc_can_be_edited_before_signing_and_is_frozen_after(drafting, alice, lily):
    reply = current_reply(drafting)
    edited = [CcRecipient("市人大代表工委"), CcRecipient("市政府办公室"), CcRecipient("市财政局"), CcRecipient("潘省办", True)]
    save(reply, alice, reply.version, cc=edited)
    assert cc_of(reply) == [("市人大代表工委", False), ("市政府办公室", False), ("市财政局", False), ("潘省办", True)]

    workflow.reply_submit(assignment=drafting, by=alice)
    # In review: nobody edits, not even the leader.
    with pytest.raises(WorkflowError):
        save(reply, lily, reply.version, cc=[CcRecipient("市人大代表工委")])
    workflow.reply_sign(assignment=drafting, by=lily)
    with pytest.raises(WorkflowError):
        save(reply, alice, reply.version, cc=[CcRecipient("市人大代表工委")])
    assert cc_of(reply) == [("市人大代表工委", False), ("市政府办公室", False), ("市财政局", False), ("潘省办", True)]
    workflow.reply_send(assignment=drafting, by=alice)
    event = drafting.events.latest("pk")
    assert event.note == "抄送：市人大代表工委，市政府办公室，市财政局，潘省办"


# --- category marks ---------------------------------------------------------------------------------


@pytest.mark.parametrize("marks,mark,ok", [
    ("ABCD", "D", True),
    ("ABC", "C", True),
    ("ABC", "D", False),
    ("ABCD", "E", False),
    ("ABCD", "a", False),
    ("ABCD", "AB", False),
])
def test_category_mark_must_be_one_of_the_sessions_marks(drafting, alice, marks, mark, ok):
    session = drafting.proposal.session
    session.category_marks = marks
    session.full_clean()
    session.save()
    reply = current_reply(drafting)
    before = stored(reply)
    if ok:
        save(reply, alice, reply.version, mark=mark)
        assert stored(reply)["category_mark"] == mark
        return
    with pytest.raises(WorkflowError, match="类别标记只能是"):
        save(reply, alice, reply.version, body="新正文", mark=mark)
    assert stored(reply) == before


def test_a_draft_without_a_mark_cannot_be_submitted(drafting, alice):
    reply = current_reply(drafting)
    write_reply(drafting, alice, mark="")
    with pytest.raises(WorkflowError, match="未选择类别标记"):
        workflow.reply_submit(assignment=drafting, by=alice)
    assert Reply.objects.get(pk=reply.pk).category_mark == ""
    assert drafting.__class__.objects.get(pk=drafting.pk).state == "drafting"
