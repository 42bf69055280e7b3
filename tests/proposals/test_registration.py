"""Registering proposals: bad input is refused with a message and saves nothing."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from proposals import workflow as intake
from proposals.errors import WorkflowError
from proposals.models import Event, Proposal, Session
from replies.drafts import opinion_title
from tests.factories import SessionFactory
from tests.workflow_helpers import to_drafting


def register(by, session, deputy, number=120, title="关于加快数字经济建设的建议", **extra):
    return intake.proposal_register(
        by=by, session=session, number=number, title=title, reasons="事由全文", suggestions="建议全文",
        lead_deputy=deputy, **extra,
    )


def counts():
    return (Proposal.objects.count(), Event.objects.count(), Proposal.co_signers.through.objects.count())


def test_register_stores_what_was_entered(cora, otto, carl):
    session = SessionFactory()
    proposal = register(
        cora, session, otto, co_signers=[carl], timing=Proposal.Timing.RECESS,
        category=Proposal.Category.URBAN, key_supervised=True, received_on=datetime.date(2022, 6, 1),
    )
    proposal = Proposal.objects.get(pk=proposal.pk)
    assert (proposal.session, proposal.number, proposal.lead_deputy, proposal.timing) == (session, 120, otto, "recess")
    assert (proposal.category, proposal.key_supervised, proposal.received_on) == ("urban", True, datetime.date(2022, 6, 1))
    assert (proposal.reasons, proposal.suggestions) == ("事由全文", "建议全文")
    assert list(proposal.co_signers.all()) == [carl]
    assert proposal.full_label == "市十八届人大一次会议第120号建议"


def test_duplicate_number_in_a_session_is_refused(cora, proposal, otto):
    before = counts()
    with pytest.raises(WorkflowError) as refused:
        register(cora, proposal.session, otto, number=110, title="另一条建议")
    assert str(refused.value) == "市十八届人大一次会议已有第110号建议，编号不能重复。"
    assert counts() == before
    assert Proposal.objects.get(pk=proposal.pk).title == "关于推动中小民营制造业全员要素升级，实现高质量发展的建议"


def test_the_same_number_is_fine_in_another_session(cora, proposal, otto):
    other = SessionFactory(term=18, number=2, starts_on=datetime.date(2023, 2, 14), ends_on=datetime.date(2023, 2, 17))
    registered = register(cora, other, otto, number=110)
    assert registered.full_label == "市十八届人大二次会议第110号建议"
    assert Proposal.objects.filter(number=110).count() == 2


def test_over_long_title_is_refused(cora, otto):
    session = SessionFactory()
    before = counts()
    with pytest.raises(ValidationError) as refused:
        register(cora, session, otto, title="关" * 201)
    assert "title" in refused.value.message_dict
    assert counts() == before
    # 200 characters is the limit, and fits.
    assert len(register(cora, session, otto, title="关" * 200).title) == 200


def test_blank_title_is_refused(cora, otto):
    before = counts()
    with pytest.raises(ValidationError) as refused:
        register(cora, SessionFactory(), otto, title="   ")
    assert "title" in refused.value.message_dict
    assert counts() == before


@pytest.mark.parametrize("who", ["sam", "alice", "lily", "bob", "dora", "stranger"])
def test_only_the_congress_office_registers(everyone, otto, who):
    session = SessionFactory()
    before = counts()
    with pytest.raises(PermissionDenied):
        register(everyone[who], session, otto)
    assert counts() == before


def test_cppcc_sessions_speak_of_tiaan(cora, alice, bureau_a, bureau_b, otto):
    session = SessionFactory(body=Session.Body.CPPCC, term=13, number=2)
    assert session.name == "市十三届政协二次会议"
    assert str(session) == "市十三届政协二次会议"
    assert session.item_noun == "提案"
    assert SessionFactory().item_noun == "建议"

    proposal = register(cora, session, otto, number=5)
    assert proposal.full_label == "市十三届政协二次会议第5号提案"
    assignment = to_drafting(proposal, cora, alice, bureau_a)
    reply = assignment.replies.get()
    assert reply.title == "对市十三届政协二次会议第5号提案的答复"
    assert reply.salutation == "岑国建委员："  # a CPPCC member, not a deputy
    assert opinion_title(assignment) == "关于市十三届政协二次会议第5号提案的协办意见"

    with pytest.raises(WorkflowError) as refused:
        register(cora, session, otto, number=5)
    assert "市十三届政协二次会议已有第5号提案" in str(refused.value)


def test_session_names_use_chinese_numerals():
    assert Session(term=18, number=1).name == "市十八届人大一次会议"
    assert Session(term=17, number=3).name == "市十七届人大三次会议"
    assert Session(term=20, number=10).name == "市二十届人大十次会议"
    assert Session(term=21, number=12, body=Session.Body.CPPCC).name == "市二十一届政协十二次会议"
