"""A deputy of ten years has forty proposals: their page shows them ten at a time, and the
cards asking something of them (a reply to rate, a consultation to confirm) come first, on the
first page, however old the proposal."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from proposals import workflow as intake
from proposals.models import Assignment
from proposals.states import AssignmentState
from replies.deputies import CARDS_PER_PAGE
from replies.models import Reply
from tests.factories import ProposalFactory, SessionFactory
from tests.workflow_helpers import assign

pytestmark = pytest.mark.django_db


def _cards(html: str) -> list[str]:
    """The proposal labels of the page's cards, in order."""
    return re.findall(r'<section class="card my-proposal[^"]*" id="proposal-(\d+)"', html)


def _sent_reply(proposal, cora, bureau, sent_at):
    (lead, *_rest) = assign(proposal, cora, bureau)
    Reply.objects.create(
        assignment=lead, bureau=bureau, signed_at=sent_at, sent_at=sent_at, body="正文",
        letter={"title": f"对第{proposal.number}号建议的答复", "salutation": "代表："},
    )
    Assignment.objects.filter(pk=lead.pk).update(state=AssignmentState.REPLIED)
    return lead


@pytest.fixture
def many(dora, cora, alice, bureau_a):
    """A page and two of this year's session, then two of an old session: one with a reply sent
    today (to rate), one with a consultation awaiting dora's answer."""
    new, old = SessionFactory(term=19, number=2), SessionFactory(term=18, number=1)
    recent = [ProposalFactory(session=new, number=n, lead_deputy=dora) for n in range(1, CARDS_PER_PAGE + 3)]
    to_rate = ProposalFactory(session=old, number=7, lead_deputy=dora)
    _sent_reply(to_rate, cora, bureau_a, timezone.now())
    to_answer = ProposalFactory(session=old, number=8, lead_deputy=dora)
    (lead,) = assign(to_answer, cora, bureau_a)
    intake.consultation_record(
        assignment=lead, by=alice, held_on=to_answer.received_on, form="phone", participants="代表",
        summary="办前沟通。",
    )
    return {"recent": recent, "to_rate": to_rate, "to_answer": to_answer}


def test_the_cards_asking_something_come_first_and_the_rest_a_page_at_a_time(client, dora, many):
    client.force_login(dora.user)
    first = client.get(reverse("my-proposals")).content.decode()
    cards = _cards(first)
    assert len(cards) == CARDS_PER_PAGE == 10
    assert set(cards[:2]) == {str(many["to_rate"].pk), str(many["to_answer"].pk)}
    assert first.count(">请测评<") == 1 and "请确认沟通情况" in first
    assert cards[2:] == [str(p.pk) for p in many["recent"][:8]]  # then the list's order
    assert "1 / 2" in first and "共 14 件" in first

    second = client.get(reverse("my-proposals"), {"page": 2}).content.decode()
    assert _cards(second) == [str(p.pk) for p in many["recent"][8:]]
    assert "请测评" not in second and "2 / 2" in second
    # A page past the end shows the last one; a word for a page number shows the first.
    assert _cards(client.get(reverse("my-proposals"), {"page": 9}).content.decode()) == _cards(second)
    assert _cards(client.get(reverse("my-proposals"), {"page": "x"}).content.decode()) == cards


def test_a_reply_whose_rating_window_closed_keeps_its_place(client, dora, cora, bureau_a, many):
    """Sent long ago and never rated: nothing to ask any more, so it is not pulled forward."""
    old = ProposalFactory(session=many["to_rate"].session, number=9, lead_deputy=dora)
    _sent_reply(old, cora, bureau_a, timezone.now() - timezone.timedelta(days=400))
    client.force_login(dora.user)
    first = _cards(client.get(reverse("my-proposals")).content.decode())
    assert str(old.pk) not in first[:3]
    last = _cards(client.get(reverse("my-proposals"), {"page": 2}).content.decode())
    assert last[-1] == str(old.pk)


def test_a_co_signer_sees_the_proposals_they_co_signed(client, carl, dora, many):
    many["recent"][0].co_signers.add(carl)
    client.force_login(carl.user)
    assert _cards(client.get(reverse("my-proposals")).content.decode()) == [str(many["recent"][0].pk)]


def test_only_the_lead_deputy_is_asked_to_confirm_a_consultation(client, carl, dora, many):
    """The card of a consultation awaiting an answer asks dora (the lead deputy), not carl who
    co-signed it; once she answered it asks nobody."""
    many["to_answer"].co_signers.add(carl)
    client.force_login(carl.user)
    assert "请确认沟通情况" not in client.get(reverse("my-proposals")).content.decode()

    consultation = many["to_answer"].assignments.get().consultations.get()
    intake.consultation_answer(consultation=consultation, by=dora.user, answer="confirmed")
    client.force_login(dora.user)
    page = client.get(reverse("my-proposals")).content.decode()
    assert "请确认沟通情况" not in page and _cards(page)[0] == str(many["to_rate"].pk)


@pytest.mark.parametrize("raters, first", [("lead", False), ("all", True)])
def test_a_co_signer_is_asked_first_only_where_co_signers_rate(client, carl, dora, cora, bureau_a, raters, first):
    """A sent reply carl co-signed: in a session where only the lead deputy rates it asks him
    nothing, so it keeps its place; where co-signers rate too it comes first."""
    new, old = SessionFactory(term=19, number=2), SessionFactory(term=18, number=1, raters=raters)
    recent = [ProposalFactory(session=new, number=n, lead_deputy=dora) for n in range(1, CARDS_PER_PAGE + 2)]
    replied = ProposalFactory(session=old, number=7, lead_deputy=dora)
    for proposal in [*recent, replied]:
        proposal.co_signers.add(carl)
    _sent_reply(replied, cora, bureau_a, timezone.now())
    client.force_login(carl.user)
    page_one = client.get(reverse("my-proposals")).content.decode()
    assert (_cards(page_one)[0] == str(replied.pk)) is first
    assert (">请测评<" in page_one) is first


def test_a_deputy_who_also_works_in_a_bureau_finds_only_their_own_proposals_here(client, dora, cora, bureau_a):
    """Their bureau's work is on the list and the home page, not among 「我的建议」."""
    from accounts.models import Membership

    Membership.objects.create(user=dora.user, organization=bureau_a, role=Membership.Role.BUREAU_STAFF)
    own = ProposalFactory(number=1, lead_deputy=dora)
    handled = ProposalFactory(number=2)
    assign(handled, cora, bureau_a)
    client.force_login(dora.user)
    assert _cards(client.get(reverse("my-proposals")).content.decode()) == [str(own.pk)]
    assert client.get(reverse("my-proposal", args=[handled.pk])).status_code == 404


def test_an_unrated_earlier_round_asks_nothing_once_the_current_one_is_rated(client, dora, cora, bureau_a, many):
    from replies.models import Evaluation

    old = ProposalFactory(session=many["to_rate"].session, number=9, lead_deputy=dora)
    lead = _sent_reply(old, cora, bureau_a, timezone.now())
    current = Reply.objects.create(
        assignment=lead, bureau=bureau_a, round=2, signed_at=timezone.now(), sent_at=timezone.now(), body="正文",
        letter={"title": "对第9号建议的再次答复", "salutation": "代表："},
    )
    Evaluation.objects.create(reply=current, deputy=dora, work="satisfied", result="satisfied", recorded_by=dora.user)
    client.force_login(dora.user)
    first = _cards(client.get(reverse("my-proposals")).content.decode())
    assert str(old.pk) not in first[:3]  # the two that ask stay first; this one keeps its place
