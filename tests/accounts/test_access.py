"""The one access rule per object, at queryset level, for every named person."""

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.models import Membership
from proposals import workflow as intake
from proposals.models import Assignment, Proposal
from replies import workflow
from replies.drafts import opinion_save_draft
from replies.models import CoHandlingOpinion, Reply
from replies.selectors import current_reply
from tests.factories import DeputyFactory, OrganizationFactory, ProposalFactory, UserFactory, member
from tests.workflow_helpers import write_reply

EVERYONE = ["cora", "sam", "admin", "alice", "lily", "bob", "ben", "dora", "carl", "otto", "stranger", "anonymous"]


@pytest.fixture
def people(everyone):
    return {**everyone, "anonymous": AnonymousUser()}


@pytest.fixture
def world(people, proposal, bureau_a, bureau_b, dora, carl, otto):
    """
    joint  (No.110): lead deputy dora, co-signer carl; lead 市经信局 (A), assisting 市科技局 (B)
    b_only (No.111): lead deputy otto; lead B
    fresh  (No.112): lead deputy otto, co-signer dora; not yet assigned
    moved  (No.113): someone else's; assigned to A, then reassigned to 市教育局 (C)
    """
    cora = people["cora"]
    bureau_c = OrganizationFactory(name="慈溪市教育局", short_name="市教育局", document_prefix="慈教建")
    joint = proposal
    lead, assisting = intake.proposal_assign(proposal=joint, leads=[bureau_a], assistants=[bureau_b], by=cora)
    b_only = ProposalFactory(session=joint.session, number=111, lead_deputy=otto)
    intake.proposal_assign(proposal=b_only, leads=[bureau_b], by=cora)
    fresh = ProposalFactory(session=joint.session, number=112, lead_deputy=otto)
    fresh.co_signers.add(dora)
    moved = ProposalFactory(session=joint.session, number=113, lead_deputy=DeputyFactory())
    (moved_lead,) = intake.proposal_assign(proposal=moved, leads=[bureau_a], by=cora)
    intake.assignment_request_reassignment(assignment=moved_lead, by=people["alice"], reason="不属于我局职责。")
    intake.assignment_approve_reassignment(assignment=moved_lead, by=cora, new_bureau=bureau_c)
    return {"joint": joint, "b_only": b_only, "fresh": fresh, "moved": moved, "lead": lead, "assisting": assisting}


def visible(queryset_visible_to, user, names):
    return {name for name, obj in names.items() if obj in queryset_visible_to(user)}


PROPOSALS_SEEN = {
    "cora": {"joint", "b_only", "fresh", "moved"},
    "sam": {"joint", "b_only", "fresh", "moved"},
    "admin": {"joint", "b_only", "fresh", "moved"},
    "alice": {"joint"},  # not "moved": reassigned away from bureau A
    "lily": {"joint"},
    "bob": {"joint", "b_only"},
    "ben": {"joint", "b_only"},
    "dora": {"joint", "fresh"},  # leads one, co-signed the other
    "carl": {"joint"},
    "otto": {"b_only", "fresh"},
    "stranger": set(),
    "anonymous": set(),
}


@pytest.mark.parametrize("who", EVERYONE)
def test_proposals_visible_to(world, people, who):
    proposals = {k: world[k] for k in ("joint", "b_only", "fresh", "moved")}
    assert visible(Proposal.objects.visible_to, people[who], proposals) == PROPOSALS_SEEN[who]
    # The rule is the same on a queryset that is already filtered, and never duplicates rows.
    seen = Proposal.objects.filter(session=world["joint"].session).visible_to(people[who])
    assert seen.count() == len(PROPOSALS_SEEN[who])


def test_an_inactive_officer_sees_nothing(world, people):
    cora = people["cora"]
    cora.is_active = False
    cora.save()
    cora.refresh_from_db()
    assert not Proposal.objects.visible_to(cora).exists()


def test_assignments_follow_the_proposal_rule(world, people):
    # A bureau sees the assistants on its proposal (the lead must know them), not other proposals'.
    assert set(Assignment.objects.visible_to(people["alice"])) == {world["lead"], world["assisting"]}
    assert not Assignment.objects.visible_to(people["stranger"]).exists()


def _draft_reply(world, people):
    """The lead's draft, with the assisting opinion already sent so it may be submitted."""
    _opinion(world, people, send=True)
    lead = world["lead"]
    workflow.assignment_accept(assignment=lead, by=people["alice"])
    write_reply(lead, people["alice"])
    return current_reply(lead)


REPLY_DRAFT_SEEN = {"cora", "sam", "admin", "alice", "lily"}
REPLY_SENT_SEEN = REPLY_DRAFT_SEEN | {"bob", "ben", "dora", "carl"}


def test_reply_drafts_stay_with_the_lead_bureau_and_offices(world, people):
    draft = _draft_reply(world, people)
    seen = {who for who in EVERYONE if draft in Reply.objects.visible_to(people[who])}
    assert seen == REPLY_DRAFT_SEEN
    # In review is still a draft.
    workflow.reply_submit(assignment=world["lead"], by=people["alice"])
    seen = {who for who in EVERYONE if draft in Reply.objects.visible_to(people[who])}
    assert seen == REPLY_DRAFT_SEEN


def test_sent_replies_reach_the_deputies_and_the_assisting_bureau(world, people):
    draft = _draft_reply(world, people)
    workflow.reply_submit(assignment=world["lead"], by=people["alice"])
    workflow.reply_sign(assignment=world["lead"], by=people["lily"])
    # Signed but not yet sent: still the lead bureau's and the offices' business.
    seen = {who for who in EVERYONE if draft in Reply.objects.visible_to(people[who])}
    assert seen == REPLY_DRAFT_SEEN
    workflow.reply_send(assignment=world["lead"], by=people["alice"])
    seen = {who for who in EVERYONE if draft in Reply.objects.visible_to(people[who])}
    assert seen == REPLY_SENT_SEEN

    # A new round is a draft again: the deputy keeps the signed round and does not see the new one.
    round2 = workflow.reply_new_round(assignment=world["lead"], by=people["lily"], reason="重新办理。")
    assert list(Reply.objects.visible_to(people["dora"])) == [draft]
    assert list(Reply.objects.visible_to(people["bob"])) == [draft]
    assert set(Reply.objects.visible_to(people["alice"])) == {draft, round2}
    assert not Reply.objects.visible_to(people["otto"]).exists()


def _opinion(world, people, send=False):
    assisting = world["assisting"]
    workflow.assignment_accept(assignment=assisting, by=people["bob"])
    opinion = CoHandlingOpinion.objects.get(assignment=assisting)
    opinion_save_draft(opinion=opinion, by=people["bob"], version=opinion.version, title=opinion.title,
                       body="协办意见正文", contact_name="周协办", contact_phone="1")
    if send:
        workflow.opinion_send(assignment=assisting, by=people["ben"])
    return opinion


def _seen_on_its_page(user, opinion) -> bool:
    """The rule in the form the proposal page asks it: with the proposal and its assignments."""
    proposal = Proposal.objects.get(pk=opinion.assignment.proposal_id)
    assignments = list(proposal.assignments.all())
    return opinion in CoHandlingOpinion.objects.visible_to(user, proposal, assignments)


def test_opinion_drafts_stay_with_the_assisting_bureau_and_offices(world, people):
    opinion = _opinion(world, people)
    seen = {who for who in EVERYONE if opinion in CoHandlingOpinion.objects.visible_to(people[who])}
    assert seen == {"cora", "sam", "admin", "bob", "ben"}
    assert {who for who in EVERYONE if _seen_on_its_page(people[who], opinion)} == seen


def test_sent_opinions_reach_the_lead_bureau_but_never_deputies(world, people):
    opinion = _opinion(world, people, send=True)
    seen = {who for who in EVERYONE if opinion in CoHandlingOpinion.objects.visible_to(people[who])}
    assert seen == {"cora", "sam", "admin", "bob", "ben", "alice", "lily"}
    assert CoHandlingOpinion.objects.visible_to(people["alice"]).count() == 1  # no join duplicates
    assert {who for who in EVERYONE if _seen_on_its_page(people[who], opinion)} == seen


def test_the_page_form_of_the_opinion_rule_keeps_to_its_proposal_and_its_assignments(world, people):
    """Another proposal's assignments do not make a bureau the lead of this one, and a missing
    lead assignment counts as not leading: the page form never shows more than the rule."""
    opinion = _opinion(world, people, send=True)
    joint = world["joint"]
    ben = people["ben"]  # 市科技局: assists 110 (its own opinion) and leads 111
    alice = people["alice"]  # 市经信局: the lead of 110
    a_leads = ProposalFactory(session=joint.session, number=120, lead_deputy=DeputyFactory())
    _, assisting = intake.proposal_assign(
        proposal=a_leads, leads=[world["lead"].bureau], assistants=[world["assisting"].bureau], by=people["cora"]
    )
    workflow.assignment_accept(assignment=assisting, by=people["bob"])
    b_assists = CoHandlingOpinion.objects.get(assignment=assisting)  # 市科技局's draft there

    assert opinion not in CoHandlingOpinion.objects.visible_to(alice, joint, [])
    assert opinion not in CoHandlingOpinion.objects.visible_to(alice, joint, list(world["b_only"].assignments.all()))
    # alice's bureau leads 120: that does not make her the lead of 110's opinion …
    assert opinion not in CoHandlingOpinion.objects.visible_to(alice, joint, list(a_leads.assignments.all()))
    # … nor does 110's list open 120's draft to her, or show ben another proposal's opinions.
    assert b_assists not in CoHandlingOpinion.objects.visible_to(alice, a_leads, list(joint.assignments.all()))
    assert b_assists not in CoHandlingOpinion.objects.visible_to(ben, joint, list(joint.assignments.all()))
    assert opinion in CoHandlingOpinion.objects.visible_to(alice, joint, list(joint.assignments.all()))


def test_a_bureau_reassigned_away_loses_the_sent_opinion(people, proposal, bureau_a, bureau_b):
    """The assisting bureau sends its opinion while the lead is still deciding; the lead asks to
    be relieved and the proposal moves to another lead. The old lead loses the proposal, and with
    it the opinion; the new lead gets both."""
    cora = people["cora"]
    bureau_c = OrganizationFactory(name="慈溪市教育局", short_name="市教育局", document_prefix="慈教建")
    lead, assisting = intake.proposal_assign(proposal=proposal, leads=[bureau_a], assistants=[bureau_b], by=cora)
    opinion = _opinion({"assisting": assisting}, people, send=True)
    assert opinion in CoHandlingOpinion.objects.visible_to(people["alice"])
    intake.assignment_request_reassignment(assignment=lead, by=people["alice"], reason="不属于我局职责。")
    replacement = intake.assignment_approve_reassignment(assignment=lead, by=cora, new_bureau=bureau_c)

    assert proposal not in Proposal.objects.visible_to(people["alice"])
    assert opinion not in CoHandlingOpinion.objects.visible_to(people["alice"])
    assert opinion not in CoHandlingOpinion.objects.visible_to(people["lily"])
    assert not _seen_on_its_page(people["alice"], opinion)  # the withdrawn lead is still listed
    c_staff = member(UserFactory(), replacement.bureau, Membership.Role.BUREAU_STAFF)
    assert opinion in CoHandlingOpinion.objects.visible_to(c_staff)
    assert _seen_on_its_page(c_staff, opinion)
