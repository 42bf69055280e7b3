"""`generate_bulk` writes a large history that keeps the app's invariants, with the demo users'
shares, and refuses a database that holds more than the demo data."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Q

from proposals.models import Assignment, Event, Proposal
from proposals.states import ProposalState
from replies import bulk
from replies.models import Reply, ReplyCc

from ..factories import ProposalFactory

PROPOSALS = 300
TODAY = datetime.date(2026, 12, 1)


@pytest.fixture
def generated(db):
    call_command("load_demo", stdout=StringIO())
    demo_proposals = set(Proposal.objects.values_list("pk", flat=True))
    out = StringIO()
    call_command("generate_bulk", proposals=PROPOSALS, seed=7, today=TODAY, stdout=out)
    return Proposal.objects.exclude(pk__in=demo_proposals), out.getvalue()


def test_it_writes_a_history_that_keeps_the_invariants(generated):
    proposals, out = generated
    assert proposals.count() == PROPOSALS
    assert "generate_bulk: proposals=300" in out

    # Every assigned proposal has exactly one active lead; assisting bureaus 0–4.
    assigned = proposals.exclude(state=ProposalState.RECEIVED)
    leads = assigned.annotate(
        n=Count("assignments", filter=Q(assignments__role="lead") & ~Q(assignments__state="withdrawn"))
    )
    assert set(leads.values_list("n", flat=True)) == {1}
    assisting = assigned.annotate(n=Count("assignments", filter=Q(assignments__role="assisting")))
    assert max(assisting.values_list("n", flat=True)) <= 4

    # Closed proposals have a sent reply from their lead; most are closed, some open.
    closed = proposals.filter(state=ProposalState.CLOSED)
    assert closed.count() > PROPOSALS * 0.8
    assert proposals.exclude(state=ProposalState.CLOSED).exists()
    unsent = closed.exclude(assignments__replies__sent_at__isnull=False, assignments__role="lead")
    assert not unsent.exists()

    # Document numbers: unique per bureau and year, printed as the numbering module prints them.
    signed = Reply.objects.filter(assignment__proposal__in=proposals, signed_at__isnull=False)
    keys = list(signed.values_list("bureau_id", "document_year", "document_seq"))
    assert len(keys) == len(set(keys))
    reply = signed.select_related("bureau").first()
    assert reply.document_number == f"{reply.bureau.document_prefix}〔{reply.document_year}〕{reply.document_seq}号"
    assert reply.letter["document_number"] == reply.document_number

    # Cc lists of 3–8, events on every proposal (about a dozen each), a register event first.
    cc = ReplyCc.objects.filter(reply__in=signed).values("reply").annotate(n=Count("id"))
    assert {row["n"] for row in cc} <= set(range(3, 9))
    events = Event.objects.filter(proposal__in=proposals)
    assert events.values("proposal").distinct().count() == PROPOSALS
    assert 8 <= events.count() / PROPOSALS <= 16
    first = events.filter(proposal=closed.first()).order_by("created_at", "id").first()
    assert first.action == Event.Action.REGISTER
    assert events.filter(proposal=closed.first(), action=Event.Action.CLOSE).exists()


def test_the_demo_users_get_their_shares(generated):
    proposals, _ = generated
    demo_bureau = Assignment.objects.filter(proposal__in=proposals, bureau__short_name=bulk.DEMO_BUREAU)
    assert demo_bureau.count() == round(PROPOSALS * bulk.BUREAU_SHARE)
    luochong = proposals.filter(lead_deputy__user__username="luochong")
    assert luochong.count() == max(1, round(PROPOSALS * bulk.DEMO_DEPUTY_SHARE))


def test_it_refuses_a_database_with_other_data_unless_forced(db):
    ProposalFactory()
    with pytest.raises(CommandError, match="more than the demo data"):
        call_command("generate_bulk", proposals=20, stdout=StringIO())
    assert Proposal.objects.count() == 1
    call_command("generate_bulk", proposals=20, force=True, today=TODAY, stdout=StringIO())
    assert Proposal.objects.count() == 21
