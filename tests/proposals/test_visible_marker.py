"""On a proposal's page the other models' access rules take the proposal as seen
(``proposals.models.on_visible_proposals``), but only a proposal read through the rule for
that same person: any other proposal object still gets the whole rule."""

import pytest
from django.utils import timezone

from proposals.models import Consultation, Event, Proposal, mark_visible
from proposals.selectors import proposal_get_visible
from replies.models import Evaluation, Reply, Satisfaction
from tests.workflow_helpers import to_drafting

pytestmark = pytest.mark.django_db


@pytest.fixture
def handled(proposal, cora, alice, bureau_a):
    """Proposal 110 assigned to 市经信局 (alice's bureau), accepted: a draft reply and a timeline."""
    to_drafting(proposal, cora, alice, bureau_a)
    return proposal


def _seen(user, proposal) -> dict[str, int]:
    return {
        "events": Event.objects.visible_to(user, proposal).filter(proposal=proposal).count(),
        "replies": Reply.objects.visible_to(user, proposal).filter(assignment__proposal=proposal).count(),
        "consultations": Consultation.objects.visible_to(user, proposal).count(),
        "evaluations": Evaluation.objects.visible_to(user, proposal).count(),
    }


def test_the_bureau_reads_its_proposal_the_same_with_and_without_the_mark(handled, alice):
    marked = proposal_get_visible(alice, handled.pk)
    assert _seen(alice, marked) == _seen(alice, Proposal.objects.get(pk=handled.pk))
    assert _seen(alice, marked)["events"] > 0 and _seen(alice, marked)["replies"] == 1


def test_a_proposal_read_for_someone_else_gets_the_whole_rule(handled, alice, bob):
    """bob's bureau does not handle 110: alice's marked copy does not open it to him."""
    marked_for_alice = proposal_get_visible(alice, handled.pk)
    assert _seen(bob, marked_for_alice) == {"events": 0, "replies": 0, "consultations": 0, "evaluations": 0}


def test_a_proposal_read_without_the_rule_gets_the_whole_rule(handled, bob):
    assert _seen(bob, Proposal.objects.get(pk=handled.pk))["events"] == 0
    assert _seen(bob, Proposal.objects.get(pk=handled.pk))["replies"] == 0


def test_nobody_signed_in_never_takes_a_proposal_as_seen(handled):
    """An anonymous user's pk is None, as is the mark of a proposal read without the rule."""
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()
    now = timezone.now()
    Reply.objects.filter(assignment__proposal=handled).update(signed_at=now, sent_at=now)  # sent: bureaus read it
    unmarked = Proposal.objects.get(pk=handled.pk)
    assert _seen(anonymous, unmarked) == {"events": 0, "replies": 0, "consultations": 0, "evaluations": 0}


def test_ratings_take_as_seen_only_replies_read_for_the_same_person(handled, alice, bob, dora):
    """The proposal page reads the ratings of the replies it read through their rule (marked):
    a reply marked for someone else, or not marked, gets the replies' rule again."""
    now = timezone.now()
    Reply.objects.filter(assignment__proposal=handled).update(signed_at=now, sent_at=now)
    reply = Reply.objects.get(assignment__proposal=handled)
    Evaluation.objects.create(
        reply=reply, deputy=dora, work=Satisfaction.SATISFIED, result=Satisfaction.SATISFIED, recorded_by=dora.user
    )

    def seen(user, replies):
        return Evaluation.objects.visible_to(user, None, replies).count()

    assert seen(alice, [mark_visible(Reply.objects.get(pk=reply.pk), alice)]) == 1
    assert seen(bob, [mark_visible(Reply.objects.get(pk=reply.pk), alice)]) == 0  # 110 is not his bureau's
    assert seen(bob, [Reply.objects.get(pk=reply.pk)]) == 0
